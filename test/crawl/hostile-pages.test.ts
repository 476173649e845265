import { existsSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSite } from '../../src/crawl/crawl-site.ts';
import { BrowserFetcher } from '../../src/fetch/browser-fetcher.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { captures, crawlRuns, posts, sites } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { testCrawlerDeps } from '../support/crawler-deps.ts';
import { fixtureDefinition, listingPage, makePosts, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { skipWithout } from '../support/system-tools.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(skipWithout(existsSync(CHROMIUM)))(
  'a browser-engine crawl of pages that cannot be drawn',
  () => {
    let harness: OnionHarness;
    let agents: SocksAgentPool;
    let browser: BrowserFetcher;
    let test: TestDatabase;
    beforeAll(async () => {
      harness = await startOnionHarness();
      agents = new SocksAgentPool(harness.url, 3000);
      browser = new BrowserFetcher({
        executablePath: CHROMIUM,
        socksUrl: harness.url,
        maxContexts: 2,
        logger: createLogger({ level: 'silent', format: 'json' }),
        // No screenshot can be taken in 1 ms: every capture takes the warning path.
        screenshotTimeoutMs: 1,
      });
      test = await openTestDatabase('pglite');
    });
    afterAll(async () => {
      await browser?.close();
      agents?.close();
      await harness?.stop();
      await test?.close();
    });

    it('keeps the site up and its posts read when a listing holds one 200 000-character word', async () => {
      const listed = makePosts(3);
      const fixture = serveLeakSite(listed, 1);
      const word = 'W'.repeat(200_000);
      const listing = listingPage(listed, 1, 1).replace('</main>', `<p>${word}</p></main>`);
      fixture.routes.set('/', { body: listing });
      const host = harness.serve(fixture);
      const site = fixtureDefinition('wide-word', [host], 'browser');
      const deps = testCrawlerDeps(test.database.db, { http: new HttpFetcher(agents), browser });

      const summary = await crawlSite(deps, site, 'manual');
      expect(summary).toMatchObject({ status: 'succeeded', postsSeen: 3, postsNew: 3 });
      const db = test.database.db;
      const [stored] = await db.select().from(sites).where(eq(sites.id, site.id));
      expect(stored?.health).toBe('up');
      expect(await db.select().from(posts).where(eq(posts.siteId, site.id))).toHaveLength(3);
      // Every page is kept as evidence; none has a screenshot, and the run says why, page by page.
      const kept = await db.select().from(captures).where(eq(captures.siteId, site.id));
      expect(kept).toHaveLength(4);
      expect(kept.every((capture) => capture.screenshotSha256 === null && capture.bodySha256)).toBe(true);
      const [run] = await db.select().from(crawlRuns).where(eq(crawlRuns.siteId, site.id));
      const warnings = (run?.errors ?? []).filter((error) => error.code === 'capture_warning');
      expect(new Set(warnings.map((warning) => warning.url))).toEqual(
        new Set(kept.map((capture) => capture.url)),
      );
      expect(warnings.every((warning) => warning.message.startsWith('screenshot failed: '))).toBe(true);
    });
  },
);
