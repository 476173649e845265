import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { TorStatusMonitor } from '../tor/tor-status.ts';
import { type AccessSettings, registerAccessControl } from './access.ts';
import { registerCsrfProtection } from './csrf.ts';
import { sendNotFound, sendPage } from './reply.ts';
import { registerAlertActionsRoutes } from './routes/alert-actions.routes.ts';
import { registerAlertsRoutes } from './routes/alerts.routes.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { registerCapturesRoutes } from './routes/captures.routes.ts';
import { registerHealthRoutes } from './routes/health.routes.ts';
import { registerPostsRoutes } from './routes/posts.routes.ts';
import { registerSitesRoutes } from './routes/sites.routes.ts';
import { registerStaticRoutes } from './routes/static.routes.ts';
import { errorPage } from './views/layout.ts';

export interface WebDependencies {
  database: Database;
  tor: TorStatusMonitor;
  logger: Logger;
  /** Where captures are decrypted from; without it the UI lists captures but does not serve them. */
  evidence?: EvidenceStore;
  access: AccessSettings;
}

/**
 * Everything the UI shows came from hostile sites: pages run no script and load nothing from elsewhere, so markup
 * that escaped escaping still could not act. Forms may only post back here; nothing may frame the UI.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

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
    // Not no-referrer: under it a browser sends `Origin: null` with a form POST, and the CSRF check needs the real
    // origin. same-origin still tells no other site which page linked to it.
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    // Evidence routes set a stricter policy of their own (a sandbox).
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  });
  // Forms are the only bodies the UI takes (login, alert actions); small, and parsed into plain fields.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // Access first: an unauthenticated POST is refused as such before its form is looked at.
  registerAccessControl(app, deps.database.db, deps.access);
  registerCsrfProtection(app, deps.access);
  registerHealthRoutes(app, deps);
  registerStaticRoutes(app);
  registerAuthRoutes(app, deps, deps.access);
  const signedIn = deps.access.requireToken;
  registerPostsRoutes(app, deps, signedIn);
  registerSitesRoutes(app, deps, signedIn);
  registerAlertsRoutes(app, deps, signedIn);
  registerAlertActionsRoutes(app, deps);
  registerCapturesRoutes(app, deps);
  app.setNotFoundHandler((_request, reply) => sendNotFound(reply, 'There is no such page.'));
  // Database and driver messages stay in the log: a page says only that something failed.
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return sendPage(reply, errorPage(status), status);
  });
  return app;
}
