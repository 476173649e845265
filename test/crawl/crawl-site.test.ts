import { existsSync } from 'node:fs';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlerDeps, crawlSite } from '../../src/crawl/crawl-site.ts';
import { BrowserFetcher } from '../../src/fetch/browser-fetcher.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { captures, crawlRuns, postEvents, posts, siteMirrors, sites } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { testCrawlerDeps } from '../support/crawler-deps.ts';
import {
  fixtureDefinition,
  makePosts,
  publish,
  serveLeakSite,
  serveWithDeadMirror,
} from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { skipWithout } from '../support/system-tools.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const CHROMIUM = '/usr/bin/chromium';
const CASES = [
  { driver: 'postgres', engine: 'http' },
  { driver: 'pglite', engine: 'http' },
  { driver: 'pglite', engine: 'browser' },
] as const;

let harness: OnionHarness;
let agents: SocksAgentPool;
let browser: BrowserFetcher | undefined;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
  if (existsSync(CHROMIUM)) {
    browser = new BrowserFetcher({
      executablePath: CHROMIUM,
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

describe.each(CASES)('crawlSite on $driver with the $engine engine', ({ driver, engine }) => {
  const skip = engine === 'browser' && skipWithout(existsSync(CHROMIUM));
  let test: TestDatabase;
  let deps: CrawlerDeps;
  let evidence: LocalEvidenceStore;
  beforeAll(async () => {
    if (skip) return;
    test = await openTestDatabase(driver);
    deps = testCrawlerDeps(test.database.db, {
      http: new HttpFetcher(agents),
      ...(browser ? { browser } : {}),
    });
    evidence = deps.evidence as LocalEvidenceStore;
  });
  afterAll(() => test?.close());

  it.skipIf(skip)(
    'follows a site through baseline, changes, a disappearing post, drift and Tor going down',
    async () => {
      const db = test.database.db;
      const listed = makePosts(9);
      (listed[0] as { files?: string[] }).files = ['clients.csv'];
      const fixture = serveLeakSite(listed, 3);
      const { live, dead } = serveWithDeadMirror(harness, fixture);
      const site = fixtureDefinition(`fx-${driver}-${engine}`, [dead, live], engine);

      // Run 1: baseline through the live mirror, after the dead one failed.
      const first = await crawlSite(deps, site, 'manual');
      expect(first).toMatchObject({
        status: 'succeeded',
        baseline: true,
        postsSeen: 9,
        postsNew: 9,
        mirror: `http://${live}/`,
      });
      const stored = await db.select().from(posts).where(eq(posts.siteId, site.id)).orderBy(asc(posts.id));
      expect(stored.map((post) => post.title)).toEqual(listed.map((post) => post.title));
      expect(stored.filter((post) => post.status === 'countdown')).toHaveLength(3);
      expect(stored[0]?.bodyText).toContain('victim-1 data');
      const newEvents = await db.select().from(postEvents).where(eq(postEvents.kind, 'new'));
      expect(
        newEvents
          .filter((event) => stored.some((post) => post.id === event.postId))
          .every((event) => event.details.baseline === true),
      ).toBe(true);
      const mirrors = await db
        .select()
        .from(siteMirrors)
        .where(eq(siteMirrors.siteId, site.id))
        .orderBy(asc(siteMirrors.position));
      expect(mirrors.map((mirror) => mirror.consecutiveFailures)).toEqual([1, 0]);
      const pageCaptures = await db.select().from(captures).where(eq(captures.siteId, site.id));
      expect(pageCaptures.filter((capture) => capture.kind === 'listing')).toHaveLength(3);
      expect(pageCaptures.filter((capture) => capture.kind === 'post')).toHaveLength(9);
      expect((await evidence.get(pageCaptures[0]?.bodySha256 as string)).toString()).toContain(
        '<div class="card">',
      );
      if (engine === 'browser') expect(pageCaptures.every((capture) => capture.screenshotSha256)).toBe(true);

      // Run 2: victim-5 disappears, victim-1's countdown ends, victim-10 appears with a file. The live mirror goes first.
      const second = listed
        .filter((post) => post.slug !== 'victim-5')
        .map((post) => (post.slug === 'victim-1' ? { ...post, status: 'published' as const } : post));
      second.push({
        slug: 'victim-10',
        title: 'Azur Analyses Médicales',
        status: 'countdown',
        date: '2026-05-01',
        files: ['patients.zip'],
      });
      publish(fixture, second, 3);
      const before = harness.requests.filter((request) => request.host === dead).length;
      const run2 = await crawlSite(deps, site, 'schedule');
      expect(run2).toMatchObject({ status: 'succeeded', baseline: false, postsNew: 1, postsSeen: 9 });
      expect(harness.requests.filter((request) => request.host === dead).length).toBe(before);
      const events = await db
        .select({ kind: postEvents.kind, title: posts.title, details: postEvents.details })
        .from(postEvents)
        .innerJoin(posts, eq(posts.id, postEvents.postId))
        .where(eq(postEvents.runId, run2.runId as number));
      expect(events).toContainEqual({
        kind: 'new',
        title: 'Azur Analyses Médicales',
        details: { baseline: false },
      });
      expect(events.map((event) => `${event.kind}:${event.title}`)).toContain(
        'countdown_ended:Victim Company 1',
      );
      const gone = (await db.select().from(posts).where(eq(posts.stableKey, 'link:/post/victim-5')))[0];
      expect(gone).toMatchObject({ missingRuns: 1, removedAt: null });

      // Run 3: still missing → removed (removeAfterRuns = 2).
      const run3 = await crawlSite(deps, site, 'schedule');
      expect(run3.postsRemoved).toBe(1);
      expect(
        (await db.select().from(posts).where(eq(posts.stableKey, 'link:/post/victim-5')))[0],
      ).toMatchObject({ status: 'removed' });

      // Run 4: the layout changes: the page loads, nothing parses → layout_broken, nothing marked missing.
      for (const path of ['/', '/?page=1', '/?page=2', '/?page=3']) {
        fixture.routes.set(path, {
          body: '<html><body><section class="victims"><article><h2>Someone</h2></article></section></body></html>',
        });
      }
      const run4 = await crawlSite(deps, site, 'schedule');
      expect(run4.status).toBe('layout_broken');
      const [afterDrift] = await db.select().from(sites).where(eq(sites.id, site.id));
      expect(afterDrift?.health).toBe('layout_broken');
      expect(afterDrift?.nextAttemptAt).not.toBeNull();
      expect(
        (await db.select().from(posts).where(eq(posts.siteId, site.id))).filter(
          (post) => post.missingRuns > 0 && !post.removedAt,
        ),
      ).toHaveLength(0);

      // Run 5: Tor is down: the run says so and the site's health is left alone.
      await harness.setDown(true);
      try {
        const run5 = await crawlSite(deps, site, 'schedule');
        expect(run5.status).toBe('tor_unavailable');
      } finally {
        await harness.setDown(false);
      }
      const [afterTor] = await db.select().from(sites).where(eq(sites.id, site.id));
      expect(afterTor?.health).toBe('layout_broken');
      const runs = await db
        .select({ status: crawlRuns.status })
        .from(crawlRuns)
        .where(eq(crawlRuns.siteId, site.id))
        .orderBy(asc(crawlRuns.id));
      expect(runs.map((run) => run.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'layout_broken',
        'tor_unavailable',
      ]);
    },
  );
});
