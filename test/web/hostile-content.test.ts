/**
 * Captured content is hostile: titles, texts, group and file names, URLs and error messages from leak sites must reach
 * the browser only as text. Checked on the HTML served over HTTP, then in the real Chromium, where no script may run
 * and no request may leave 127.0.0.1.
 */
import * as cheerio from 'cheerio';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../src/fetch/browser-fetcher.ts';
import { escapeHtml, html } from '../../src/web/html.ts';
import { createDocument, createPost } from '../match/support.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { HOSTILE, type Seeded, seed, testEvidenceStore, testWebApp } from './support/seed.ts';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Markup that would run or load something if it reached the page unescaped. (Escaped, the same words are harmless
 * text: `onerror=` may appear inside `&lt;img …&gt;`; the attribute walk below checks no element carries one.)
 */
const DANGEROUS = [/<script/i, /<img src=x/i, /<svg/i, /<a href="javascript:/i, /src="http/i];

describe('hostile captured content', () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let seeded: Seeded;
  let pages: string[];

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    const evidence = testEvidenceStore();
    seeded = await seed(test.database.db, evidence);
    app = testWebApp(test.database, { evidence });
    pages = [
      '/posts',
      `/posts?q=${encodeURIComponent(HOSTILE.title)}`,
      `/posts/${seeded.hostilePostId}`,
      '/sites',
      '/alerts',
    ];
  });
  afterAll(async () => {
    await app?.close();
    await test?.close();
  });

  it('escapes every interpolated value, including quotes and backticks', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>\`&`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&#96;&amp;',
    );
    expect(html`<p title="${HOSTILE.title}">${HOSTILE.body}</p>`.value).not.toMatch(/<script|<img|<a /);
    expect(html`<ul>${['<b>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;b&gt;<li>ok</li></ul>');
  });

  it('serves pages whose HTML holds the hostile strings only as text, under a strict CSP', async () => {
    for (const url of pages) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      for (const pattern of DANGEROUS) expect(response.body, `${url} ${pattern}`).not.toMatch(pattern);
      expect(response.headers['content-security-policy']).toBe(CSP);
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const $ = cheerio.load(response.body);
      expect($('script').length, url).toBe(0);
      $('*').each((_, element) => {
        for (const [name, value] of Object.entries(
          (element as { attribs?: Record<string, string> }).attribs ?? {},
        )) {
          expect(name, `${url}: attribute ${name}`).not.toMatch(/^on/i);
          if (['href', 'src', 'action'].includes(name)) expect(value, `${url}: ${name}`).toMatch(/^\/(?!\/)/);
        }
      });
    }
    const detail = cheerio.load(
      (await app.inject({ method: 'GET', url: `/posts/${seeded.hostilePostId}` })).body,
    );
    // The text is all there, shown as the site wrote it.
    expect(detail('h1').text()).toBe(HOSTILE.title);
    expect(detail('pre.post-text').text()).toBe(HOSTILE.body);
    expect(detail('main').text()).toContain(HOSTILE.group);
    expect(detail('main').text()).toContain(HOSTILE.url);
  });

  it('shows bidi overrides and invisible characters of titles and file names as code points', async () => {
    const spoof = await createPost(test.database.db, {
      title: 'Invoices \u202Egnp.exe',
      bodyText: 'line one\nline\u200Btwo',
    });
    await createDocument(test.database.db, spoof.id, 'scan\u2066\u202Efdp.exe');
    const bidi = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/u;
    for (const url of [`/posts/${spoof.id}`, '/posts']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toMatch(bidi);
      expect(response.body, url).toContain('Invoices ⟨U+202E⟩gnp.exe');
    }
    const detail = cheerio.load((await app.inject({ method: 'GET', url: `/posts/${spoof.id}` })).body);
    expect(detail('h1').text()).toBe('Invoices ⟨U+202E⟩gnp.exe');
    expect(detail('main').text()).toContain('scan⟨U+2066⟩⟨U+202E⟩fdp.exe');
    // Line breaks of the post text are kept; only the invisible character is written out.
    expect(detail('pre.post-text').text()).toBe('line one\nline⟨U+200B⟩two');
    // Still escaped: the helper runs before the entities.
    expect(html`<p title="${'<b>\u202E'}">`.value).toBe('<p title="&lt;b&gt;⟨U+202E⟩">');
  });

  it('in the real Chromium: renders the post page with no script run and no request beyond 127.0.0.1', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = new URL(address).origin;
    // A dead proxy: anything that tried to leave loopback would fail even if the route below missed it.
    const browser = await chromium.launch({
      ...chromiumLaunchOptions({ executablePath: '/usr/bin/chromium', socksUrl: 'socks5h://127.0.0.1:9' }),
      proxy: { server: 'socks5://127.0.0.1:9', bypass: '127.0.0.1' },
    });
    try {
      const context = await browser.newContext();
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        requests.push(url);
        return url.startsWith(`${origin}/`) ? route.continue() : route.abort();
      });
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      for (const url of pages) {
        const response = await page.goto(`${origin}${url}`, { waitUntil: 'load' });
        expect(response?.status(), url).toBe(200);
      }
      // The post page last: its screenshot must have loaded, as an image from the same origin.
      await page.goto(`${origin}/posts/${seeded.hostilePostId}`, { waitUntil: 'load' });
      // A string, evaluated in the page (this project's TypeScript has no DOM library).
      const state = await page.evaluate(`({
        scripts: document.querySelectorAll('script').length,
        eventHandlers: [...document.querySelectorAll('*')].filter((element) =>
          [...element.attributes].some((attribute) => attribute.name.startsWith('on')),
        ).length,
        title: document.querySelector('h1')?.textContent,
        screenshotWidth: document.querySelector('img.screenshot')?.naturalWidth,
        stylesheetApplied: getComputedStyle(document.body).margin,
      })`);
      expect(dialogs).toEqual([]);
      expect(state).toEqual({
        scripts: 0,
        eventHandlers: 0,
        title: HOSTILE.title,
        screenshotWidth: 1,
        stylesheetApplied: '0px',
      });
      expect(requests.length).toBeGreaterThan(pages.length);
      expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(requests).toContain(`${origin}/static/style.css`);
      expect(requests).toContain(`${origin}/captures/${seeded.captureId}/screenshot`);
    } finally {
      await browser.close();
    }
  });
});
