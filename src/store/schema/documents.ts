import { bigint, index, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
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
    storageKey: text(),
    counts: jsonb().$type<Record<string, number>>().notNull().default({}),
    timings: jsonb().$type<Record<string, number>>().notNull().default({}),
    createdAt: createdAt(),
    extractedAt: at(),
  },
  (t) => [index().on(t.status)],
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
