import { Writable } from 'node:stream';
import type { TextRecord } from '../../src/extract/text-record.ts';
import { createMatchDeps, type MatchDeps } from '../../src/match/match-service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Database, Db } from '../../src/store/db.ts';
import { upsertPost } from '../../src/store/posts.repository.ts';
import { documents, postDocuments } from '../../src/store/schema/index.ts';
import { createSite, uniqueId } from '../store/fixtures.ts';

export const SECRET = 'test-secret-key-material-0123456789abcdef';

/** Matching dependencies whose logs (every level) are kept in `logs()`. */
export function testDeps(database: Database, material = SECRET): { deps: MatchDeps; logs: () => string } {
  let logs = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk;
      done();
    },
  });
  const logger = createLogger({ level: 'trace', format: 'json', destination });
  const deps = createMatchDeps({ database, logger, secretKey: { material, source: 'configuration' } });
  return { deps, logs: () => logs };
}

export async function createPost(
  db: Db,
  input: { title: string; bodyText?: string; website?: string; siteId?: string },
) {
  const siteId = input.siteId ?? (await createSite(db));
  const { post } = await upsertPost(db, {
    siteId,
    stableKey: uniqueId('post'),
    title: input.title,
    bodyText: input.bodyText ?? null,
    website: input.website ?? null,
  });
  return post;
}

/** A stored document linked to a post, as the crawler and the extractor would leave it. */
export async function createDocument(
  db: Db,
  postId: number,
  name: string,
  sha256: string | null = null,
): Promise<number> {
  const [doc] = await db
    .insert(documents)
    .values({ name, sha256, status: 'extracted' })
    .returning({ id: documents.id });
  const id = doc?.id as number;
  await db
    .insert(postDocuments)
    .values({ postId, documentId: id, sourceUrl: `http://x.onion/${uniqueId('f')}/${name}`, fileName: name });
  return id;
}

/** Text records of a CSV dump, as the extractor yields them. */
export async function* csvRecords(
  name: string,
  headers: string[],
  rows: string[][],
): AsyncGenerator<TextRecord> {
  for (const [i, cells] of rows.entries())
    yield { text: cells.join('\t'), cells, headers, location: { document: name, row: i + 2 } };
}

/**
 * Columns that hold captured evidence as crawled (the post, the file as named): not ours to rewrite, so left out of
 * privacy dumps. What leakwatch derives from them (incident titles, match locations, alert payloads) is masked and
 * stays in the dumps.
 */
export const CAPTURED_COLUMNS = [
  'posts.title',
  'posts.body_text',
  'posts.search',
  'documents.name',
  'post_documents.file_name',
  'post_documents.source_url',
] as const;

/**
 * Every row of every table of the public schema as text (bytea also decoded as UTF-8, in case something stored
 * plaintext as bytes). `except` names columns whose content is not ours to judge (crawled post text).
 */
export async function dumpDatabase(database: Database, except: readonly string[] = []): Promise<string> {
  const tables = await database.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await database.query<Record<string, unknown>>(`select * from "${table_name}"`);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (except.includes(`${table_name}.${column}`)) continue;
        const bytes = value instanceof Uint8Array ? Buffer.from(value) : null;
        parts.push(
          `${table_name}.${column}=${bytes ? `${bytes.toString('hex')} ${bytes.toString('utf8')}` : JSON.stringify(value)}`,
        );
      }
    }
  }
  return parts.join('\n');
}

/** Spellings of registered identifiers that must never appear in what leakwatch stores, logs or prints. */
export function plaintextProbes(values: readonly string[]): string[] {
  const probes = new Set<string>();
  for (const value of values) {
    probes.add(value);
    probes.add(value.toLowerCase());
    const compact = value.replace(/[\s.\-/]/g, '');
    if (/^\+?\d{6,}$/.test(compact)) probes.add(compact);
  }
  return [...probes].filter((p) => p.length >= 4);
}

export function leakedProbes(text: string, probes: readonly string[]): string[] {
  const haystack = text.toLowerCase();
  return probes.filter((probe) => haystack.includes(probe.toLowerCase()));
}
