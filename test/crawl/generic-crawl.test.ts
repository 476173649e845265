import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CrawlerDeps, crawlSite } from '../../src/crawl/crawl-site.ts';
import { crossCheck, readListing } from '../../src/crawl/listing-strategy.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { defineSite } from '../../src/parse/site-definition.ts';
import { documents, postDocuments, posts } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { testCrawlerDeps } from '../support/crawler-deps.ts';
import { makePosts, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';

let harness: OnionHarness;
let agents: SocksAgentPool;
let test: TestDatabase;
let deps: CrawlerDeps;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
  test = await openTestDatabase('pglite');
  deps = testCrawlerDeps(
    test.database.db,
    { http: new HttpFetcher(agents) },
    { parse: readListing, crossCheck, settings: { maxDetailPages: 0, removeAfterRuns: 1 } },
  );
});
afterAll(async () => {
  agents.close();
  await test.close();
  await harness.stop();
});

describe('the generic extractor in crawls', () => {
  it('reads a site whose definition gives only its URL', async () => {
    const host = harness.serve(serveLeakSite(makePosts(8), 1));
    const site = defineSite({
      id: 'url-only',
      name: 'URL only',
      group: 'unknown',
      mirrors: [`http://${host}/`],
      listing: {},
    });
    const summary = await crawlSite(deps, site, 'manual');
    expect(summary).toMatchObject({ status: 'succeeded', postsSeen: 8 });
    const stored = await test.database.db
      .select({ title: posts.title })
      .from(posts)
      .where(eq(posts.siteId, 'url-only'));
    expect(stored.map((post) => post.title).sort()).toEqual(
      makePosts(8)
        .map((post) => post.title)
        .sort(),
    );
  });

  it('reads a URL-only YAML definition as documented, post pages and their files included', async () => {
    const withFiles = makePosts(4, 'lab').map((post, i) => ({ ...post, files: [`dump-${i + 1}.csv`] }));
    const host = harness.serve(serveLeakSite(withFiles, 1));
    // What the README says a definition may be: id, name, group and mirrors, nothing else.
    const site = defineSite(
      parseYaml(`id: url-only-yaml\nname: URL only\ngroup: unknown\nmirrors: [http://${host}/]\n`),
      'sites/url-only-yaml.yaml',
    );
    const reading = testCrawlerDeps(
      test.database.db,
      { http: new HttpFetcher(agents) },
      { parse: readListing, crossCheck, settings: { maxDetailPages: 10, removeAfterRuns: 1 } },
    );
    const summary = await crawlSite(reading, site, 'manual');
    expect(summary).toMatchObject({ status: 'succeeded', postsSeen: 4 });
    const files = await test.database.db
      .select({ name: documents.name })
      .from(documents)
      .innerJoin(postDocuments, eq(postDocuments.documentId, documents.id))
      .innerJoin(posts, eq(posts.id, postDocuments.postId))
      .where(eq(posts.siteId, 'url-only-yaml'));
    expect(files.map((file) => file.name).sort()).toEqual([
      'dump-1.csv',
      'dump-2.csv',
      'dump-3.csv',
      'dump-4.csv',
    ]);
  });

  it('flags a defined site for review when its selectors read another block than the extractor sees', async () => {
    const fixture = serveLeakSite(makePosts(10), 1);
    const host = harness.serve(fixture);
    const site = defineSite({
      id: 'drifting',
      name: 'Drifting',
      group: 'drifting',
      mirrors: [`http://${host}/`],
      listing: { posts: 'div.card', fields: { title: 'h3.title' } },
    });
    expect((await crawlSite(deps, site, 'manual')).review).toBeUndefined();

    // The site now shows a "featured" strip that the old selectors happen to match, and lists posts differently.
    const page = `<html><body><div class="card"><h3 class="title">Featured: our rules</h3></div>
      <div class="card"><h3 class="title">Featured: contact us</h3></div><main>${makePosts(10)
        .map(
          (post) =>
            `<article class="entry"><h2><a href="/post/${post.slug}">${post.title}</a></h2><time>${post.date}</time><p>Data of ${post.slug} leaked.</p></article>`,
        )
        .join('')}</main></body></html>`;
    fixture.routes.set('/', { body: page });
    const flagged = await crawlSite(deps, site, 'manual');
    expect(flagged.review).toMatch(/definition read 2 posts where the generic extractor sees 10/);
    expect(flagged.errors.map((error) => error.code)).toContain('drift_suspected');
    // Nothing was declared removed on that suspect view, although removeAfterRuns is 1.
    const removed = await test.database.db.select().from(posts).where(eq(posts.status, 'removed'));
    expect(removed.filter((post) => post.siteId === 'drifting')).toEqual([]);
  });
});
