import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, notExists, or, type SQL } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { DocumentSource } from './documents.repository.ts';
import { captures, documents, postDocuments, posts } from './schema/index.ts';

export interface DocumentListItem {
  id: number;
  name: string;
  status: string;
  sniffedType: string | null;
  sizeBytes: number | null;
  downloadedBytes: number;
  expectedBytes: number | null;
  sha256: string | null;
  error: string | null;
  warnings: string[];
  counts: Record<string, number>;
  timings: Record<string, number>;
  attempts: number;
  nextAttemptAt: Date | null;
  listingDepth: number;
  parentId: number | null;
  createdAt: Date;
  updatedAt: Date;
  extractedAt: Date | null;
  rawDeletedAt: Date | null;
  sources: Array<{ postId: number; siteId: string; url: string; fileName: string }>;
}

export interface DocumentFilter {
  postId?: number;
  status?: string;
  limit?: number;
}

/** Documents, newest first, with every post and site that linked them: what `leakwatch documents` shows. */
export async function listDocuments(db: Db, filter: DocumentFilter = {}): Promise<DocumentListItem[]> {
  const conditions: SQL[] = [];
  if (filter.status)
    conditions.push(eq(documents.status, filter.status as (typeof documents.status.enumValues)[number]));
  if (filter.postId !== undefined)
    conditions.push(
      inArray(
        documents.id,
        db
          .select({ id: postDocuments.documentId })
          .from(postDocuments)
          .where(eq(postDocuments.postId, filter.postId)),
      ),
    );
  const rows = await db
    .select()
    .from(documents)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(documents.id))
    .limit(filter.limit ?? 500);
  const ids = rows.map((row) => row.id);
  const links = await sourcesOfDocuments(db, ids);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    status: row.status,
    sniffedType: row.sniffedType,
    sizeBytes: row.sizeBytes,
    downloadedBytes: row.downloadedBytes,
    expectedBytes: row.expectedBytes,
    sha256: row.sha256,
    error: row.error,
    warnings: row.warnings,
    counts: row.counts,
    timings: row.timings,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    listingDepth: row.listingDepth,
    parentId: row.parentId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    extractedAt: row.extractedAt,
    rawDeletedAt: row.rawDeletedAt,
    sources: links
      .filter((link) => link.documentId === row.id)
      .map(({ postId, siteId, url, fileName }) => ({ postId, siteId, url, fileName })),
  }));
}

/** Documents whose raw file outlived the retention period: extracted before `before`, file still stored. */
export async function documentsPastRetention(
  db: Db,
  before: Date,
  limit = 500,
): Promise<Array<{ id: number; sha256: string }>> {
  // The same bytes kept as a page capture are evidence of a page, not a posted file's to delete.
  const captured = db
    .select({ one: captures.id })
    .from(captures)
    .where(or(eq(captures.bodySha256, documents.sha256), eq(captures.screenshotSha256, documents.sha256)));
  const rows = await db
    .select({ id: documents.id, sha256: documents.sha256 })
    .from(documents)
    .where(
      and(
        isNotNull(documents.sha256),
        isNotNull(documents.extractedAt),
        lte(documents.extractedAt, before),
        isNull(documents.rawDeletedAt),
        notExists(captured),
      ),
    )
    .limit(limit);
  return rows.map((row) => ({ id: row.id, sha256: row.sha256 as string }));
}

export async function markRawDeleted(db: Db, id: number): Promise<void> {
  await db.update(documents).set({ rawDeletedAt: new Date(), storageKey: null }).where(eq(documents.id, id));
}

/** Where each of these documents was posted, oldest link first. */
export async function sourcesOfDocuments(
  db: Db,
  documentIds: readonly number[],
): Promise<Array<DocumentSource & { documentId: number }>> {
  if (documentIds.length === 0) return [];
  return db
    .select({
      documentId: postDocuments.documentId,
      postId: postDocuments.postId,
      siteId: posts.siteId,
      url: postDocuments.sourceUrl,
      fileName: postDocuments.fileName,
    })
    .from(postDocuments)
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(inArray(postDocuments.documentId, [...documentIds]))
    .orderBy(asc(postDocuments.id));
}
