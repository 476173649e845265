// The post-matching stage: posts a crawl queued (store/post-match-queue.repository.ts) are claimed, matched, and taken
// off the queue in the transaction that records their matches; a failed match waits with back-off and is retried.
import { describeError, isAppError } from '../shared/errors.ts';
import { pgErrorOf } from '../store/db-errors.ts';
import {
  claimPostMatches,
  finishPostMatch,
  type PostMatchClaim,
  retryPostMatch,
} from '../store/post-match-queue.repository.ts';
import { type MatchDeps, type MatchOutcome, matchPost, type OnMatches } from './match-service.ts';

export interface PendingPostsOptions {
  /** Identifies this worker in claims. */
  worker: string;
  onMatches?: OnMatches;
  /** First retry after this long, doubling with each failed attempt up to an hour. */
  retryBaseMs: number;
  leaseMs?: number;
  /** At most this many posts in this pass. */
  limit?: number;
  /** Only these posts (the ones a crawl just queued), if they are due. */
  postIds?: readonly number[];
  clock?: () => Date;
}

export interface PendingPostsPass {
  outcomes: MatchOutcome[];
  failed: Array<{ postId: number; error: string }>;
}

/**
 * What a failed match is recorded with: the database's own reason rather than the failed statement, whose parameters
 * (masked samples, locations) belong in match records only.
 */
export function describeMatchError(error: unknown): string {
  const database = isAppError(error) ? undefined : pgErrorOf(error);
  return database ? `database: ${database.message}` : describeError(error);
}

const BATCH = 20;
const MAX_RETRY_MS = 3600_000;

/** Matches the queued posts that are due, until none is left (or `limit`); never throws for one post's failure. */
export async function matchPendingPosts(
  deps: MatchDeps,
  options: PendingPostsOptions,
): Promise<PendingPostsPass> {
  const pass: PendingPostsPass = { outcomes: [], failed: [] };
  const clock = options.clock ?? (() => new Date());
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  let taken = 0;
  while (taken < limit) {
    const claims = await claimPostMatches(deps.db, {
      worker: options.worker,
      leaseMs: options.leaseMs ?? 300_000,
      limit: Math.min(BATCH, limit - taken),
      now: clock(),
      ...(options.postIds ? { postIds: options.postIds } : {}),
    });
    if (claims.length === 0) break;
    taken += claims.length;
    for (const claim of claims) await matchOne(deps, options, claim, pass, clock);
  }
  return pass;
}

async function matchOne(
  deps: MatchDeps,
  options: PendingPostsOptions,
  claim: PostMatchClaim,
  pass: PendingPostsPass,
  clock: () => Date,
): Promise<void> {
  try {
    const outcome = await matchPost(deps, claim.postId, {
      onMatches: async (tx, result) => {
        await options.onMatches?.(tx, result);
        await finishPostMatch(tx, claim, options.worker);
      },
    });
    pass.outcomes.push(outcome);
  } catch (error) {
    const message = describeMatchError(error);
    const delay = Math.min(MAX_RETRY_MS, options.retryBaseMs * 2 ** Math.min(claim.attempts, 20));
    await retryPostMatch(deps.db, claim, options.worker, {
      error: message,
      retryAt: new Date(clock().getTime() + delay),
    });
    pass.failed.push({ postId: claim.postId, error: message });
    deps.logger?.error(
      { postId: claim.postId, attempts: claim.attempts + 1, error: message },
      'matching a post failed; it stays queued and is retried',
    );
    // The database or the key is wrong: the next post would fail the same way.
    if (isAppError(error) && error.disposition === 'tell_operator') throw error;
  }
}
