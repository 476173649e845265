import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSite } from '../../src/crawl/crawl-site.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { crawlRuns, posts, sites } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { testCrawlerDeps } from '../support/crawler-deps.ts';
import { fixtureDefinition, makePosts, postPage, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';

let harness: OnionHarness;
let agents: SocksAgentPool;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 3000);
});
afterAll(async () => {
  agents.close();
  await harness.stop();
});

describe.each(['pglite', 'postgres'] as const)('a run that loses Tor after the listing on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test?.close());

  it('is recorded partial with the reason, and the site health says what was lost', async () => {
    const db = test.database.db;
    const deps = testCrawlerDeps(db, { http: new HttpFetcher(agents) });
    const listed = makePosts(8);
    const fixture = serveLeakSite(listed, 1);
    // Tor dies while the second post page is asked for: its connection drops and every later CONNECT is refused.
    fixture.routes.set('/post/victim-2', () => void harness.setDown(true));
    const host = harness.serve(fixture);
    const site = fixtureDefinition(`tor-lost-${driver}`, [host]);

    let run: Awaited<ReturnType<typeof crawlSite>>;
    try {
      run = await crawlSite(deps, site, 'manual');
    } finally {
      await harness.setDown(false);
    }
    expect(run.status).toBe('partial');
    expect(run.detail).toContain('7 of 8 post pages failed');
    expect(run.detail).toContain('Tor SOCKS proxy became unavailable');
    const [row] = await db
      .select()
      .from(crawlRuns)
      .where(eq(crawlRuns.id, run.runId as number));
    expect(row?.status).toBe('partial');
    const [health] = await db.select().from(sites).where(eq(sites.id, site.id));
    expect(health?.health).toBe('up');
    expect(health?.healthDetail).toContain('7 of 8 post pages failed');
    const stored = await db.select().from(posts).where(eq(posts.siteId, site.id));
    expect(stored.filter((post) => post.bodyText !== null).map((post) => post.title)).toEqual([
      'Victim Company 1',
    ]);

    // Tor back: the next run reads the seven pages it lost and succeeds.
    fixture.routes.set('/post/victim-2', { body: postPage(listed[1] as (typeof listed)[number]) });
    const next = await crawlSite(deps, site, 'schedule');
    expect(next.status).toBe('succeeded');
    expect(
      (await db.select().from(posts).where(eq(posts.siteId, site.id))).every(
        (post) => post.bodyText !== null,
      ),
    ).toBe(true);
    const [after] = await db.select().from(sites).where(eq(sites.id, site.id));
    expect(after?.healthDetail).not.toContain('post pages failed');
  });
});
