import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { type PostListItem, postListColumns } from './posts-query.repository.ts';
import { posts } from './schema/index.ts';

/** Marks posts as listed again without changing their content. */
export async function markPostsSeen(db: Db, postIds: readonly number[]): Promise<number> {
  if (postIds.length === 0) return 0;
  const rows = await db
    .update(posts)
    .set({ lastSeenAt: sql`now()`, missingRuns: 0 })
    .where(inArray(posts.id, [...postIds]))
    .returning({ id: posts.id });
  return rows.length;
}

/**
 * After a complete, successful crawl of a site: every post of the site not in `seenKeys` and not yet removed gets one
 * more missing run; those reaching `removeAfterRuns` are declared removed and returned in `removed`.
 */
export async function markPostsMissing(
  db: Db,
  input: { siteId: string; seenKeys: readonly string[]; removeAfterRuns: number },
): Promise<{ missing: number; removed: PostListItem[] }> {
  if (!Number.isSafeInteger(input.removeAfterRuns) || input.removeAfterRuns < 1) {
    throw new InputError(
      'post.invalid_threshold',
      `removeAfterRuns must be a positive integer, got ${input.removeAfterRuns}`,
    );
  }
  const reached = sql`${posts.missingRuns} + 1 >= ${input.removeAfterRuns}`;
  const rows = await db
    .update(posts)
    .set({
      missingRuns: sql`${posts.missingRuns} + 1`,
      removedAt: sql`case when ${reached} then now() else null end`,
      status: sql`case when ${reached} then 'removed' else ${posts.status} end`,
    })
    .where(
      and(
        eq(posts.siteId, input.siteId),
        isNull(posts.removedAt),
        sql`not (${posts.stableKey} = any(${sql.param([...input.seenKeys])}::text[]))`,
      ),
    )
    .returning(postListColumns);
  return { missing: rows.length, removed: rows.filter((row) => row.removedAt !== null) };
}
