/**
 * The alert forms in the real Chromium: a click acknowledges (so the browser really sends the Origin and the form
 * token the server checks — under Referrer-Policy no-referrer it would send `Origin: null`), and a page on another
 * origin that posts the same form with script is refused and changes nothing. Everything stays on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../src/fetch/browser-fetcher.ts';
import { alerts } from '../../src/store/schema/index.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { type Seeded, seed, testEvidenceStore, testWebApp } from './support/seed.ts';

describe('alert actions in the real Chromium', () => {
  let test: TestDatabase;
  let seeded: Seeded;
  let app: FastifyInstance;
  let origin: string;
  let browser: Browser;
  let foreign: Server;
  let foreignOrigin: string;
  let alertId: number;

  const lifecycle = async () =>
    (await test.database.db.select().from(alerts).where(eq(alerts.id, alertId)))[0]?.lifecycle;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    seeded = await seed(test.database.db, testEvidenceStore());
    const [alert] = await test.database.db
      .select()
      .from(alerts)
      .where(eq(alerts.postId, seeded.hostilePostId));
    alertId = alert?.id as number;
    app = testWebApp(test.database);
    origin = new URL(await app.listen({ host: '127.0.0.1', port: 0 })).origin;
    // Another origin (another port: same site, so SameSite cookies still go along) whose page posts to the UI.
    foreign = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><form method="post" action="${origin}/alerts/${alertId}/resolve">
<input type="hidden" name="csrf" value="guessed"><input type="hidden" name="back" value="/alerts"></form>
<script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      ...chromiumLaunchOptions({ executablePath: '/usr/bin/chromium', socksUrl: 'socks5h://127.0.0.1:9' }),
      proxy: { server: 'socks5://127.0.0.1:9', bypass: '127.0.0.1' },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => foreign?.close(resolve));
    await app?.close();
    await test?.close();
  });

  it('acknowledges with a click, and refuses the same form posted from another origin', async () => {
    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith(`${foreignOrigin}/`)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(`${origin}/posts/${seeded.hostilePostId}`, { waitUntil: 'load' });
    const sent = page.waitForRequest((request) => request.method() === 'POST');
    await page.click(`form[action="/alerts/${alertId}/acknowledge"] button`);
    const post = await sent;
    expect(await post.headerValue('origin')).toBe(origin);
    await page.waitForURL(`${origin}/posts/${seeded.hostilePostId}`);
    expect(await lifecycle()).toBe('acknowledged');
    expect(await page.locator(`form[action="/alerts/${alertId}/acknowledge"]`).count()).toBe(0);

    // The browser now holds the UI's cookie; a foreign page still cannot act with it.
    const refused = page.waitForResponse((response) => response.url().endsWith(`/alerts/${alertId}/resolve`));
    await page.goto(`${foreignOrigin}/`);
    expect((await refused).status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Refused');
    expect(await lifecycle()).toBe('acknowledged');
    expect(outside).toEqual([]);
    await context.close();
  });
});
