import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BrowserFetcher,
  CHROMIUM_DISABLED_FEATURES,
  chromiumLaunchOptions,
} from '../../src/fetch/browser-fetcher.ts';
import { FetchError, PageRejectedError } from '../../src/fetch/fetch-errors.ts';
import { DEFAULT_FETCH_LIMITS } from '../../src/fetch/fetch-limits.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { missingTool, skipWithout } from '../support/system-tools.ts';

const CHROMIUM = '/usr/bin/chromium';
// Generous: every page here is expected to load (the dead onion and the down proxy fail at once).
const limits = { ...DEFAULT_FETCH_LIMITS, totalTimeoutMs: 60_000 };

// Ways a hostile page names another host; each made Chromium open a CONNECT to it although page.route aborts it.
const HOSTILE_VECTORS: Record<string, (other: string) => string> = {
  'meta refresh': (other) => `<meta http-equiv="refresh" content="0;url=http://${other}/next">`,
  'stylesheet link': (other) => `<link rel="stylesheet" href="http://${other}/style.css">`,
  iframe: (other) => `<iframe src="http://${other}/frame"></iframe>`,
  object: (other) => `<object data="http://${other}/object"></object>`,
  preconnect: (other) => `<link rel="preconnect" href="http://${other}">`,
  'dns-prefetch': (other) => `<link rel="dns-prefetch" href="http://${other}">`,
  embed: (other) => `<embed src="http://${other}/embed">`,
  'script navigation': (other) => `<script>location.href = 'http://${other}/js'</script>`,
  'clearnet preconnect': () => '<link rel="preconnect" href="https://operator.example.net">',
};

// A JavaScript-only leak site: the list exists only after the script runs.
const shell = `<!doctype html><html><head><title>Blog</title></head><body><div id="root">Loading…</div>
<script src="/app.js"></script><img src="https://tracker.example.com/p.gif"></body></html>`;
const app = `document.getElementById('root').innerHTML =
  ['Azur Analyses Médicales', 'Rotor &amp; Co'].map(t => '<article class="post"><h2>' + t + '</h2></article>').join('');`;

describe.skipIf(skipWithout(existsSync(CHROMIUM)))(
  'BrowserFetcher (Debian Chromium) through the SOCKS harness',
  () => {
    it('finds Chromium', () => {
      expect(existsSync(CHROMIUM), missingTool(CHROMIUM, 'chromium')).toBe(true);
    });

    let harness: OnionHarness;
    let fetcher: BrowserFetcher;
    beforeAll(async () => {
      harness = await startOnionHarness();
      fetcher = new BrowserFetcher({
        executablePath: CHROMIUM,
        socksUrl: harness.url,
        maxContexts: 2,
        logger: createLogger({ level: 'silent', format: 'json' }),
        screenshotTimeoutMs: 10_000,
        screenshotMaxHeight: 2000,
      });
    });
    afterAll(async () => {
      await fetcher?.close();
      await harness?.stop();
    });

    it('renders a JavaScript site, sends the onion name to the proxy, blocks undeclared hosts, takes a screenshot', async () => {
      const site = fixtureSite({
        '/': { body: shell },
        '/app.js': { body: app, contentType: 'application/javascript' },
      });
      const host = harness.serve(site);
      const page = await fetcher.fetch({
        url: `http://${host}/`,
        siteId: 'js',
        allowedHosts: new Set([host]),
        limits,
      });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<h2>Azur Analyses Médicales</h2>');
      expect(page.screenshot?.subarray(1, 4).toString()).toBe('PNG');
      expect(site.hits).toEqual(['/', '/app.js']);
      expect(site.userAgents[0]).toMatch(/Firefox/);
      const records = harness.requests.filter((record) => record.host === host);
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((record) => record.addressType === 'domain')).toBe(true);
      expect(harness.requests.some((record) => record.host.includes('tracker'))).toBe(false);
    });

    it.each(Object.entries(HOSTILE_VECTORS))(
      'sends no CONNECT to a host the page names by %s',
      async (_vector, markup) => {
        // The other host is a live onion of the harness: a CONNECT that got through would be answered.
        const other = harness.serve(fixtureSite({ '/': { body: '<p>operator</p>' } }));
        const html = `<!doctype html><html><head>${markup(other)}</head><body><p>Victims</p></body></html>`;
        const host = harness.serve(fixtureSite({ '/': { body: html } }));
        const mark = harness.requests.length;
        // A meta refresh off the mirrors is refused like any redirect: the fetch may fail, the CONNECT must not be sent.
        await fetcher
          .fetch({ url: `http://${host}/`, siteId: 'hostile', allowedHosts: new Set([host]), limits })
          .catch((error: unknown) => expect(error).toBeInstanceOf(PageRejectedError));
        const destinations = new Set(harness.requests.slice(mark).map((record) => record.host));
        expect([...destinations]).toEqual([host]);
      },
    );

    it('gives each browser site its own SOCKS credentials, as the http engine does', async () => {
      const alpha = harness.serve(fixtureSite({ '/': { body: '<p>alpha</p>' } }));
      const beta = harness.serve(fixtureSite({ '/': { body: '<p>beta</p>' } }));
      await fetcher.fetch({
        url: `http://${alpha}/`,
        siteId: 'alpha',
        allowedHosts: new Set([alpha]),
        limits,
      });
      await fetcher.fetch({ url: `http://${beta}/`, siteId: 'beta', allowedHosts: new Set([beta]), limits });
      const usernames = (host: string) =>
        new Set(harness.requests.filter((record) => record.host === host).map((record) => record.username));
      expect([...usernames(alpha)]).toEqual(['leakwatch-alpha']);
      expect([...usernames(beta)]).toEqual(['leakwatch-beta']);
    });

    it('reads a page 200 000 characters wide and keeps a clipped screenshot of it', async () => {
      const word = 'A'.repeat(200_000);
      const host = harness.serve(
        fixtureSite({ '/': { body: `<!doctype html><h1>Victims</h1><p>${word}</p>` } }),
      );
      const page = await fetcher.fetch({
        url: `http://${host}/`,
        siteId: 'wide',
        allowedHosts: new Set([host]),
        limits,
      });
      expect(page.body).toContain(word);
      const png = page.screenshot as Buffer;
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // IHDR: width and height of the image, clipped to the viewport's width and the configured height.
      expect(png.readUInt32BE(16)).toBeLessThanOrEqual(1366);
      expect(png.readUInt32BE(20)).toBeLessThanOrEqual(2000);
      expect(page.warnings).toEqual([]);
    });

    it('turns a screenshot that cannot be taken into a warning, and the page is still read', async () => {
      const hurried = new BrowserFetcher({
        executablePath: CHROMIUM,
        socksUrl: harness.url,
        maxContexts: 1,
        logger: createLogger({ level: 'silent', format: 'json' }),
        screenshotTimeoutMs: 1,
      });
      try {
        const host = harness.serve(fixtureSite({ '/': { body: '<!doctype html><h1>Victims</h1>' } }));
        const page = await hurried.fetch({
          url: `http://${host}/`,
          siteId: 'js',
          allowedHosts: new Set([host]),
          limits,
        });
        expect(page.body).toContain('Victims');
        expect(page.screenshot).toBeUndefined();
        expect(page.warnings).toEqual([expect.stringMatching(/^screenshot failed: /)]);
      } finally {
        await hurried.close();
      }
    });

    it('reports a dead onion as unreachable and a down proxy as tor_unavailable', async () => {
      const dead = harness.serve(fixtureSite(), undefined, { dead: true });
      const deadError = await fetcher
        .fetch({ url: `http://${dead}/`, siteId: 'js', allowedHosts: new Set([dead]), limits })
        .catch((error: unknown) => error);
      expect(deadError).toBeInstanceOf(FetchError);
      expect((deadError as FetchError).failure).toBe('unreachable');

      const host = harness.serve(fixtureSite({ '/': { body: shell } }));
      await harness.setDown(true);
      try {
        const downError = await fetcher
          .fetch({ url: `http://${host}/`, siteId: 'js', allowedHosts: new Set([host]), limits })
          .catch((error: unknown) => error);
        expect((downError as FetchError).failure).toBe('tor_unavailable');
      } finally {
        await harness.setDown(false);
      }
    });

    it("keeps Playwright's disabled features, contacts only the site, and starts no WebUI renderer per page", async () => {
      // Chromium reads only the last --disable-features: ours must include the list Playwright passes by itself.
      const plain = await chromium.launchServer({ executablePath: CHROMIUM });
      let playwrightDefaults: string[];
      try {
        const pid = plain.process().pid as number;
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const switchValue = args.find((arg) => arg.startsWith('--disable-features=')) ?? '';
        playwrightDefaults = switchValue.slice('--disable-features='.length).split(',').filter(Boolean);
      } finally {
        await plain.close();
      }
      expect(playwrightDefaults.length).toBeGreaterThan(0);
      expect(CHROMIUM_DISABLED_FEATURES).toEqual(expect.arrayContaining(playwrightDefaults));

      const host = harness.serve(fixtureSite({ '/': { body: '<!doctype html><p>Victims</p>' } }));
      const mark = harness.requests.length;
      const browser = await chromium.launch(
        chromiumLaunchOptions({ executablePath: CHROMIUM, socksUrl: harness.url }),
      );
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`http://${host}/`, { waitUntil: 'networkidle' });
        const cdp = await browser.newBrowserCDPSession();
        const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{}] });
        // The omnibox popup WebUI (chrome://omnibox-popup.top-chrome/) would be a renderer process per context.
        expect(targetInfos.filter((target) => target.url.startsWith('chrome://'))).toEqual([]);
        // No time queries to Google, no https:// upgrade of the onion: the only destination is the site on port 80.
        const destinations = new Set(
          harness.requests.slice(mark).map((record) => `${record.host}:${record.port}`),
        );
        expect([...destinations]).toEqual([`${host}:80`]);
      } finally {
        await browser.close();
      }
    });
  },
);
