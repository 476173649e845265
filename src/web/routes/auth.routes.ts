import type { FastifyInstance } from 'fastify';
import type { AccessSettings } from '../access.ts';
import { safeNextPath, tokenCookie, verifyApiToken } from '../access.ts';
import type { WebDependencies } from '../app.ts';
import { sessionOf } from '../csrf.ts';
import { sendPage } from '../reply.ts';
import { loginPage } from '../views/login.view.ts';

/** The login form turns an API token into an HttpOnly, SameSite=Strict cookie, so a browser can use the UI. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: WebDependencies,
  access: AccessSettings,
): void {
  if (!access.requireToken) {
    app.get('/login', async (_request, reply) => reply.redirect('/posts', 303));
    return;
  }
  app.get('/login', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return sendPage(
      reply,
      loginPage({ next: safeNextPath(query.next), failed: false, session: sessionOf(request, false) }),
    );
  });

  app.post('/login', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNextPath(form.next);
    const token = typeof form.token === 'string' ? form.token.trim() : undefined;
    const valid = await verifyApiToken(deps.database.db, access, token);
    if (!valid) {
      request.log.warn({ ip: request.ip }, 'login with an unknown, revoked or expired token');
      return sendPage(reply, loginPage({ next, failed: true, session: sessionOf(request, false) }), 401);
    }
    request.log.info({ tokenName: valid.name, ip: request.ip }, 'logged in');
    return reply.header('set-cookie', tokenCookie(access, token ?? null)).redirect(next, 303);
  });

  app.post('/logout', async (_request, reply) =>
    reply.header('set-cookie', tokenCookie(access, null)).redirect('/login', 303),
  );
}
