import type { FastifyInstance } from 'fastify';
import { STYLESHEET } from '../static/style.ts';

export function registerStaticRoutes(app: FastifyInstance): void {
  app.get('/static/style.css', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
}
