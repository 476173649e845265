import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import type { TorStatusMonitor } from '../tor/tor-status.ts';
import { registerHealthRoutes } from './routes/health.routes.ts';

export interface WebDependencies {
  database: Database;
  tor: TorStatusMonitor;
  logger: Logger;
}

/** The HTTP application. Routes are registered per resource from routes/<resource>.routes.ts. */
export function buildWebApp(deps: WebDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Captured pages and posted files never travel as request bodies; small bodies keep abuse cheap.
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });
  registerHealthRoutes(app, deps);
  return app;
}
