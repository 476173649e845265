/**
 * Who may read the UI: open on a loopback host, an API token everywhere else (Bearer header or the login form's
 * cookie). Through HTTP on both drivers, then with real `leakwatch tokens` and `leakwatch start` processes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeApiToken } from '../../src/store/api-tokens.repository.ts';
import { apiTokens } from '../../src/store/schema/index.ts';
import {
  accessSettings,
  generateApiToken,
  hashApiToken,
  isLoopbackHost,
  safeNextPath,
} from '../../src/web/access.ts';
import { freePort, type RunningCli, runCli, startCli, waitForHttp } from '../support/cli.ts';
import {
  createScratchPostgres,
  DRIVERS,
  openTestDatabase,
  type ScratchPostgres,
  type TestDatabase,
} from '../support/test-database.ts';
import { SECRET, type Seeded, seed, testEvidenceStore, testWebApp } from './support/seed.ts';

describe('which hosts are loopback, and where a login may send the browser back to', () => {
  it('treats only loopback addresses as local', () => {
    const mapped = ['::ffff:127.0.0.1', '[::ffff:7f00:1]', '::FFFF:7F12:3456'];
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', ...mapped])
      expect(isLoopbackHost(host), host).toBe(true);
    const others = ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', 'localhost.example.org'];
    for (const host of [...others, '::ffff:c0a8:10a', '::ffff:8f00:1', '::ffff:192.168.1.10'])
      expect(isLoopbackHost(host), host).toBe(false);
    const settings = (host: string, auth: 'auto' | 'token') =>
      accessSettings({ host, auth, publicUrl: null }, SECRET).requireToken;
    expect(settings('127.0.0.1', 'auto')).toBe(false);
    expect(settings('0.0.0.0', 'auto')).toBe(true);
    expect(settings('127.0.0.1', 'token')).toBe(true);
    expect(
      accessSettings({ host: '0.0.0.0', auth: 'auto', publicUrl: 'https://lw.example' }, SECRET).secureCookie,
    ).toBe(true);
  });

  it('keeps the next path inside the UI', () => {
    expect(safeNextPath('/posts/12?x=1')).toBe('/posts/12?x=1');
    for (const next of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/login',
    ])
      expect(safeNextPath(next), next).toBe('/posts');
  });
});

describe.each(DRIVERS)('web UI access on %s', (driver) => {
  let test: TestDatabase;
  let seeded: Seeded;
  let open: FastifyInstance;
  let networked: FastifyInstance;
  const tokenKey = accessSettings({ host: '0.0.0.0', auth: 'auto', publicUrl: null }, SECRET).tokenKey;

  const newToken = async (name: string, expiresAt: Date | null = null) => {
    const token = generateApiToken();
    await createApiToken(test.database.db, {
      name,
      userEmail: 'analyst@example.org',
      tokenHash: hashApiToken(tokenKey, token),
      scopes: ['read'],
      expiresAt,
    });
    return token;
  };

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    const evidence = testEvidenceStore();
    seeded = await seed(test.database.db, evidence);
    open = testWebApp(test.database, { evidence });
    networked = testWebApp(test.database, { evidence, host: '0.0.0.0' });
  });
  afterAll(async () => {
    await open?.close();
    await networked?.close();
    await test?.close();
  });

  it('is open on a loopback host', async () => {
    expect((await open.inject({ method: 'GET', url: '/posts' })).statusCode).toBe(200);
    expect((await open.inject({ method: 'GET', url: `/posts/${seeded.hostilePostId}` })).statusCode).toBe(
      200,
    );
    expect((await open.inject({ method: 'GET', url: '/login' })).headers.location).toBe('/posts');
  });

  it('answers on the open loopback UI only to loopback host names (DNS rebinding)', async () => {
    const get = (url: string, host: string) => open.inject({ method: 'GET', url, headers: { host } });
    for (const host of [
      'localhost',
      '127.0.0.1:8080',
      '[::1]:8080',
      'LOCALHOST:1',
      '[::ffff:127.0.0.1]:8080',
    ])
      expect((await get('/posts', host)).statusCode, host).toBe(200);
    for (const host of [
      'evil.example',
      'evil.example:8080',
      '127.0.0.1.evil.example',
      '10.0.0.5:8080',
      '[::ffff:10.0.0.5]',
    ]) {
      for (const url of ['/posts', `/posts/${seeded.hostilePostId}`, '/alerts', '/healthz']) {
        const refused = await get(url, host);
        expect(refused.statusCode, `${host} ${url}`).toBe(403);
        expect(refused.body).toContain('only to a loopback host name');
      }
    }
  });

  it('on another host serves no leak data without a token, but health, login and the stylesheet', async () => {
    const protectedUrls = [
      '/',
      '/posts',
      '/posts?q=muller',
      `/posts/${seeded.hostilePostId}`,
      '/sites',
      '/alerts',
      `/captures/${seeded.captureId}/screenshot`,
      `/captures/${seeded.captureId}/page.txt`,
      '/no-such-page',
    ];
    for (const url of protectedUrls) {
      const page = await networked.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
      expect(page.body).not.toContain('Müller');
      const api = await networked.inject({
        method: 'GET',
        url,
        headers: { authorization: 'Bearer lwt_wrong' },
      });
      expect(api.statusCode, url).toBe(401);
      expect(api.headers['www-authenticate']).toContain('Bearer');
      expect(api.body).not.toContain('Müller');
    }
    for (const url of ['/healthz', '/readyz', '/static/style.css', '/login'])
      expect((await networked.inject({ method: 'GET', url })).statusCode, url).toBe(200);
  });

  it('on another host tells /readyz callers without a token only whether it is ready', async () => {
    const anonymous = await networked.inject({ method: 'GET', url: '/readyz' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ status: 'ready' });
    const forged = await networked.inject({
      method: 'GET',
      url: '/readyz',
      headers: { authorization: 'Bearer lwt_wrong' },
    });
    expect(forged.json()).toEqual({ status: 'ready' });
    const headers = { authorization: `Bearer ${await newToken(`readyz-${driver}`)}` };
    const detailed = (await networked.inject({ method: 'GET', url: '/readyz', headers })).json();
    expect(detailed.checks.database).toMatchObject({ driver, migrationsCurrent: true });
    expect(detailed.checks.tor).toHaveProperty('socks');
    // On loopback the UI is open to its local users, and so are the details.
    const local = (await open.inject({ method: 'GET', url: '/readyz' })).json();
    expect(local.checks.database).toMatchObject({ driver, migrationsCurrent: true });
  });

  it('accepts a Bearer token, stored only as a keyed hash, and refuses it once revoked or expired', async () => {
    const token = await newToken(`bearer-${driver}`);
    const [row] = await test.database.query<{ token_hash: string; last_used_at: Date | null }>(
      'select token_hash, last_used_at from api_tokens where name = $1',
      [`bearer-${driver}`],
    );
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.token_hash).not.toContain(token.slice(4, 20));
    expect(row?.last_used_at).toBeNull();

    const headers = { authorization: `Bearer ${token}` };
    const page = await networked.inject({ method: 'GET', url: `/posts/${seeded.hostilePostId}`, headers });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Müller');
    const used = await test.database.db.select({ at: apiTokens.lastUsedAt }).from(apiTokens);
    expect(used.some((entry) => entry.at !== null)).toBe(true);

    expect(await revokeApiToken(test.database.db, `bearer-${driver}`)).toMatchObject({
      name: `bearer-${driver}`,
    });
    expect((await networked.inject({ method: 'GET', url: '/posts', headers })).statusCode).toBe(401);

    const expired = await newToken(`expired-${driver}`, new Date(Date.now() - 1000));
    const refused = await networked.inject({
      method: 'GET',
      url: '/posts',
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(refused.statusCode).toBe(401);
  });

  it('logs a browser in with a form that sets an HttpOnly SameSite=Strict cookie, and out again', async () => {
    const token = await newToken(`browser-${driver}`);
    // The login form carries a CSRF token bound to a cookie the page sets (see alert-actions.test.ts for the checks).
    const loginPage = await networked.inject({ method: 'GET', url: '/login' });
    const csrfCookie = String(loginPage.headers['set-cookie']).split(';')[0] as string;
    const csrfOf = (body: string) => cheerio.load(body)('input[name=csrf]').attr('value') ?? '';
    const origin = 'http://localhost:80';
    const form = (value: string, next: string) => ({
      method: 'POST' as const,
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, origin },
      payload: new URLSearchParams({ token: value, next, csrf: csrfOf(loginPage.body) }).toString(),
    });
    const wrong = await networked.inject(form('lwt_not-a-token', '/sites'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('unknown, revoked or expired');

    const login = await networked.inject(form(token, '/sites'));
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/sites');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^leakwatch_token=lwt_[A-Za-z0-9_-]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const session = { cookie: `${cookie.split(';')[0]}; ${csrfCookie}` };
    const sites = await networked.inject({ method: 'GET', url: '/sites', headers: session });
    expect(sites.statusCode).toBe(200);
    expect(sites.body).toContain('Log out');

    // A next path outside the UI is not followed.
    expect((await networked.inject(form(token, '//evil.example/'))).headers.location).toBe('/posts');

    const logout = await networked.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...session, origin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ csrf: csrfOf(sites.body) }).toString(),
    });
    expect(logout.statusCode).toBe(303);
    expect(String(logout.headers['set-cookie'])).toContain('Max-Age=0');

    await revokeApiToken(test.database.db, `browser-${driver}`);
    expect((await networked.inject({ method: 'GET', url: '/sites', headers: session })).statusCode).toBe(303);
  });
});

describe('leakwatch tokens and leakwatch start with web.auth token (real processes, PostgreSQL)', () => {
  let scratch: ScratchPostgres;
  const running: RunningCli[] = [];
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((process) => process.stop('SIGKILL')));
  });
  afterAll(() => scratch?.drop());

  it('refuses every page until a token exists, then serves it to that token until it is revoked', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-web-access-')),
      LEAKWATCH_SECRET_KEY: SECRET,
      LEAKWATCH_PORT: String(port),
      LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
      // Loopback for the test, with the protection a network-facing server gets.
      LEAKWATCH_WEB_AUTH: 'token',
    };
    const start = startCli(['start'], { env });
    running.push(start);
    const base = `http://127.0.0.1:${port}`;
    expect((await waitForHttp(`${base}/healthz`, start)).status).toBe(200);
    expect(start.output()).toContain('none exists yet');
    const anonymous = await fetch(`${base}/posts`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fposts');

    const created = await runCli(['tokens', 'create', 'analyst', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^lwt_[A-Za-z0-9_-]{43}$/);
    const duplicate = await runCli(['tokens', 'create', 'analyst'], { env });
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain('already exists');

    const authorised = await fetch(`${base}/posts`, { headers: { authorization: `Bearer ${token}` } });
    expect(authorised.status).toBe(200);
    expect(authorised.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await authorised.text()).toContain('<h1>Posts</h1>');

    const list = await runCli(['tokens', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('analyst');
    expect(list.stdout).toContain('active');
    expect(list.stdout).not.toContain(token);
    expect(start.output()).not.toContain(token);

    const revoked = await runCli(['tokens', 'revoke', 'analyst'], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await fetch(`${base}/posts`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
    expect((await runCli(['tokens', 'list'], { env })).stdout).toMatch(/analyst\s+revoked/);
    expect((await runCli(['tokens', 'revoke', 'analyst'], { env })).code).not.toBe(0);
    expect(await start.stop('SIGTERM')).toBe(0);
  });
});
