import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AccessSettings, cookieValue, presentedToken } from './access.ts';
import { sendPage } from './reply.ts';
import { refusedPage, type Session } from './views/layout.ts';

/**
 * Cross-site request forgery: a page elsewhere must not make an analyst's browser acknowledge, resolve or mute
 * alerts (or log in or out) here. Every POST passes two independent checks:
 *
 * 1. Origin: the browser says which page sent the form; it must be this UI (the Host it was reached at, or
 *    web.publicUrl behind a proxy). On an open loopback UI the Host must also be a loopback name, so a DNS-rebound
 *    foreign name that points at 127.0.0.1 is refused too.
 * 2. Token: each form carries a hidden field, an HMAC under a key derived from the secret key (every web process of a
 *    deployment accepts it), of a random per-browser cookie (HttpOnly, SameSite=Strict) and of the API token the
 *    request is signed in with. A forger can read neither the page nor the cookie, and a token stops working when the
 *    browser signs in as another.
 */
export const CSRF_COOKIE = 'leakwatch_csrf';
export const CSRF_FIELD = 'csrf';

const COOKIE_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const formTokens = new WeakMap<FastifyRequest, string>();

/** The token the forms of this response must carry. */
export function csrfTokenOf(request: FastifyRequest): string {
  const token = formTokens.get(request);
  if (token === undefined) throw new Error('CSRF protection is not registered on this app');
  return token;
}

/** What a page rendered for this request needs: whether to offer logging out, and its forms' token. */
export function sessionOf(request: FastifyRequest, signedIn: boolean): Session {
  return { signedIn, csrf: csrfTokenOf(request) };
}

function csrfCookie(settings: AccessSettings, value: string): string {
  return `${CSRF_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${settings.secureCookie ? '; Secure' : ''}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Why a POST's origin is not this UI's; undefined when it is. */
function foreignOrigin(request: FastifyRequest, settings: AccessSettings): string | undefined {
  // The Host itself was checked on arrival (registerAccessControl: the open UI answers only to loopback names).
  const host = request.headers.host;
  if (!host) return 'no Host header';
  let sent = request.headers.origin;
  if (sent === undefined && request.headers.referer) {
    try {
      sent = new URL(request.headers.referer).origin;
    } catch {
      return 'malformed Referer header';
    }
  }
  if (sent === undefined) return 'no Origin or Referer header';
  const own = [`${request.protocol}://${host}`, settings.publicOrigin].filter((origin) => origin !== null);
  return own.includes(sent) ? undefined : 'an Origin other than this UI';
}

function refuse(request: FastifyRequest, reply: FastifyReply, reason: string): FastifyReply {
  request.log.warn({ method: request.method, url: request.url, reason }, 'form refused (CSRF protection)');
  return sendPage(reply, refusedPage(), 403);
}

/** Registers both checks on every POST (and any other unsafe method), and the cookie and token the forms carry. */
export function registerCsrfProtection(app: FastifyInstance, settings: AccessSettings): void {
  const tokenFor = (browser: string, request: FastifyRequest) =>
    createHmac('sha256', settings.formKey)
      .update(`${browser}\n${presentedToken(request) ?? ''}`)
      .digest('base64url');

  app.addHook('onRequest', async (request, reply) => {
    let browser = cookieValue(request.headers.cookie, CSRF_COOKIE);
    if (browser === undefined || !COOKIE_SHAPE.test(browser)) {
      browser = randomBytes(32).toString('base64url');
      reply.header('set-cookie', csrfCookie(settings, browser));
    }
    formTokens.set(request, tokenFor(browser, request));
    if (SAFE_METHODS.has(request.method)) return;
    const foreign = foreignOrigin(request, settings);
    if (foreign) return refuse(request, reply, foreign);
  });

  // The token is in the body, so it is checked once the form is parsed (after the origin, before any handler).
  app.addHook('preHandler', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const body = request.body as Record<string, unknown> | undefined;
    const sent = body?.[CSRF_FIELD];
    if (typeof sent !== 'string' || !sameText(sent, csrfTokenOf(request)))
      return refuse(request, reply, sent === undefined ? 'no form token' : 'a wrong or expired form token');
  });
}
