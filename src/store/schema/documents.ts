import { type AnyPgColumn, bigint, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, updatedAt } from './columns.ts';
import { posts } from './posts.ts';

export const documentStatuses = [
  'pending',
  'downloading',
  'stored',
  'extracting',
  'extracted',
  'needs_ocr',
  'password_protected',
  'too_large',
  'rejected',
  'failed',
] as const;

/** A posted file, stored once by content (sha256) however many posts link to it; the blob is encrypted at rest. */
export const documents = pgTable(
  'documents',
  {
    id: id(),
    sha256: text().unique(),
    name: text().notNull(),
    sniffedType: text(),
    sizeBytes: bigint({ mode: 'number' }),
    status: text({ enum: documentStatuses }).notNull().default('pending'),
    error: text(),
    /** Entries skipped, names that lied, pages not read: what did not stop the document but an analyst should know. */
    warnings: jsonb().$type<string[]>().notNull().default([]),
    storageKey: text(),
    counts: jsonb().$type<Record<string, number>>().notNull().default({}),
    timings: jsonb().$type<Record<string, number>>().notNull().default({}),
    /** Download progress: bytes received so far (kept across resumes) and the size the server announced. */
    downloadedBytes: bigint({ mode: 'number' }).notNull().default(0),
    expectedBytes: bigint({ mode: 'number' }),
    /** Failed download or extraction attempts, and when the next one may start (back-off). */
    attempts: integer().notNull().default(0),
    nextAttemptAt: at(),
    /** Extractions started, counted on claim: one that crashed or was killed (out of memory) counts too. */
    extractAttempts: integer().notNull().default(0),
    /** The worker downloading or extracting the document, until when (a dead worker's claim expires). */
    leaseOwner: text(),
    leaseUntil: at(),
    /** Found in a directory listing: the listing's document, and how many listings deep. */
    parentId: ref().references((): AnyPgColumn => documents.id, { onDelete: 'set null' }),
    listingDepth: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    storedAt: at(),
    extractedAt: at(),
    /** The raw file was deleted from the evidence store under the retention setting (the row and counts stay). */
    rawDeletedAt: at(),
  },
  (t) => [index().on(t.status, t.nextAttemptAt), index().on(t.parentId)],
);

export const postDocuments = pgTable(
  'post_documents',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    documentId: ref()
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    sourceUrl: text().notNull(),
    fileName: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.postId, t.sourceUrl), index().on(t.documentId)],
);
