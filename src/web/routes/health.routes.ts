import type { FastifyInstance } from 'fastify';
import { describeError } from '../../shared/errors.ts';
import { migrationStatus } from '../../store/migrate.ts';
import type { WebDependencies } from '../app.ts';

/**
 * /healthz: the process is alive. /readyz: it can do its work — the database answers and its schema is current.
 * Tor is reported but not required: without it the UI and API still serve, and crawls record tor_unavailable.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: WebDependencies): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const database = await checkDatabase(deps);
    const tor = deps.tor.current();
    const ready = database.reachable && database.migrationsCurrent;
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not_ready',
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
