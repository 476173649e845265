/**
 * documents.retentionDays applied by the maintenance job: a raw posted file extracted longer ago than the retention is
 * deleted from the evidence store (the document row, its counts and matches stay, and say so); a recent one stays.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createDocumentPipeline, type DocumentPipeline } from '../../src/documents/pipeline.ts';
import { maintenanceHandler } from '../../src/schedule/maintenance.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { getDocument } from '../../src/store/documents.repository.ts';
import { documents } from '../../src/store/schema/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

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
    pipeline = createDocumentPipeline(ctx);
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
