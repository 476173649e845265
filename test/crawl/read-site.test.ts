import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSite } from '../../src/crawl/read-site.ts';
import { BrowserFetcher } from '../../src/fetch/browser-fetcher.ts';
import { DEFAULT_FETCH_LIMITS } from '../../src/fetch/fetch-limits.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { parseListing } from '../../src/parse/selector-parser.ts';
import type { SiteDefinition } from '../../src/parse/site-definition.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import {
  fixtureDefinition,
  makePosts,
  serveLeakSite,
  serveWithDeadMirror,
} from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { skipWithout } from '../support/system-tools.ts';

const limits = {
  ...DEFAULT_FETCH_LIMITS,
  connectTimeoutMs: 30_000,
  firstByteTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
};
let harness: OnionHarness;
let agents: SocksAgentPool;
let browser: BrowserFetcher | undefined;

beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
  if (existsSync('/usr/bin/chromium')) {
    browser = new BrowserFetcher({
      executablePath: '/usr/bin/chromium',
      socksUrl: harness.url,
      maxContexts: 2,
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
  }
});
afterAll(async () => {
  await browser?.close();
  agents.close();
  await harness.stop();
});

describe.each(['http', 'browser'] as const)('readSite on the %s engine', (engine) => {
  it.skipIf(engine === 'browser' && skipWithout(existsSync('/usr/bin/chromium')))(
    'reads all three listing pages through the live mirror after the dead one',
    async () => {
      const posts = makePosts(9);
      const site = serveLeakSite(posts, 3);
      const { live, dead } = serveWithDeadMirror(harness, site);
      const definition = fixtureDefinition(`fixture-${engine}`, [dead, live], engine);
      const reading = await readSite({
        site: definition,
        mirrors: definition.mirrors,
        fetchers: { http: new HttpFetcher(agents), ...(browser ? { browser } : {}) },
        parse: parseListing,
        limits,
        maxPages: 10,
        now: new Date('2026-06-01T00:00:00Z'),
      });
      expect(reading.torAvailable).toBe(true);
      expect(reading.mirrorAttempts.map((attempt) => attempt.ok)).toEqual([false, true]);
      expect(reading.mirror).toBe(`http://${live}/`);
      expect(reading.posts.map((post) => post.title)).toEqual(posts.map((post) => post.title));
      expect(reading.posts.filter((post) => post.status === 'countdown')).toHaveLength(3);
      expect(reading.pages).toHaveLength(3);
      expect(reading.complete).toBe(true);
      if (engine === 'browser')
        expect(reading.pages.every((page) => page.screenshot && page.screenshot.length > 100)).toBe(true);
    },
  );
});

/** A reading through the http engine and the definition's selectors. */
function readOverHttp(definition: SiteDefinition, maxPages: number) {
  const fetchers = { http: new HttpFetcher(agents) };
  return readSite({
    site: definition,
    mirrors: definition.mirrors,
    fetchers,
    parse: parseListing,
    limits,
    maxPages,
    now: new Date(),
  });
}

describe('readSite limits and failures', () => {
  it('stops at the page cap and says the reading is incomplete', async () => {
    const site = serveLeakSite(makePosts(12), 4);
    const host = harness.serve(site);
    const definition = fixtureDefinition('capped', [host]);
    const reading = await readOverHttp(definition, 2);
    expect(reading.pages).toHaveLength(2);
    expect(reading.complete).toBe(false);
  });

  it('reports Tor unavailable without trying further mirrors', async () => {
    const host = harness.serve(serveLeakSite(makePosts(3), 1));
    const definition = fixtureDefinition('tor-down', [host]);
    await harness.setDown(true);
    try {
      const reading = await readOverHttp(definition, 5);
      expect(reading.torAvailable).toBe(false);
      expect(reading.pages).toEqual([]);
    } finally {
      await harness.setDown(false);
    }
  });

  it('records a failing later page as a partial reading and keeps the others', async () => {
    const site = serveLeakSite(makePosts(6), 3);
    site.routes.set('/?page=2', (_request, response) => response.socket?.destroy());
    const host = harness.serve(site);
    const definition = fixtureDefinition('partial', [host]);
    const reading = await readOverHttp(definition, 5);
    expect(reading.pagesFailed).toBe(1);
    expect(reading.complete).toBe(false);
    expect(reading.posts).toHaveLength(4);
  });
});
