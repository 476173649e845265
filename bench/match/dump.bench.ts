/**
 * match.dump_17k_s: a 17 000-line credential dump (`email:password`, 15 000 of the addresses registered) matched end
 * to end against a 40 000-entry registry on the embedded database (PGlite on disk, the default store): loading the
 * registry from the database, reading the lines, detecting credentials, hashing, looking up, writing the match record
 * (verdict, counts, masked samples) and its incident in one transaction. "Cold" is a fresh process state (the
 * registry and terms are loaded from the database first); "warm" is a worker that has already loaded them. The same
 * on PostgreSQL, side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TextRecord } from '../../src/extract/text-record.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { createMatchDeps, matchDocument } from '../../src/match/match-service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { upsertPost } from '../../src/store/posts.repository.ts';
import { documents, postDocuments } from '../../src/store/schema/index.ts';
import { upsertSite } from '../../src/store/sites.repository.ts';
import { createScratchPostgres } from '../../test/support/test-database.ts';
import type { Benchmark } from '../registry.ts';
import { person } from './people.ts';

const REGISTRY = 40_000;
const LINES = 17_000;
const REGISTERED = 15_000;
const SECRET = 'dump-benchmark-key-material-0123456789abcdef';

function* dumpLines(offset: number): Generator<TextRecord> {
  for (let i = 0; i < LINES; i++) {
    const p = i < REGISTERED ? person((i * 7 + offset) % REGISTRY) : person(REGISTRY + offset + i);
    const email = i % 3 === 0 ? p.email.toUpperCase() : p.email;
    yield {
      text: `${email}:${p.last}${i % 1000}!${p.first.slice(0, 2)}`,
      location: { document: 'combo.txt', line: i + 1 },
    };
  }
}

async function document(
  database: Database,
  siteId: string,
  n: number,
): Promise<{ postId: number; documentId: number }> {
  const { db } = database;
  const { post } = await upsertPost(db, { siteId, stableKey: `dump-${n}`, title: `Customer database ${n}` });
  const [doc] = await db
    .insert(documents)
    .values({ name: `combo-${n}.txt`, sha256: `${n}`.padStart(64, '0'), status: 'extracted' })
    .returning({ id: documents.id });
  const documentId = doc?.id as number;
  await db.insert(postDocuments).values({
    postId: post.id,
    documentId,
    sourceUrl: `http://x.onion/combo-${n}.txt`,
    fileName: `combo-${n}.txt`,
  });
  return { postId: post.id, documentId };
}

async function measure(database: Database): Promise<Record<string, number>> {
  await migrateDatabase(database);
  const ctx = {
    database,
    logger: createLogger({ level: 'silent', format: 'json' }),
    secretKey: { material: SECRET, source: 'configuration' as const },
  };
  const setup = createMatchDeps(ctx);
  const org = await createOrganisation(database.db, {
    slug: 'bench-lab',
    name: 'Laboratoire Bench',
    terms: [{ kind: 'phrase', pattern: 'Laboratoire Bench' }],
  });
  const rows = Array.from({ length: REGISTRY }, (_, i) => person(i).email);
  const imported = performance.now();
  await importIdentifiers(database.db, setup.hasher, {
    orgId: org.id,
    fileName: 'clients.csv',
    input: Readable.from([`email\n${rows.join('\n')}\n`]),
  });
  const importSeconds = (performance.now() - imported) / 1000;
  const { site } = await upsertSite(database.db, {
    id: 'bench-site',
    name: 'Bench',
    groupName: 'Bench',
    engine: 'http',
    schedule: '0 * * * *',
    definitionSource: 'bench',
    mirrors: [`http://${'b'.repeat(56)}.onion/`],
  });

  const runs: Record<string, number> = { import_40k_s: importSeconds };
  const deps = createMatchDeps(ctx); // a fresh worker: registry and terms not loaded yet
  for (const [name, n] of [
    ['cold', 1],
    ['warm', 2],
  ] as const) {
    const target = await document(database, site.id, n);
    const started = performance.now();
    const outcome = await matchDocument(deps, { ...target, records: dumpLines(n * 3) });
    runs[`${name}_s`] = (performance.now() - started) / 1000;
    const verdict = outcome.changes[0]?.match.verdict;
    if (verdict?.recordsMatched !== REGISTERED || verdict.recordsTotal !== LINES) {
      throw new Error(`unexpected verdict ${JSON.stringify(verdict)}`);
    }
  }
  return runs;
}

export const dumpBench: Benchmark = {
  name: 'match.dump_17k_s',
  unit: 's',
  goal: '< 0.5 s: a 17 000-line credential dump against a 40 000-entry registry, end to end',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'lw-bench-dump-'));
    const pglite = await openDatabase({ url: null, dataDir: dir });
    let onPglite: Record<string, number>;
    try {
      onPglite = await measure(pglite);
    } finally {
      await pglite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const scratch = await createScratchPostgres('lw_bench');
    const postgres = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 4 });
    let onPostgres: Record<string, number>;
    try {
      onPostgres = await measure(postgres);
    } finally {
      await postgres.close();
      await scratch.drop();
    }
    return {
      value: onPglite.cold_s as number,
      detail: {
        lines: LINES,
        registered_lines: REGISTERED,
        registry: REGISTRY,
        pglite: onPglite,
        postgres: onPostgres,
      },
    };
  },
};
