import type { FastifyInstance } from 'fastify';
import { OperatorError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import { startTor } from '../tor/tor-supervisor.ts';
import { webAppFromContext } from '../web/from-context.ts';
import { type AppContext, createAppContext } from './context.ts';

export type Role = 'web' | 'scheduler' | 'worker';

interface Stoppable {
  name: string;
  stop(): Promise<void> | void;
}

export interface RunningRoles {
  ctx: AppContext;
  /** The web UI's base URL, when the web role runs. */
  url?: string;
  /** Stops every role in reverse start order, then closes the context. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the given roles in one process on one context: `start` runs all three (the only choice on PGlite, a
 * single-process database); split deployments on PostgreSQL run one role per process.
 */
export async function startRoles(
  roles: readonly Role[],
  options: { generateSecretKey: boolean },
): Promise<RunningRoles> {
  const ctx = await createAppContext({ createSecretKey: options.generateSecretKey, migrate: true });
  const log = moduleLogger(ctx.logger, 'app');
  const running: Stoppable[] = [];
  const stop = async () => {
    for (const part of running.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        log.error({ err: error, part: part.name }, 'error while stopping');
      }
    }
    await ctx.close();
  };

  try {
    const torRuntime = await startTor(ctx.config, moduleLogger(ctx.logger, 'tor'));
    running.push({ name: 'tor', stop: () => torRuntime.stop() });
    const tor = torRuntime.monitor;

    let url: string | undefined;
    if (roles.includes('web')) {
      const app = await webAppFromContext(ctx, tor);
      url = await listen(app, ctx);
      running.push({ name: 'web', stop: () => app.close() });
    }
    if (roles.includes('scheduler') || roles.includes('worker')) {
      const { startBackgroundRoles } = await import('./background-roles.ts');
      running.push(...(await startBackgroundRoles(ctx, roles)));
    }
    log.info({ roles, database: ctx.database.location, url }, 'leakwatch started');
    return { ctx, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function listen(app: FastifyInstance, ctx: AppContext): Promise<string> {
  const { host, port } = ctx.config.web;
  try {
    const address = await app.listen({ host, port });
    return address.replace('[::1]', 'localhost');
  } catch (error) {
    throw listenProblem(error, host, port) ?? error;
  }
}

const BIND_HINT =
  'set LEAKWATCH_HOST (web.host) to 127.0.0.1, to 0.0.0.0 for every interface, or to an address of this machine';

/** A host or port the web role cannot use is the operator's to fix: say which and how, not a stack trace. */
function listenProblem(error: unknown, host: string, port: number): OperatorError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  const problem = (what: string, hint: string) =>
    new OperatorError('web.cannot_listen', `the web UI cannot listen on ${where}: ${what}`, {
      cause: error,
      hint,
    });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL')
    return problem(`the host name "${host}" does not resolve (${code})`, BIND_HINT);
  if (code === 'EADDRNOTAVAIL')
    return problem(`"${host}" is not an address of this machine (${code})`, BIND_HINT);
  if (code === 'EADDRINUSE')
    return problem('the port is already in use', 'stop the other process, or set LEAKWATCH_PORT (web.port)');
  if (code === 'EACCES')
    return problem(
      'permission denied',
      'use a port above 1023 (LEAKWATCH_PORT), or grant the capability to bind',
    );
  return undefined;
}

/**
 * Runs until SIGINT/SIGTERM, then shuts down gracefully. Signal handlers are installed before start-up, so a signal
 * that arrives while starting (the web port may already answer) still ends in a clean shutdown. A second signal exits
 * at once.
 */
export async function runRolesUntilSignal(
  roles: readonly Role[],
  options: { generateSecretKey: boolean },
): Promise<void> {
  let signalled: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = signal;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const running = await startRoles(roles, options);
  if (running.url && !signalled) {
    process.stderr.write(
      `leakwatch is running: ${running.url} (database: ${running.ctx.database.location})\n`,
    );
  }
  if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
  moduleLogger(running.ctx.logger, 'app').info({ signal: signalled }, 'shutting down');
  await running.stop();
}
