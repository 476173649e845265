import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../alert/lifecycle.ts';
import { deriveKey } from '../shared/keys.ts';
import { useApiToken } from '../store/api-tokens.repository.ts';
import type { Db } from '../store/db.ts';

/**
 * Who may read the UI. On a loopback address only local users reach it (the quickstart: `npm start`, then a browser
 * on localhost), so it is open; bound to any other address it serves leak data to a network, and every page needs an
 * API token — as `Authorization: Bearer`, or the HttpOnly cookie the login form sets.
 */
export interface AccessSettings {
  requireToken: boolean;
  /** Key that API tokens are hashed with (purpose 'api-tokens'). */
  tokenKey: Buffer;
  /**
   * Key of the web forms' tokens: derived from the secret key, so every web process of a deployment (several behind
   * a load balancer) accepts the forms any of them served.
   */
  formKey: Buffer;
  /** Mark the cookie Secure (the UI is reached over https). */
  secureCookie: boolean;
  /** The origin of web.publicUrl (behind a proxy, what the browser sees); forms posted from it are the UI's own. */
  publicOrigin: string | null;
}

export const TOKEN_COOKIE = 'leakwatch_token';
const TOKEN_PREFIX = 'lwt_';
/** Paths anyone may reach: health probes, logging in and out, and the stylesheet the login form uses. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/login', '/logout', '/static/style.css']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  // IPv4-mapped loopback, dotted or as URL parsing writes it (`[::ffff:127.0.0.1]` → `[::ffff:7f00:1]`).
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:(?:127\.|7f[0-9a-f]{2}:)/i.test(bare);
  return false;
}

export function accessSettings(
  web: { host: string; auth: 'auto' | 'token'; publicUrl: string | null },
  secretKeyMaterial: string,
): AccessSettings {
  return {
    requireToken: web.auth === 'token' || !isLoopbackHost(web.host),
    tokenKey: deriveKey(secretKeyMaterial, 'api-tokens'),
    formKey: deriveKey(secretKeyMaterial, 'web-forms'),
    secureCookie: web.publicUrl?.startsWith('https:') ?? false,
    publicOrigin: web.publicUrl ? new URL(web.publicUrl).origin : null,
  };
}

/** A new API token: 256 random bits, prefixed so a leaked one is recognisable in logs and secret scanners. */
export function generateApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Keyed, so a copy of the database alone cannot be used to check guesses. */
export function hashApiToken(tokenKey: Buffer, token: string): string {
  return createHmac('sha256', tokenKey).update(token, 'utf8').digest('hex');
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/** The API token a request carries (Bearer header first, then the login cookie), unchecked. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1];
  }
  return cookieValue(request.headers.cookie, TOKEN_COOKIE);
}

/** Checks a token against the database; null when it is unknown, revoked or expired. */
export async function verifyApiToken(db: Db, settings: AccessSettings, token: string | undefined) {
  if (!token?.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  return useApiToken(db, hashApiToken(settings.tokenKey, token));
}

export function tokenCookie(settings: AccessSettings, token: string | null): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(settings.secureCookie ? ['Secure'] : [])];
  if (token === null) return `${TOKEN_COOKIE}=; Max-Age=0; ${attributes.join('; ')}`;
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Max-Age=${12 * 3600}; ${attributes.join('; ')}`;
}

/** A path inside the UI to go back to after logging in; anything else (another host, //evil) becomes /posts. */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[^\s\\]*$/.test(value) || value.startsWith('/login'))
    return '/posts';
  return value;
}

const signedInTokens = new WeakMap<FastifyRequest, { id: number; name: string }>();

/**
 * Who is acting, for the audit log: the token the request was let in with, or `loopback` when the UI is open (only
 * local users reach it, and they are not told apart).
 */
export function actorOf(request: FastifyRequest): Actor {
  const token = signedInTokens.get(request);
  return token ? { actor: `token:${token.id}`, name: token.name } : { actor: 'loopback' };
}

/**
 * On the open loopback UI, whether the Host a request names is one the UI answers to: a loopback name, or the host of
 * web.publicUrl. A page of another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) names its own host.
 */
function openHostAllowed(host: string | undefined, publicHostname: string | null): boolean {
  if (!host) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(hostname) || hostname === publicHostname;
}

export function registerAccessControl(app: FastifyInstance, db: Db, settings: AccessSettings): void {
  if (!settings.requireToken) {
    const publicHostname = settings.publicOrigin ? new URL(settings.publicOrigin).hostname : null;
    // Open because only local users reach a loopback address: a browser sent here by another site's re-pointed name
    // is refused, or that site's scripts could read the leak data the pages show.
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (openHostAllowed(request.headers.host, publicHostname)) return;
      request.log.warn({ host: request.headers.host }, 'refused a request naming a non-loopback Host');
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send(
          'refused: this leakwatch UI answers only to a loopback host name (127.0.0.1, localhost, [::1]) or web.publicUrl. Nothing was changed.\n',
        );
    });
    return;
  }
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (OPEN_PATHS.has(path)) return;
    const token = await verifyApiToken(db, settings, presentedToken(request));
    if (token) {
      request.log.debug({ tokenName: token.name }, 'authenticated');
      signedInTokens.set(request, token);
      return;
    }
    const wantsPage = request.method === 'GET' && !request.headers.authorization;
    if (wantsPage) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="leakwatch"')
      .type('text/plain; charset=utf-8')
      .send('an API token is required (Authorization: Bearer, or log in at /login)\n');
  });
}
