import { and, asc, eq, gt, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { pgErrorOf } from './db-errors.ts';
import { type documentStatuses, documents, postDocuments, posts } from './schema/index.ts';

// Reads for people (lists, a document's sources) live in their own file.
export * from './documents-query.repository.ts';

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentStatus = (typeof documentStatuses)[number];

/** Where a document was posted: the post, its site, the link. A file on two sites has two sources. */
export interface DocumentSource {
  postId: number;
  siteId: string;
  url: string;
  fileName: string;
}

export async function getDocument(db: Db, id: number): Promise<DocumentRow | undefined> {
  const [row] = await db.select().from(documents).where(eq(documents.id, id));
  return row;
}

export async function documentSources(db: Db, documentId: number): Promise<DocumentSource[]> {
  return db
    .select({
      postId: postDocuments.postId,
      siteId: posts.siteId,
      url: postDocuments.sourceUrl,
      fileName: postDocuments.fileName,
    })
    .from(postDocuments)
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(eq(postDocuments.documentId, documentId))
    .orderBy(asc(postDocuments.id));
}

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

/**
 * Takes documents to work on, fairly across sites: the oldest waiting document of each site first, then each
 * site's second, and so on, never more than `perSite` of one site at once — so a site that posted 500 files (or
 * one 10 GB dump) does not hold back the others. A claim is a lease: a dead worker's documents are taken again.
 */
export async function claimDocuments(
  db: Db,
  phase: 'download' | 'extract',
  options: ClaimOptions,
): Promise<Array<{ id: number; siteId: string }>> {
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
  const claimed: Array<{ id: number; siteId: string }> = [];
  for (const candidate of candidates) {
    if (claimed.length >= options.limit) break;
    if ((busy.get(candidate.siteId) ?? 0) >= options.perSite) continue;
    const [taken] = await db
      .update(documents)
      .set({
        status: working,
        leaseOwner: options.worker,
        leaseUntil: new Date(now.getTime() + options.leaseMs),
      })
      .where(and(eq(documents.id, candidate.id), claimable(waiting, now)))
      .returning({ id: documents.id });
    if (!taken) continue;
    busy.set(candidate.siteId, (busy.get(candidate.siteId) ?? 0) + 1);
    claimed.push({ id: candidate.id, siteId: candidate.siteId });
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

export interface StoredFile {
  sha256: string;
  sizeBytes: number;
  sniffedType: string;
  timings: Record<string, number>;
}

/**
 * Records a downloaded file. When its sha256 is already known (the same file posted on another site or post), the
 * new row is merged into the existing document: its links move there and the duplicate row is deleted.
 * Returns the id that now stands for the file.
 */
export async function recordStored(
  db: Db,
  id: number,
  file: StoredFile,
): Promise<{ id: number; merged: boolean }> {
  const existing = await db
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.sha256, file.sha256));
  const target = existing[0]?.id;
  if (target !== undefined && target !== id) return { id: await mergeInto(db, id, target), merged: true };
  try {
    await db
      .update(documents)
      .set({
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        downloadedBytes: file.sizeBytes,
        sniffedType: file.sniffedType,
        storageKey: `sha256:${file.sha256}`,
        status: 'stored',
        error: null,
        storedAt: new Date(),
        leaseOwner: null,
        leaseUntil: null,
        nextAttemptAt: null,
        timings: sql`${documents.timings} || ${JSON.stringify(file.timings)}::jsonb`,
      })
      .where(eq(documents.id, id));
    return { id, merged: false };
  } catch (error) {
    // Another worker stored the same content a moment ago: merge into its row.
    if (pgErrorOf(error)?.sqlstate !== '23505') throw error;
    const [row] = await db
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.sha256, file.sha256));
    if (!row) throw error;
    return { id: await mergeInto(db, id, row.id), merged: true };
  }
}

async function mergeInto(db: Db, duplicate: number, target: number): Promise<number> {
  await db.transaction(async (tx) => {
    // A link is unique by (post, URL), not by document: it moves to the stored copy as it is.
    await tx.update(postDocuments).set({ documentId: target }).where(eq(postDocuments.documentId, duplicate));
    await tx.update(documents).set({ parentId: target }).where(eq(documents.parentId, duplicate));
    await tx.delete(documents).where(eq(documents.id, duplicate));
  });
  return target;
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
      ...(finished ? { extractedAt: new Date() } : {}),
      leaseOwner: null,
      leaseUntil: null,
    })
    .where(eq(documents.id, id));
}

/** Files found in a directory listing, each a new document linked to the listing's posts (once per post and URL). */
export async function addListedFiles(
  db: Db,
  listing: { id: number; listingDepth: number },
  files: ReadonlyArray<{ url: string; name: string }>,
): Promise<number> {
  if (files.length === 0) return 0;
  return db.transaction(async (tx) => {
    const postIds = (
      await tx
        .select({ postId: postDocuments.postId })
        .from(postDocuments)
        .where(eq(postDocuments.documentId, listing.id))
    ).map((row) => row.postId);
    let added = 0;
    for (const file of files) {
      const known = await tx
        .select({ postId: postDocuments.postId })
        .from(postDocuments)
        .where(and(eq(postDocuments.sourceUrl, file.url), inArray(postDocuments.postId, postIds)));
      const missing = postIds.filter((postId) => !known.some((row) => row.postId === postId));
      if (missing.length === 0) continue;
      const [created] = await tx
        .insert(documents)
        .values({
          name: file.name,
          status: 'pending',
          parentId: listing.id,
          listingDepth: listing.listingDepth + 1,
        })
        .returning({ id: documents.id });
      await tx.insert(postDocuments).values(
        missing.map((postId) => ({
          postId,
          documentId: created?.id as number,
          sourceUrl: file.url,
          fileName: file.name,
        })),
      );
      added++;
    }
    return added;
  });
}

/** Bytes the other files of a document's posts already take (per-post cap): the least used of its posts, as a file shared by several posts counts against the one with most room. */
export async function postBytesUsed(db: Db, documentId: number): Promise<number> {
  const rows = await db
    .select({ used: sql<number>`coalesce(sum(${documents.sizeBytes}), 0)::bigint` })
    .from(postDocuments)
    .innerJoin(documents, eq(documents.id, postDocuments.documentId))
    .where(
      and(
        inArray(
          postDocuments.postId,
          db
            .select({ id: postDocuments.postId })
            .from(postDocuments)
            .where(eq(postDocuments.documentId, documentId)),
        ),
        sql`${documents.id} <> ${documentId}`,
      ),
    )
    .groupBy(postDocuments.postId);
  return rows.reduce(
    (least, row) => Math.min(least, Number(row.used)),
    rows.length > 0 ? Number.POSITIVE_INFINITY : 0,
  );
}
