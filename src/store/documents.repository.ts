import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { pgErrorOf } from './db-errors.ts';
import { sourcesOfDocuments } from './documents-query.repository.ts';
import { type documentStatuses, documents, postDocuments } from './schema/index.ts';

// Reads for people (lists) and the queue's claims and outcomes live in their own files.
export * from './documents-query.repository.ts';
export * from './documents-queue.repository.ts';

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
  return (await sourcesOfDocuments(db, [documentId])).map(({ documentId: _id, ...source }) => source);
}

export interface StoredFile {
  sha256: string;
  sizeBytes: number;
  sniffedType: string;
  timings: Record<string, number>;
  /** `downloading` keeps the claim while the caller decides what the file is (an HTML page may be a listing). */
  status?: 'stored' | 'downloading';
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
  if (target !== undefined && target !== id)
    return { id: await mergeInto(db, id, target, file.sha256), merged: true };
  try {
    await db
      .update(documents)
      .set({
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        downloadedBytes: file.sizeBytes,
        sniffedType: file.sniffedType,
        storageKey: `sha256:${file.sha256}`,
        status: file.status ?? 'stored',
        error: null,
        storedAt: new Date(),
        ...(file.status === 'downloading' ? {} : { leaseOwner: null, leaseUntil: null }),
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
    return { id: await mergeInto(db, id, row.id, file.sha256), merged: true };
  }
}

const FINISHED: readonly DocumentStatus[] = ['extracted', 'needs_ocr', 'password_protected'];

/**
 * Moves a duplicate's links to the stored copy and deletes the duplicate. A copy already read is not read again: the
 * caller records what it found for the new posts (src/documents/new-links.ts). The file is in the store again even
 * if retention had deleted it (this download just put it back).
 */
async function mergeInto(db: Db, duplicate: number, target: number, sha256: string): Promise<number> {
  await db.transaction(async (tx) => {
    // A link is unique by (post, URL), not by document: it moves to the stored copy as it is.
    await tx.update(postDocuments).set({ documentId: target }).where(eq(postDocuments.documentId, duplicate));
    await tx.update(documents).set({ parentId: target }).where(eq(documents.parentId, duplicate));
    await tx.delete(documents).where(eq(documents.id, duplicate));
    await tx
      .update(documents)
      .set({ rawDeletedAt: null, storageKey: `sha256:${sha256}` })
      .where(
        and(
          eq(documents.id, target),
          inArray(documents.status, [...FINISHED]),
          // A listing is not read as text: its files are linked to the new post instead (expandListing).
          sql`${documents.sniffedType} is distinct from 'directory_listing'`,
        ),
      );
  });
  return target;
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
      // The file is already a document of this listing (for its first posts): the other posts link to it.
      const [child] = await tx
        .select({ id: postDocuments.documentId })
        .from(postDocuments)
        .innerJoin(documents, eq(documents.id, postDocuments.documentId))
        .where(and(eq(postDocuments.sourceUrl, file.url), eq(documents.parentId, listing.id)))
        .limit(1);
      if (child) {
        await tx
          .insert(postDocuments)
          .values(
            missing.map((postId) => ({
              postId,
              documentId: child.id,
              sourceUrl: file.url,
              fileName: file.name,
            })),
          )
          .onConflictDoNothing();
        continue;
      }
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
