/**
 * db.insert_rows_s: posts written per second through the posts repository (drizzle, the generated search vector, the
 * unique and foreign keys, the GIN index), on embedded PGlite persisted to a directory and on the machine's
 * PostgreSQL (a scratch database created and dropped here), side by side in one run.
 *
 * Variants: bulk insert in batches (a first crawl or an import), one row per statement (the worst case), and a
 * re-observation of every post through upsertPosts (a steady-state crawl: all posts already known, unchanged).
 */
import type { Database, DriverName } from '../../src/store/db.ts';
import { countPosts, insertPosts, type PostInput, upsertPosts } from '../../src/store/posts.repository.ts';
import { upsertSite } from '../../src/store/sites.repository.ts';
import type { Benchmark } from '../registry.ts';
import { withBenchDatabase } from '../support/bench-database.ts';
import { wordSource } from '../support/words.ts';

const BATCH_ROWS = 20_000;
const BATCH_SIZE = 500;
const SINGLE_ROWS = 1_000;
const UPSERT_ROWS = 5_000;
const SITE_ID = 'bench-site';

/** Deterministic posts shaped like real ones: a title, a few hundred characters of mixed-language body. */
function makePosts(count: number, prefix: string): PostInput[] {
  const { next, words } = wordSource(42);
  return Array.from({ length: count }, (_, i) => ({
    siteId: SITE_ID,
    stableKey: `${prefix}-${i}`,
    url: `http://${'b'.repeat(56)}.onion/post/${prefix}-${i}`,
    title: `${words(3)} ${i}`,
    bodyText: words(60 + (next() % 60)),
    website: `victim${i}.example`,
    sizeText: `${1 + (next() % 900)} GB`,
    status: 'published',
    publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
  }));
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

interface DriverFigures {
  batch_rows_s: number;
  single_rows_s: number;
  upsert_unchanged_rows_s: number;
  server: string;
}

async function measure(database: Database): Promise<DriverFigures> {
  const { db } = database;
  await upsertSite(db, {
    id: SITE_ID,
    name: 'Bench',
    groupName: 'Bench',
    engine: 'http',
    schedule: '0 * * * *',
    definitionSource: 'bench',
    mirrors: [`http://${'b'.repeat(56)}.onion/`],
  });
  await insertPosts(db, makePosts(BATCH_SIZE, 'warmup'), { batchSize: BATCH_SIZE }); // JIT, caches, first pages

  const batchPosts = makePosts(BATCH_ROWS, 'batch');
  const batch = await timed(() => insertPosts(db, batchPosts, { batchSize: BATCH_SIZE }));
  if (batch.result !== BATCH_ROWS) throw new Error(`inserted ${batch.result} of ${BATCH_ROWS} posts`);

  const singlePosts = makePosts(SINGLE_ROWS, 'single');
  const single = await timed(async () => {
    for (const post of singlePosts) await insertPosts(db, [post]);
  });

  const upsert = await timed(() => upsertPosts(db, batchPosts.slice(0, UPSERT_ROWS)));
  if (upsert.result.some((r) => r.outcome !== 'unchanged'))
    throw new Error('re-observed posts were not unchanged');

  const total = await countPosts(db, { siteId: SITE_ID });
  const expected = BATCH_SIZE + BATCH_ROWS + SINGLE_ROWS; // warm-up + batch + single
  if (total !== expected) throw new Error(`expected ${expected} posts, found ${total}`);
  const [version] = await database.query<{ v: string }>('select version() as v');
  return {
    batch_rows_s: Math.round(BATCH_ROWS / batch.seconds),
    single_rows_s: Math.round(SINGLE_ROWS / single.seconds),
    upsert_unchanged_rows_s: Math.round(UPSERT_ROWS / upsert.seconds),
    server: version?.v.split(' on ')[0] ?? 'unknown',
  };
}

function onDriver(driver: DriverName): Promise<DriverFigures> {
  return withBenchDatabase(driver, measure);
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

export const insertRowsBench: Benchmark = {
  name: 'db.insert_rows_s',
  unit: 'rows/s',
  goal: '≥ 2 000 posts/s batched on PGlite (the default store): a 20 000-post first crawl in ≤ 10 s',
  async run() {
    const pglite = await onDriver('pglite');
    const postgres = await onDriver('postgres');
    return {
      // The headline is PGlite: it is what a default install runs, and the slower of the two, so it bounds a crawl.
      value: pglite.batch_rows_s,
      detail: {
        rows: BATCH_ROWS,
        batch_size: BATCH_SIZE,
        single_rows: SINGLE_ROWS,
        upsert_rows: UPSERT_ROWS,
        pglite: { ...pglite, storage: 'data directory on local disk' },
        postgres: { ...postgres, storage: 'scratch database on 127.0.0.1' },
        postgres_over_pglite: {
          batch: ratio(postgres.batch_rows_s, pglite.batch_rows_s),
          single: ratio(postgres.single_rows_s, pglite.single_rows_s),
          upsert_unchanged: ratio(postgres.upsert_unchanged_rows_s, pglite.upsert_unchanged_rows_s),
        },
      },
    };
  },
};
