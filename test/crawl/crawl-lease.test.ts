import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAbandonedRuns } from '../../src/crawl/abandoned-runs.ts';
import { CrawlLease } from '../../src/crawl/crawl-lease.ts';
import { startRun } from '../../src/store/crawl-runs.repository.ts';
import { crawlRuns, sites } from '../../src/store/schema/index.ts';
import { upsertSite } from '../../src/store/sites.repository.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe.each(DRIVERS)('crawl lease on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    await upsertSite(test.database.db, {
      id: 'azur',
      name: 'Azur',
      groupName: 'g',
      engine: 'http',
      schedule: '0 * * * *',
      definitionSource: 'test',
      mirrors: ['http://a.onion/'],
    });
  });
  afterAll(() => test.close());

  it('is held by one crawl at a time, even two of the same worker, and freed on release', async () => {
    const db = test.database.db;
    const first = await CrawlLease.acquire(db, 'azur', 'worker-1', 60_000);
    expect(first).not.toBeNull();
    expect(await CrawlLease.acquire(db, 'azur', 'worker-1', 60_000)).toBeNull();
    expect(await CrawlLease.acquire(db, 'azur', 'worker-2', 60_000)).toBeNull();
    await first?.release();
    const second = await CrawlLease.acquire(db, 'azur', 'worker-2', 60_000);
    expect(second).not.toBeNull();
    await second?.release();
  });

  it('lapses when its worker dies; the abandoned run is closed and another worker takes the site', async () => {
    const db = test.database.db;
    const dying = await CrawlLease.acquire(db, 'azur', 'worker-1', 60_000);
    const run = await startRun(db, { siteId: 'azur', worker: 'worker-1' });
    expect(await closeAbandonedRuns(db)).toBe(0);
    // The worker is killed: nobody renews the lease, and it runs out.
    await db
      .update(sites)
      .set({ crawlLeaseUntil: sql`now() - interval '1 second'` })
      .where(eq(sites.id, 'azur'));
    expect(await closeAbandonedRuns(db)).toBe(1);
    const [closed] = await db.select().from(crawlRuns).where(eq(crawlRuns.id, run.id));
    expect(closed).toMatchObject({ status: 'failed' });
    expect(closed?.errors.map((error) => error.code)).toContain('worker_died');
    const taker = await CrawlLease.acquire(db, 'azur', 'worker-2', 60_000);
    expect(taker).not.toBeNull();
    await dying?.release(); // a late release by the old owner must not free the new holder's lease
    expect(await CrawlLease.acquire(db, 'azur', 'worker-3', 60_000)).toBeNull();
    await taker?.release();
  });
});
