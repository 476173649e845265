/**
 * web.posts_page_ms: how long the analyst UI takes to answer its heaviest pages over 50 000 posts, through the real
 * Fastify app (inject: routing, queries, rendering, no socket), on embedded PGlite persisted to a directory and on the
 * machine's PostgreSQL (a scratch database created and dropped here).
 *
 * Variants: the first page, a page 25 000 posts deep (keyset), searches for a word in most posts, a word in five, an
 * accent-folded word and a phrase with an exclusion, the organisation filter, and one post's page.
 */
import { createLogger } from '../../src/shared/logger.ts';
import type { Database, DriverName } from '../../src/store/db.ts';
import { insertPosts, type PostInput } from '../../src/store/posts.repository.ts';
import { matches, organisations } from '../../src/store/schema/index.ts';
import { upsertSite } from '../../src/store/sites.repository.ts';
import { TorStatusMonitor } from '../../src/tor/tor-status.ts';
import { accessSettings } from '../../src/web/access.ts';
import { buildWebApp } from '../../src/web/app.ts';
import type { Benchmark } from '../registry.ts';
import { withBenchDatabase } from '../support/bench-database.ts';
import { median } from '../support/stats.ts';
import { wordSource } from '../support/words.ts';

const POSTS = 50_000;
const RUNS = 30;
const SITE_ID = 'bench-web';

function makePosts(): PostInput[] {
  const { next, words } = wordSource(7);
  return Array.from({ length: POSTS }, (_, i) => ({
    siteId: SITE_ID,
    stableKey: `post-${i}`,
    title: `${words(3)} ${i}`,
    bodyText: `${words(60 + (next() % 60))}${i % 10_000 === 0 ? ' zyxwvut' : ''}`,
    status: 'published' as const,
  }));
}

async function measure(database: Database): Promise<Record<string, number | string>> {
  const { db } = database;
  await upsertSite(db, {
    id: SITE_ID,
    name: 'Bench',
    groupName: 'BenchGroup',
    engine: 'http',
    schedule: '0 * * * *',
    definitionSource: 'bench',
    mirrors: [`http://${'c'.repeat(56)}.onion/`],
  });
  await insertPosts(db, makePosts(), { batchSize: 500 });
  const [org] = await db.insert(organisations).values({ slug: 'bench-org', name: 'Bench Org' }).returning();
  const ids = await database.query<{ id: number }>('select id from posts order by id');
  if (!org || ids.length !== POSTS) throw new Error(`expected ${POSTS} posts, found ${ids.length}`);
  // One post in a hundred matched the organisation.
  await db.insert(matches).values(
    ids
      .filter((_, i) => i % 100 === 0)
      .map((row) => ({
        postId: Number(row.id),
        orgId: org.id,
        severity: 'high' as const,
        identifierCounts: { email: 3 },
      })),
  );
  await database.exec('analyze');
  const middle = Number(ids[POSTS / 2]?.id);
  const logger = createLogger({ level: 'warn', format: 'json' });
  const app = buildWebApp({
    database,
    tor: new TorStatusMonitor('socks5h://127.0.0.1:9', logger),
    logger,
    access: accessSettings({ host: '127.0.0.1', auth: 'auto', publicUrl: null }, 'x'.repeat(32)),
  });
  const variants: Record<string, string> = {
    first_page: '/posts',
    deep_page: `/posts?after=${middle}`,
    search_common: '/posts?q=clinique',
    search_rare: '/posts?q=zyxwvut',
    search_accent_folded: '/posts?q=HELENE+donnees',
    search_phrase_exclusion: `/posts?q=${encodeURIComponent('"données patients" -ransomware')}`,
    org_filter: '/posts?org=bench-org',
    post_detail: `/posts/${middle}`,
  };
  const figures: Record<string, number | string> = {};
  try {
    for (const [name, url] of Object.entries(variants)) {
      const times: number[] = [];
      for (let i = 0; i < RUNS + 3; i++) {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url });
        const ms = performance.now() - started;
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
        if (i >= 3) times.push(ms); // the first requests warm plans and caches
      }
      figures[`${name}_median_ms`] = Number(median(times).toFixed(1));
    }
  } finally {
    await app.close();
  }
  const [version] = await database.query<{ v: string }>('select version() as v');
  figures.server = version?.v.split(' on ')[0] ?? 'unknown';
  return figures;
}

function onDriver(driver: DriverName) {
  return withBenchDatabase(driver, measure);
}

const slowest = (figures: Record<string, number | string>) =>
  Math.max(...Object.values(figures).filter((value): value is number => typeof value === 'number'));

export const webPagesBench: Benchmark = {
  name: 'web.posts_page_ms',
  unit: 'ms',
  goal: '≤ 200 ms median for the slowest page over 50 000 posts on PGlite (the default store): browsing feels instant',
  async run() {
    const pglite = await onDriver('pglite');
    const postgres = await onDriver('postgres');
    return {
      value: slowest(pglite),
      detail: { posts: POSTS, runs_per_page: RUNS, pglite, postgres, postgres_slowest_ms: slowest(postgres) },
    };
  },
};
