// Posts awaiting matching (schema/posts.ts postMatchQueue): queued with the post, claimed with a lease, finished in
// the matching transaction, put back with back-off when matching fails.
import { and, asc, eq, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { postMatchQueue } from './schema/index.ts';

export interface PostMatchClaim {
  postId: number;
  generation: number;
  attempts: number;
}

/** Queues posts for matching (in the caller's transaction); a post queued again is due at once. */
export async function queuePostMatches(db: Db, postIds: readonly number[]): Promise<void> {
  const ids = [...new Set(postIds)];
  if (ids.length === 0) return;
  await db
    .insert(postMatchQueue)
    .values(ids.map((postId) => ({ postId })))
    .onConflictDoUpdate({
      target: postMatchQueue.postId,
      set: {
        generation: sql`${postMatchQueue.generation} + 1`,
        attempts: 0,
        nextAttemptAt: null,
        error: null,
      },
    });
}

const claimable = (now: Date): SQL =>
  and(
    or(isNull(postMatchQueue.leaseUntil), lte(postMatchQueue.leaseUntil, now)),
    or(isNull(postMatchQueue.nextAttemptAt), lte(postMatchQueue.nextAttemptAt, now)),
  ) as SQL;

/**
 * Takes due posts to match, oldest first (only `postIds` when given); a claim is a lease, so a dead worker's posts
 * are taken again.
 */
export async function claimPostMatches(
  db: Db,
  options: { worker: string; leaseMs: number; limit: number; now?: Date; postIds?: readonly number[] },
): Promise<PostMatchClaim[]> {
  const now = options.now ?? new Date();
  if (options.postIds?.length === 0) return [];
  const candidates = await db
    .select({ postId: postMatchQueue.postId })
    .from(postMatchQueue)
    .where(
      options.postIds
        ? and(claimable(now), inArray(postMatchQueue.postId, [...options.postIds]))
        : claimable(now),
    )
    .orderBy(asc(postMatchQueue.queuedAt), asc(postMatchQueue.postId))
    .limit(options.limit);
  if (candidates.length === 0) return [];
  return db
    .update(postMatchQueue)
    .set({ leaseOwner: options.worker, leaseUntil: new Date(now.getTime() + options.leaseMs) })
    .where(
      and(
        inArray(
          postMatchQueue.postId,
          candidates.map((row) => row.postId),
        ),
        claimable(now),
      ),
    )
    .returning({
      postId: postMatchQueue.postId,
      generation: postMatchQueue.generation,
      attempts: postMatchQueue.attempts,
    });
}

/**
 * Ends a claim once the post's matches are recorded (call it in the matching transaction). A post queued again while
 * it was matched keeps its row, released, and is matched again.
 */
export async function finishPostMatch(db: Db, claim: PostMatchClaim, worker: string): Promise<void> {
  const done = await db
    .delete(postMatchQueue)
    .where(and(eq(postMatchQueue.postId, claim.postId), eq(postMatchQueue.generation, claim.generation)))
    .returning({ postId: postMatchQueue.postId });
  if (done.length === 0) await releasePostMatch(db, claim.postId, worker);
}

async function releasePostMatch(db: Db, postId: number, worker: string): Promise<void> {
  await db
    .update(postMatchQueue)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(postMatchQueue.postId, postId), eq(postMatchQueue.leaseOwner, worker)));
}

/** Matching failed: the post waits until `retryAt`, with the error kept for `leakwatch` to show. */
export async function retryPostMatch(
  db: Db,
  claim: PostMatchClaim,
  worker: string,
  failure: { error: string; retryAt: Date },
): Promise<void> {
  await db
    .update(postMatchQueue)
    .set({
      leaseOwner: null,
      leaseUntil: null,
      error: failure.error,
      nextAttemptAt: failure.retryAt,
      attempts: sql`${postMatchQueue.attempts} + 1`,
    })
    .where(
      and(
        eq(postMatchQueue.postId, claim.postId),
        eq(postMatchQueue.leaseOwner, worker),
        eq(postMatchQueue.generation, claim.generation),
      ),
    );
  // Queued again meanwhile: due at once, only released.
  await releasePostMatch(db, claim.postId, worker);
}

export interface PostMatchBacklog {
  waiting: number;
  failing: number;
  lastError: string | null;
}

/** What is left to match: posts waiting, of which those whose last attempt failed. */
export async function postMatchBacklog(db: Db): Promise<PostMatchBacklog> {
  const [row] = await db
    .select({
      waiting: sql<number>`count(*)::int`,
      failing: sql<number>`count(*) filter (where ${postMatchQueue.error} is not null)::int`,
      lastError: sql<string | null>`max(${postMatchQueue.error})`,
    })
    .from(postMatchQueue);
  return {
    waiting: Number(row?.waiting ?? 0),
    failing: Number(row?.failing ?? 0),
    lastError: row?.lastError ?? null,
  };
}
