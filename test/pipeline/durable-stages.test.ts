/**
 * Each stage after a crawl leaves durable work for the next in the database: a post or a file whose matching failed
 * stays queued and a later pass matches it; files an older version read without matching them (and posts it never
 * matched) are matched once after the upgrade. Real crawler, matcher, outbox, onion harness, both drivers.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.ts';
import { createCrawler } from '../../src/app/crawler.ts';
import { createLeakPipeline } from '../../src/app/leak-pipeline.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { countingConsumer } from '../../src/documents/deps.ts';
import { createDocumentPipeline } from '../../src/documents/pipeline.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { type Database, type DriverName, openDatabase } from '../../src/store/db.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/store/migrate.ts';
import { claimPostMatches } from '../../src/store/post-match-queue.repository.ts';
import { documents, postMatchQueue } from '../../src/store/schema/index.ts';
import { seedPost } from '../support/documents/pipeline-harness.ts';
import { findingsOf, LAB_NAME, registerLab, SCENARIO_KEY, serveLabLeak } from '../support/leak-scenario.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { createScratchPostgres, DRIVERS, openTestDatabase } from '../support/test-database.ts';

let harness: OnionHarness;
beforeAll(async () => {
  harness = await startOnionHarness();
});
afterAll(() => harness.stop());

function contextOf(database: Database, sitesDir: string): AppContext {
  const config = loadConfig({
    env: {
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-durable-')),
      LEAKWATCH_TOR_SOCKS: harness.url,
      LEAKWATCH_SITES_DIR: sitesDir,
    },
    cwd: tmpdir(),
  }).config;
  return {
    config,
    sources: {} as AppContext['sources'],
    logger: createLogger({ level: 'silent', format: 'json' }),
    database,
    secretKey: { material: SCENARIO_KEY, source: 'configuration' },
    close: async () => undefined,
  };
}

/** Columns of migrations after the queue's (0010_extract_attempts) that the document code reads. */
const LATER_COLUMNS = {
  add: 'alter table documents add column extract_attempts integer not null default 0',
  drop: 'alter table documents drop column extract_attempts',
};

/** The migrations an older version shipped: everything before the post matching queue. */
function migrationsBeforeQueue(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lw-old-migrations-'));
  mkdirSync(join(folder, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((entry: { idx: number }) => entry.idx <= 8);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const entry of journal.entries as Array<{ tag: string }>)
    copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  return folder;
}

async function openUnmigrated(
  driver: DriverName,
): Promise<{ database: Database; close: () => Promise<void> }> {
  if (driver === 'pglite') {
    const database = await openDatabase({ url: null, dataDir: 'memory://' });
    return { database, close: () => database.close() };
  }
  const scratch = await createScratchPostgres();
  const database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 4 });
  return {
    database,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

describe.each(DRIVERS)('durable pipeline stages, on %s', (driver) => {
  it('a failed match leaves the post and the file queued with the error; a later pass matches them', {
    timeout: 180_000,
  }, async () => {
    const test = await openTestDatabase(driver);
    const { sitesDir } = serveLabLeak(harness);
    const ctx = contextOf(test.database, sitesDir);
    const db = test.database.db;
    const now = { value: new Date() };
    const crawler = createCrawler(ctx);
    const pipeline = createLeakPipeline(ctx, { clock: () => now.value });
    try {
      const orgId = await registerLab(db);
      // The database refuses every match record: matching fails after the analysis, as a lost connection would.
      await test.database.query(
        `create function lw_refuse_match() returns trigger language plpgsql as $$
         begin raise exception 'injected match failure'; end $$`,
      );
      await test.database.query(
        'create trigger lw_refuse_match before insert on matches for each row execute function lw_refuse_match()',
      );
      const crawl = await crawler.crawl('locker', 'manual');
      expect(crawl).toMatchObject({ status: 'succeeded', postsNew: 2 });

      const failed = await pipeline.runToCompletion();
      expect(failed.postFailures).toHaveLength(1);
      expect(failed.postFailures[0]?.error).toContain('injected match failure');
      expect(failed.documents.extractions).toEqual([
        expect.objectContaining({
          status: 'retry',
          error: expect.stringContaining('injected match failure'),
        }),
      ]);
      const queued = await db.select().from(postMatchQueue);
      expect(queued).toEqual([
        expect.objectContaining({ attempts: 1, error: expect.stringContaining('injected match failure') }),
      ]);
      const [file] = await db.select().from(documents);
      expect(file).toMatchObject({ status: 'stored', error: expect.stringContaining('matching failed') });
      expect(await findingsOf(db, orgId)).toMatchObject({ postMatches: [], fileMatches: [], alerts: [] });

      // The cause is gone; once their retry is due, the next pass (the worker's, or any one-shot command) takes them.
      await test.database.query('drop trigger lw_refuse_match on matches');
      const early = await pipeline.runToCompletion();
      expect(early.postsMatched + early.documents.extractions.length).toBe(0);
      now.value = new Date(now.value.getTime() + 3 * 3600_000);
      const retried = await pipeline.runToCompletion();
      expect(retried.postFailures).toEqual([]);
      expect(await db.select().from(postMatchQueue)).toEqual([]);
      const findings = await findingsOf(db, orgId);
      expect(findings.postMatches).toHaveLength(1);
      expect(findings.fileMatches).toEqual([
        expect.objectContaining({ identifierCounts: { email: 3 }, severity: 'high' }),
      ]);
      expect(findings.alerts.length).toBeGreaterThanOrEqual(2);
      const [after] = await db.select().from(documents);
      expect(after).toMatchObject({ status: 'extracted', error: null });
    } finally {
      pipeline.close();
      await crawler.close();
      await test.close();
    }
  });

  it('files read and posts recorded by an older version without matching are matched once after the upgrade', {
    timeout: 180_000,
  }, async () => {
    const old = await openUnmigrated(driver);
    const { host, sitesDir } = serveLabLeak(harness);
    const ctx = contextOf(old.database, sitesDir);
    const db = old.database.db;
    try {
      await migrateDatabase(old.database, migrationsBeforeQueue());
      // Today's document code stands in for the older version: it needs the columns that migrations after the queue
      // add, which are taken away again before the upgrade applies them.
      await old.database.exec(LATER_COLUMNS.add);
      const orgId = await registerLab(db);
      // As the older `crawl` and `documents process` left them: the post recorded, its file read by the counting
      // consumer and marked extracted, nothing matched.
      await seedPost(
        db,
        'locker',
        host,
        [`http://${host}/files/clients.csv`],
        `${LAB_NAME} — 40 000 patients`,
      );
      const before = createDocumentPipeline(ctx, { consumer: countingConsumer() });
      try {
        const pass = await before.processPending();
        expect(pass.extractions).toEqual([expect.objectContaining({ status: 'extracted' })]);
      } finally {
        before.close();
      }
      expect(await findingsOf(db, orgId)).toMatchObject({ postMatches: [], fileMatches: [], alerts: [] });

      // The upgrade: `start` or any command migrates, and the pipeline's next pass matches what was left.
      await old.database.exec(LATER_COLUMNS.drop);
      await migrateDatabase(old.database);
      const pipeline = createLeakPipeline(ctx);
      try {
        const run = await pipeline.runToCompletion();
        expect(run.postsMatched).toBe(1);
        expect(run.documents.extractions).toEqual([expect.objectContaining({ status: 'extracted' })]);
        const findings = await findingsOf(db, orgId);
        expect(findings.postMatches).toHaveLength(1);
        expect(findings.fileMatches).toEqual([
          expect.objectContaining({ identifierCounts: { email: 3 }, severity: 'high' }),
        ]);
        expect(findings.alerts.length).toBeGreaterThanOrEqual(2);
        const [file] = await db.select().from(documents).where(eq(documents.name, 'clients.csv'));
        expect(file?.status).toBe('extracted');

        // Once: the next pass finds nothing left.
        const again = await pipeline.runToCompletion();
        expect(again.postsMatched + again.documents.extractions.length + again.alerts.length).toBe(0);
      } finally {
        pipeline.close();
      }
    } finally {
      await old.close();
    }
  });

  it('posts claimed by a worker that died are matched once its lease runs out', {
    timeout: 180_000,
  }, async () => {
    const test = await openTestDatabase(driver);
    const { sitesDir } = serveLabLeak(harness);
    const ctx = contextOf(test.database, sitesDir);
    const db = test.database.db;
    const now = { value: new Date() };
    const crawler = createCrawler(ctx);
    const pipeline = createLeakPipeline(ctx, { clock: () => now.value });
    try {
      const orgId = await registerLab(db);
      await crawler.crawl('locker', 'manual');
      // A worker took the posts, then died before recording anything.
      const taken = await claimPostMatches(db, {
        worker: 'dead:1',
        leaseMs: 60_000,
        limit: 10,
        now: now.value,
      });
      expect(taken).toHaveLength(2);
      const meanwhile = await pipeline.matchPosts();
      expect(meanwhile.outcomes).toEqual([]);
      expect((await findingsOf(db, orgId)).postMatches).toEqual([]);

      now.value = new Date(now.value.getTime() + 61_000);
      const resumed = await pipeline.matchPosts();
      expect(resumed.outcomes.map((outcome) => outcome.postId).sort()).toEqual(
        taken.map((claim) => claim.postId).sort(),
      );
      expect((await findingsOf(db, orgId)).postMatches).toHaveLength(1);
      expect(await db.select().from(postMatchQueue)).toEqual([]);
    } finally {
      pipeline.close();
      await crawler.close();
      await test.close();
    }
  });
});
