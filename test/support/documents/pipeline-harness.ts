import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { DocumentConsumer, DocumentDeps } from '../../../src/documents/deps.ts';
import { processPendingDocuments } from '../../../src/documents/queue.ts';
import { documentSettings } from '../../../src/documents/settings.ts';
import { createOcrEngine } from '../../../src/extract/ocr.ts';
import type { TextRecord } from '../../../src/extract/text-record.ts';
import { deriveKey } from '../../../src/shared/keys.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import type { Db } from '../../../src/store/db.ts';
import { LocalEvidenceStore } from '../../../src/store/evidence-store.ts';
import { upsertPosts } from '../../../src/store/posts.repository.ts';
import { documents, postDocuments } from '../../../src/store/schema/index.ts';
import { upsertSite } from '../../../src/store/sites.repository.ts';
import type { SocksAgentPool } from '../../../src/tor/socks-agent.ts';

/** A consumer that keeps every record, by document id: what matching would have read. */
export function capturingConsumer(): DocumentConsumer & {
  records: Map<number, TextRecord[]>;
  /** The posts each call was given, per document, in order of calls. */
  calls: Map<number, number[][]>;
} {
  const records = new Map<number, TextRecord[]>();
  const calls = new Map<number, number[][]>();
  return {
    records,
    calls,
    async consume(document, stream) {
      const list: TextRecord[] = [];
      for await (const record of stream) list.push(record);
      records.set(document.id, list);
      calls.set(document.id, [
        ...(calls.get(document.id) ?? []),
        document.sources.map((source) => source.postId),
      ]);
    },
  };
}

export interface PipelineHarness {
  deps: DocumentDeps;
  evidenceDir: string;
  consumer: ReturnType<typeof capturingConsumer>;
  now: { value: Date };
  /** Runs queue passes until nothing is left to do now. */
  drain(): Promise<void>;
}

/**
 * Document pipeline deps on a test database: no back-off waits, and timeouts generous enough that a loaded host never
 * cuts a transfer these tests expect to go through (none of them stalls a server).
 */
export function pipelineHarness(
  db: Db,
  agents: SocksAgentPool,
  overrides: Partial<DocumentDeps['settings']> = {},
): PipelineHarness {
  const config = loadConfig({ env: {}, cwd: tmpdir() }).config;
  const defaults = documentSettings(config);
  const evidenceDir = mkdtempSync(join(tmpdir(), 'lw-documents-'));
  const consumer = capturingConsumer();
  const now = { value: new Date() };
  const deps: DocumentDeps = {
    db,
    evidence: new LocalEvidenceStore(evidenceDir, deriveKey('p'.repeat(40), 'evidence-encryption')),
    agents,
    settings: {
      ...defaults,
      download: {
        ...defaults.download,
        connectTimeoutMs: 30_000,
        firstByteTimeoutMs: 30_000,
        idleTimeoutMs: 30_000,
        resumeDelayMs: 0,
      },
      retryBaseMs: 60_000,
      ...overrides,
    },
    ocr: createOcrEngine(),
    consumer,
    logger: createLogger({ level: 'silent', format: 'json' }),
    worker: 'test-worker',
    clock: () => now.value,
  };
  return {
    deps,
    evidenceDir,
    consumer,
    now,
    drain: async () => {
      for (let pass = 0; pass < 20; pass++) {
        const summary = await processPendingDocuments(deps);
        if (summary.errors.length > 0) throw new Error(summary.errors.join('\n'));
        if (summary.downloads.length === 0 && summary.extractions.length === 0) return;
      }
      throw new Error('the document queue did not drain in 20 passes');
    },
  };
}

/** A site with one post linking `urls` (what the crawler records for a post's attachment links). */
export async function seedPost(
  db: Db,
  siteId: string,
  host: string,
  urls: readonly string[],
  title = `Victim of ${siteId}`,
): Promise<number> {
  await upsertSite(db, {
    id: siteId,
    name: siteId,
    groupName: siteId,
    engine: 'http',
    schedule: '0 * * * *',
    definitionSource: 'test',
    mirrors: [`http://${host}/`],
  });
  const [post] = await upsertPosts(db, [
    { siteId, stableKey: `http://${host}/post/1`, title, url: `http://${host}/post/1` },
  ]);
  const postId = post?.post.id as number;
  for (const url of urls) {
    const name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'index');
    const [document] = await db
      .insert(documents)
      .values({ name, status: 'pending' })
      .returning({ id: documents.id });
    await db
      .insert(postDocuments)
      .values({ postId, documentId: document?.id as number, sourceUrl: url, fileName: name });
  }
  return postId;
}
