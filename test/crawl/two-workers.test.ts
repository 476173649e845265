/**
 * The crawling issue's scale-out test: two `leakwatch worker` processes on one PostgreSQL crawl 50 sites. Every
 * site's job is enqueued twice, so both workers race for the same sites; the crawl lease must keep each site to one
 * run at a time, and no site may be left uncrawled.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { crawlSiteJob } from '../../src/queue/jobs.ts';
import { type Queue, startQueue } from '../../src/queue/queue.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { crawlRuns } from '../../src/store/schema/index.ts';
import { type RunningCli, startCli } from '../support/cli.ts';
import { makePosts, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const SITES = 50;

describe('two worker processes on one PostgreSQL', () => {
  let harness: OnionHarness;
  let scratch: ScratchPostgres;
  let database: Database;
  let queue: Queue;
  const workers: RunningCli[] = [];

  beforeAll(async () => {
    harness = await startOnionHarness();
    scratch = await createScratchPostgres('lw_workers');
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 2 });
    await migrateDatabase(database);
    queue = await startQueue(database, createLogger({ level: 'silent', format: 'json' }));
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await queue?.stop();
    await database?.close();
    await scratch?.drop();
    await harness?.stop();
  });

  it('crawl 50 sites, none twice at once and none skipped', async () => {
    const sitesDir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    for (let i = 0; i < SITES; i++) {
      // A little circuit latency so that crawls overlap in time across the two workers.
      const host = harness.serve(serveLeakSite(makePosts(4, `site${i}`), 2), undefined, {
        latencyMs: 100 + (i % 5) * 60,
      });
      writeFileSync(
        join(sitesDir, `site-${i}.yaml`),
        stringify({
          id: `site-${i}`,
          name: `Site ${i}`,
          group: `group-${i}`,
          mirrors: [`http://${host}/`],
          listing: {
            posts: 'div.card',
            fields: { title: 'h3.title' },
            pagination: { links: 'nav.pages a.page' },
          },
        }),
      );
    }
    const env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_SECRET_KEY: 'workers-test-key-0123456789-0123456789',
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-data-')),
      LEAKWATCH_SITES_DIR: sitesDir,
      LEAKWATCH_TOR_SOCKS: harness.url,
      LEAKWATCH_CRAWL_CONCURRENCY: '4',
      LEAKWATCH_WORKER_POLL_INTERVAL: '0.5',
    };
    workers.push(startCli(['worker'], { env }), startCli(['worker'], { env }));
    // Both polling before the first job exists: a worker that started late on a loaded host could otherwise find
    // every job taken, and "both workers crawled" would measure startup times rather than the lease.
    for (const worker of workers)
      await waitFor(
        'both workers started',
        () => {
          if (worker.child.exitCode !== null) throw new Error(`a worker exited:\n${worker.output()}`);
          return worker.output().includes('leakwatch started');
        },
        { timeoutMs: 120_000 },
      );
    const tick = new Date().toISOString();
    // Each site's two jobs back to back: the workers fetch them together and race for the same site.
    for (let i = 0; i < SITES; i++) {
      for (let round = 0; round < 2; round++) {
        await queue.send(crawlSiteJob, { siteId: `site-${i}`, schedule: `test-${round}`, tick });
      }
    }

    await waitFor(
      'every site crawled and the queue drained',
      async () => {
        const finished = await database.db.select({ siteId: crawlRuns.siteId }).from(crawlRuns);
        const pending = await database.query<{ n: string }>(
          "select count(*) as n from pgboss.job where name = 'crawl.site' and state in ('created', 'retry', 'active')",
        );
        return new Set(finished.map((run) => run.siteId)).size === SITES && Number(pending[0]?.n) === 0;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    for (const worker of workers) expect(worker.child.exitCode, worker.output()).toBeNull();

    const runs = await database.db.select().from(crawlRuns);
    expect(await database.db.select().from(crawlRuns).where(isNull(crawlRuns.finishedAt))).toEqual([]);
    expect(new Set(runs.map((run) => run.siteId)).size).toBe(SITES);
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    const workersSeen = new Set(runs.map((run) => run.worker));
    expect(workersSeen.size).toBe(2);
    for (let i = 0; i < SITES; i++) {
      const ofSite = runs
        .filter((run) => run.siteId === `site-${i}`)
        .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      for (let j = 1; j < ofSite.length; j++) {
        const previous = ofSite[j - 1];
        expect(previous?.finishedAt?.getTime(), `site-${i}: runs overlap`).toBeLessThanOrEqual(
          ofSite[j]?.startedAt.getTime() ?? 0,
        );
      }
    }
    const firstSite = await database.db.select().from(crawlRuns).where(eq(crawlRuns.siteId, 'site-0'));
    expect(firstSite[0]?.postsSeen).toBe(4);
  }, 600_000);
});
