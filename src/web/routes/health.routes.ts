import type { FastifyInstance } from 'fastify';
import { describeError } from '../../shared/errors.ts';
import { migrationStatus } from '../../store/migrate.ts';
import { presentedToken, verifyApiToken } from '../access.ts';
import type { WebDependencies } from '../app.ts';

/**
 * /healthz: the process is alive. /readyz: it can do its work — the database answers and its schema is current.
 * Tor is reported but not required: without it the UI and API still serve, and crawls record tor_unavailable.
 * Probes reach /readyz without a token; where the UI needs one, only a caller with a token sees the details (driver,
 * migrations, the SOCKS address): a network learns from it only whether the service is ready.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: WebDependencies): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    const database = await checkDatabase(deps);
    const tor = deps.tor.current();
    const ready = database.reachable && database.migrationsCurrent;
    const status = ready ? 'ready' : 'not_ready';
    reply.code(ready ? 200 : 503);
    const detailed =
      !deps.access.requireToken ||
      (await verifyApiToken(deps.database.db, deps.access, presentedToken(request)).catch(() => null)) !==
        null;
    if (!detailed) return { status };
    return {
      status,
      checks: {
        database,
        tor: {
          required: false,
          state: tor.state,
          socks: tor.socks,
          detail: tor.detail,
          checkedAt: tor.checkedAt,
        },
      },
    };
  });
}

async function checkDatabase(deps: WebDependencies) {
  const { database } = deps;
  try {
    await database.query('select 1');
    const status = await migrationStatus(database);
    return {
      reachable: true,
      driver: database.driver,
      migrationsCurrent: status.current,
      migrations: { applied: status.applied, known: status.known, pending: status.pending },
    };
  } catch (error) {
    return {
      reachable: false,
      driver: database.driver,
      migrationsCurrent: false,
      error: describeError(error),
    };
  }
}
