/**
 * documents.retentionDays applied by the maintenance job: a raw posted file extracted longer ago than the retention is
 * deleted from the evidence store (the document row, its counts and matches stay, and say so); a recent one stays —
 * through the job's handler, and in a real `leakwatch start` process on its maintenance schedule.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { countingConsumer } from '../../src/documents/deps.ts';
import { createDocumentPipeline, type DocumentPipeline } from '../../src/documents/pipeline.ts';
import { maintenanceHandler } from '../../src/schedule/maintenance.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openDatabase } from '../../src/store/db.ts';
import { getDocument } from '../../src/store/documents.repository.ts';
import { openEvidenceStore } from '../../src/store/evidence-store.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { documents } from '../../src/store/schema/index.ts';
import { freePort, type RunningCli, startCli } from '../support/cli.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const DAY = 86_400_000;

describe.each(DRIVERS)('raw file retention on %s', (driver) => {
  let test: TestDatabase;
  let pipeline: DocumentPipeline;
  let ctx: AppContext;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    const config = loadConfig({
      env: {
        LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-retention-')),
        LEAKWATCH_DOCUMENTS_RETENTION_DAYS: '30',
      },
      cwd: tmpdir(),
    }).config;
    ctx = {
      config,
      sources: {} as AppContext['sources'],
      logger: createLogger({ level: 'silent', format: 'json' }),
      database: test.database,
      secretKey: { material: 'retention-secret-key-0123456789abcdefghij', source: 'configuration' },
      close: async () => undefined,
    };
    pipeline = createDocumentPipeline(ctx, { consumer: countingConsumer() });
  });
  afterAll(async () => {
    pipeline?.close();
    await test?.close();
  });

  async function storedDocument(name: string, content: string, extractedDaysAgo: number): Promise<number> {
    const { sha256 } = await pipeline.deps.evidence.put(Buffer.from(content));
    const [row] = await test.database.db
      .insert(documents)
      .values({
        name,
        sha256,
        storageKey: `sha256:${sha256}`,
        status: 'extracted',
        counts: { rows: 2 },
        extractedAt: new Date(Date.now() - extractedDaysAgo * DAY),
      })
      .returning({ id: documents.id });
    return row?.id as number;
  }

  it('the maintenance job deletes raw files past documents.retentionDays and keeps recent ones', async () => {
    expect(pipeline.deps.settings.retentionDays).toBe(30);
    const expired = await storedDocument('old-dump.csv', 'email\nold@example.fr\n', 31);
    const fresh = await storedDocument('new-dump.csv', 'email\nnew@example.fr\n', 29);
    const handle = maintenanceHandler(test.database, ctx.logger, {
      pruneRawFiles: () => pipeline.pruneRawFiles(),
    });
    await handle({
      id: 'job-1',
      data: { schedule: 'maintenance', tick: new Date().toISOString() },
      retryCount: 0,
    });

    const old = await getDocument(test.database.db, expired);
    expect(old).toMatchObject({ status: 'extracted', storageKey: null, counts: { rows: 2 } });
    expect(old?.rawDeletedAt).toBeInstanceOf(Date);
    expect(await pipeline.deps.evidence.has(old?.sha256 as string)).toBe(false);

    const recent = await getDocument(test.database.db, fresh);
    expect(recent).toMatchObject({ rawDeletedAt: null, storageKey: `sha256:${recent?.sha256}` });
    expect((await pipeline.deps.evidence.get(recent?.sha256 as string)).toString()).toBe(
      'email\nnew@example.fr\n',
    );

    // A second run finds nothing more to delete.
    await handle({
      id: 'job-2',
      data: { schedule: 'maintenance', tick: new Date().toISOString() },
      retryCount: 0,
    });
    expect(await pipeline.pruneRawFiles()).toBe(0);
    const [again] = await test.database.db.select().from(documents).where(eq(documents.id, expired));
    expect(again?.rawDeletedAt?.getTime()).toBe(old?.rawDeletedAt?.getTime());
  });
});

describe('raw file retention in a running leakwatch', () => {
  let running: RunningCli | undefined;
  afterAll(async () => {
    await running?.stop('SIGKILL');
  });

  it('`leakwatch start` deletes an expired raw file on its maintenance schedule and keeps a fresh one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-retention-start-'));
    const secret = 'retention-start-secret-0123456789abcdefghij';
    const evidence = openEvidenceStore(dataDir, secret);
    const seed = await openDatabase({ url: null, dataDir });
    let expired: { id: number; sha256: string };
    let fresh: { id: number; sha256: string };
    try {
      await migrateDatabase(seed);
      const insert = async (content: string, daysAgo: number) => {
        const { sha256 } = await evidence.put(Buffer.from(content));
        const [row] = await seed.db
          .insert(documents)
          .values({
            name: `${daysAgo}.csv`,
            sha256,
            storageKey: `sha256:${sha256}`,
            status: 'extracted',
            extractedAt: new Date(Date.now() - daysAgo * DAY),
          })
          .returning({ id: documents.id });
        return { id: row?.id as number, sha256 };
      };
      expired = await insert('email\nexpired@example.fr\n', 10);
      fresh = await insert('email\nfresh@example.fr\n', 1);
    } finally {
      await seed.close();
    }
    running = startCli(['start'], {
      env: {
        LEAKWATCH_DATA_DIR: dataDir,
        LEAKWATCH_SECRET_KEY: secret,
        LEAKWATCH_PORT: String(await freePort()),
        LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
        LEAKWATCH_MAINTENANCE_CRON: '* * * * * *',
        LEAKWATCH_DOCUMENTS_RETENTION_DAYS: '7',
        LEAKWATCH_WORKER_POLL_INTERVAL: '0.5',
      },
    });
    await waitFor(
      'the maintenance job to apply the retention',
      () => running?.output().includes('raw posted files deleted (retention)'),
      { timeoutMs: 180_000 },
    );
    expect(await running.stop('SIGTERM')).toBe(0);

    expect(await evidence.has(expired.sha256)).toBe(false);
    expect(await evidence.has(fresh.sha256)).toBe(true);
    const check = await openDatabase({ url: null, dataDir });
    try {
      const old = await getDocument(check.db, expired.id);
      expect(old?.rawDeletedAt).toBeInstanceOf(Date);
      expect(old?.storageKey).toBeNull();
      expect(await getDocument(check.db, fresh.id)).toMatchObject({ rawDeletedAt: null });
    } finally {
      await check.close();
    }
  });
});
