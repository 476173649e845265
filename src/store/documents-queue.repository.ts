import { and, asc, eq, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { DocumentStatus } from './documents.repository.ts';
import { documents, postDocuments, posts } from './schema/index.ts';

const claimable = (status: DocumentStatus, now: Date): SQL =>
  and(
    or(
      eq(documents.status, status),
      and(
        eq(documents.status, status === 'pending' ? 'downloading' : 'extracting'),
        lte(documents.leaseUntil, now),
      ),
    ),
    or(isNull(documents.nextAttemptAt), lte(documents.nextAttemptAt, now)),
  ) as SQL;

export interface ClaimOptions {
  worker: string;
  leaseMs: number;
  limit: number;
  /** At most this many documents of one site in work at once (across workers). */
  perSite: number;
  now?: Date;
}

export interface Claim {
  id: number;
  siteId: string;
  /** Extractions started, this one included (an extract claim counts one): those that never ended were killed. */
  extractAttempts: number;
}

/**
 * Takes documents to work on, fairly across sites: the oldest waiting document of each site first, then each
 * site's second, and so on, never more than `perSite` of one site at once — so a site that posted 500 files (or
 * one 10 GB dump) does not hold back the others. A claim is a lease: a dead worker's documents are taken again.
 */
export async function claimDocuments(
  db: Db,
  phase: 'download' | 'extract',
  options: ClaimOptions,
): Promise<Claim[]> {
  const now = options.now ?? new Date();
  const [waiting, working] =
    phase === 'download' ? (['pending', 'downloading'] as const) : (['stored', 'extracting'] as const);
  const firstLink = db
    .select({
      documentId: postDocuments.documentId,
      postId: sql<number>`min(${postDocuments.postId})`.as('post_id'),
    })
    .from(postDocuments)
    .groupBy(postDocuments.documentId)
    .as('first_link');
  const turn = sql<number>`row_number() over (partition by ${posts.siteId} order by ${documents.id})`;
  const candidates = await db
    .select({ id: documents.id, siteId: posts.siteId, turn })
    .from(documents)
    .innerJoin(firstLink, eq(firstLink.documentId, documents.id))
    .innerJoin(posts, eq(posts.id, firstLink.postId))
    .where(claimable(waiting, now))
    .orderBy(turn, asc(documents.id))
    .limit(options.limit * 4 + options.perSite * 4);
  const busyRows = await db
    .select({ siteId: posts.siteId, count: sql<number>`count(distinct ${documents.id})::int` })
    .from(documents)
    .innerJoin(postDocuments, eq(postDocuments.documentId, documents.id))
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(and(eq(documents.status, working), gt(documents.leaseUntil, now)))
    .groupBy(posts.siteId);
  const busy = new Map(busyRows.map((row) => [row.siteId, Number(row.count)]));
  const claimed: Claim[] = [];
  for (const candidate of candidates) {
    if (claimed.length >= options.limit) break;
    if ((busy.get(candidate.siteId) ?? 0) >= options.perSite) continue;
    const [taken] = await db
      .update(documents)
      .set({
        status: working,
        leaseOwner: options.worker,
        leaseUntil: new Date(now.getTime() + options.leaseMs),
        // Counted when it starts, not when it ends: a worker killed mid-extraction (out of memory) counts too.
        ...(phase === 'extract' ? { extractAttempts: sql`${documents.extractAttempts} + 1` } : {}),
      })
      .where(and(eq(documents.id, candidate.id), claimable(waiting, now)))
      .returning({ id: documents.id, extractAttempts: documents.extractAttempts });
    if (!taken) continue;
    busy.set(candidate.siteId, (busy.get(candidate.siteId) ?? 0) + 1);
    claimed.push({ id: candidate.id, siteId: candidate.siteId, extractAttempts: taken.extractAttempts });
  }
  return claimed;
}

/** Keeps a claim alive and records progress; false when the claim was lost (another worker took it). */
export async function renewClaim(
  db: Db,
  id: number,
  worker: string,
  leaseMs: number,
  progress: { downloadedBytes?: number; expectedBytes?: number | null } = {},
): Promise<boolean> {
  const rows = await db
    .update(documents)
    .set({ leaseUntil: new Date(Date.now() + leaseMs), ...progress })
    .where(and(eq(documents.id, id), eq(documents.leaseOwner, worker)))
    .returning({ id: documents.id });
  return rows.length > 0;
}

export interface Outcome {
  status: DocumentStatus;
  error?: string | null;
  warnings?: string[];
  counts?: Record<string, number>;
  timings?: Record<string, number>;
  sniffedType?: string | null;
  /** Retry later: the document goes back to waiting (with its attempts counted unless `countAttempt` is false). */
  retryAt?: Date;
  countAttempt?: boolean;
  downloadedBytes?: number;
  /** Set (to 0) by an extraction that ended, killed or not: the count is of extractions that never ended. */
  extractAttempts?: number;
}

/** Ends a claim with an outcome (extracted, failed, too_large…), or puts the document back to wait for a retry. */
export async function recordOutcome(db: Db, id: number, outcome: Outcome): Promise<void> {
  const finished =
    outcome.status === 'extracted' ||
    outcome.status === 'needs_ocr' ||
    outcome.status === 'password_protected';
  await db
    .update(documents)
    .set({
      status: outcome.status,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.warnings ? { warnings: outcome.warnings } : {}),
      ...(outcome.counts ? { counts: outcome.counts } : {}),
      ...(outcome.sniffedType !== undefined ? { sniffedType: outcome.sniffedType } : {}),
      ...(outcome.timings
        ? { timings: sql`${documents.timings} || ${JSON.stringify(outcome.timings)}::jsonb` }
        : {}),
      ...(outcome.retryAt ? { nextAttemptAt: outcome.retryAt } : {}),
      ...(outcome.retryAt && outcome.countAttempt !== false
        ? { attempts: sql`${documents.attempts} + 1` }
        : {}),
      ...(outcome.downloadedBytes !== undefined ? { downloadedBytes: outcome.downloadedBytes } : {}),
      ...(outcome.extractAttempts !== undefined ? { extractAttempts: outcome.extractAttempts } : {}),
      ...(finished ? { extractedAt: new Date() } : {}),
      leaseOwner: null,
      leaseUntil: null,
    })
    .where(eq(documents.id, id));
}
