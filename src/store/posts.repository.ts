import { createHash } from 'node:crypto';
import { and, inArray, type SQL, sql } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { type DbErrorContext, withDbErrors } from './db-errors.ts';
import { type Post, type PostStatus, postColumns } from './posts-query.repository.ts';
import { postStatuses, posts } from './schema/index.ts';

// One import for callers: reads (list, search, get) and the seen/missing lifecycle live in their own files.
export * from './post-lifecycle.repository.ts';
export * from './posts-query.repository.ts';

/** What a crawl saw of one post. Optional fields left out (or null) keep what was stored before. */
export interface PostInput {
  siteId: string;
  stableKey: string;
  title: string;
  url?: string | null;
  bodyText?: string | null;
  website?: string | null;
  sizeText?: string | null;
  /** `unknown` never overwrites a known status. */
  status?: PostStatus;
  publishedAt?: Date | null;
  publishedRaw?: string | null;
  countdownEndsAt?: Date | null;
  /** Fingerprint of this observation; computed from the fields above when omitted. */
  contentHash?: string;
}

export type UpsertOutcome = 'new' | 'updated' | 'unchanged';

export interface UpsertedPost {
  post: Post;
  outcome: UpsertOutcome;
  /** The post had been declared removed and is listed again. */
  reappeared: boolean;
}

const BATCH = 500;

/** sha256 of what was observed; two crawls that saw the same thing give the same hash. */
export function postContentHash(input: PostInput): string {
  const observed = [
    input.title,
    input.url ?? null,
    input.bodyText ?? null,
    input.website ?? null,
    input.sizeText ?? null,
    input.status ?? 'unknown',
    input.publishedAt?.toISOString() ?? null,
    input.publishedRaw ?? null,
    input.countdownEndsAt?.toISOString() ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(observed)).digest('hex');
}

function toRow(input: PostInput): typeof posts.$inferInsert {
  const stableKey = input.stableKey?.trim();
  if (!input.siteId || !stableKey)
    throw new InputError('post.invalid', 'a post needs a site id and a stable key');
  if (!input.title?.trim()) {
    throw new InputError('post.invalid', `post "${stableKey}" of site "${input.siteId}" has no title`);
  }
  if (input.status !== undefined && !postStatuses.includes(input.status)) {
    throw new InputError('post.invalid', `post "${stableKey}": unknown status "${input.status}"`);
  }
  const { contentHash, ...fields } = input;
  return { ...fields, stableKey, contentHash: contentHash ?? postContentHash(input) };
}

const keyOf = (row: { siteId: string; stableKey: string }) => `${row.siteId}\u0000${row.stableKey}`;

/** Last occurrence wins: a listing may show a pinned post twice, and one statement cannot touch a row twice. */
function dedupe(rows: Array<typeof posts.$inferInsert>) {
  const byKey = new Map<string, typeof posts.$inferInsert>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return [...byKey.values()];
}

function errorContext(action: string): DbErrorContext {
  return {
    action,
    constraints: {
      posts_site_id_sites_id_fk: (info, cause) =>
        new InputError('post.unknown_site', `${action}: no site with id "${info.key ?? '?'}"`, { cause }),
    },
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const keep = (column: string, current: SQL) => sql`coalesce(${sql.raw(`excluded.${column}`)}, ${current})`;

/** How a re-observed post is updated (see PostInput): the listing refreshes it and marks it seen. */
const ON_CONFLICT_SET = {
  title: sql`excluded.title`,
  url: keep('url', sql`${posts.url}`),
  bodyText: keep('body_text', sql`${posts.bodyText}`),
  website: keep('website', sql`${posts.website}`),
  sizeText: keep('size_text', sql`${posts.sizeText}`),
  publishedAt: keep('published_at', sql`${posts.publishedAt}`),
  publishedRaw: keep('published_raw', sql`${posts.publishedRaw}`),
  countdownEndsAt: keep('countdown_ends_at', sql`${posts.countdownEndsAt}`),
  status: sql`case when excluded.status <> 'unknown' then excluded.status
    when ${posts.status} = 'removed' then 'unknown' else ${posts.status} end`,
  contentHash: sql`excluded.content_hash`,
  lastSeenAt: sql`now()`,
  missingRuns: sql`0`,
  removedAt: sql`null`,
};

/**
 * Inserts or refreshes posts by (site, stable key) and tells, per post, whether it is new, changed since the last
 * observation (content hash) or unchanged. Re-running the same input is idempotent apart from last_seen_at.
 * Results list new posts first.
 */
export async function upsertPosts(db: Db, inputs: readonly PostInput[]): Promise<UpsertedPost[]> {
  const rows = dedupe(inputs.map(toRow));
  if (rows.length === 0) return [];
  return withDbErrors(errorContext(`cannot save ${rows.length} post(s)`), () =>
    db.transaction(async (tx) => {
      const results: UpsertedPost[] = [];
      for (const batch of chunks(rows, BATCH)) {
        // 1. New posts. DO NOTHING waits for a concurrent insert of the same key to commit, so a race yields one "new".
        const inserted = await tx.insert(posts).values(batch).onConflictDoNothing().returning(postColumns);
        for (const post of inserted) results.push({ post, outcome: 'new', reappeared: false });
        const known = new Set(inserted.map(keyOf));
        const rest = batch.filter((row) => !known.has(keyOf(row)));
        if (rest.length === 0) continue;
        // 2. Lock the posts that exist and remember what they were, 3. then refresh them.
        const before = await tx
          .select({
            siteId: posts.siteId,
            stableKey: posts.stableKey,
            contentHash: posts.contentHash,
            removedAt: posts.removedAt,
          })
          .from(posts)
          .where(
            and(
              inArray(posts.siteId, [...new Set(rest.map((row) => row.siteId))]),
              inArray(
                posts.stableKey,
                rest.map((row) => row.stableKey),
              ),
            ),
          )
          .for('update');
        const previous = new Map(before.map((row) => [keyOf(row), row]));
        const saved = await tx
          .insert(posts)
          .values(rest)
          .onConflictDoUpdate({ target: [posts.siteId, posts.stableKey], set: ON_CONFLICT_SET })
          .returning(postColumns);
        for (const post of saved) {
          const prior = previous.get(keyOf(post));
          const outcome: UpsertOutcome = !prior
            ? 'new'
            : prior.contentHash === post.contentHash
              ? 'unchanged'
              : 'updated';
          results.push({ post, outcome, reappeared: prior?.removedAt != null });
        }
      }
      return results;
    }),
  );
}

export async function upsertPost(db: Db, input: PostInput): Promise<UpsertedPost> {
  const [result] = await upsertPosts(db, [input]);
  if (!result) throw new Error('upsert of one post returned no row');
  return result;
}

/**
 * Plain bulk insert (imports, benchmarks): posts already known are skipped, not updated. Returns how many were new.
 */
export async function insertPosts(
  db: Db,
  inputs: readonly PostInput[],
  options: { batchSize?: number } = {},
): Promise<number> {
  const rows = dedupe(inputs.map(toRow));
  const size = Math.min(Math.max(options.batchSize ?? BATCH, 1), 2000);
  let inserted = 0;
  for (const batch of chunks(rows, size)) {
    const ids = await withDbErrors(errorContext(`cannot insert ${batch.length} post(s)`), () =>
      db.insert(posts).values(batch).onConflictDoNothing().returning({ id: posts.id }),
    );
    inserted += ids.length;
  }
  return inserted;
}
