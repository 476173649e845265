import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, updatedAt } from './columns.ts';
import { documents } from './documents.ts';
import { organisations } from './organisations.ts';
import { posts } from './posts.ts';

export const severities = ['low', 'medium', 'high', 'critical'] as const;

/** An organisation affected by a leak, possibly across several posts and sites. */
export const incidents = pgTable(
  'incidents',
  {
    id: id(),
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    firstPostId: ref().references(() => posts.id, { onDelete: 'set null' }),
    title: text().notNull(),
    status: text({ enum: ['open', 'acknowledged', 'resolved'] })
      .notNull()
      .default('open'),
    severity: text({ enum: severities }).notNull(),
    /** Start of the GDPR art. 33 72-hour clock. */
    firstAlertAt: at(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index().on(t.orgId, t.status)],
);

/**
 * What one post (and one of its documents, or the post text when document_id is null) reveals about one
 * organisation. Holds counts and masked samples only, never the matched identifiers.
 */
export const matches = pgTable(
  'matches',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    documentId: ref().references(() => documents.id, { onDelete: 'cascade' }),
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    incidentId: ref().references(() => incidents.id, { onDelete: 'set null' }),
    termsHit: jsonb()
      .$type<Array<{ termId: number; pattern: string; count: number }>>()
      .notNull()
      .default([]),
    identifierCounts: jsonb().$type<Record<string, number>>().notNull().default({}),
    verdict: jsonb().$type<{ recordsMatched: number; recordsTotal: number } | null>(),
    categories: text().array().notNull().default(sql`'{}'::text[]`),
    severity: text({ enum: severities }).notNull(),
    maskedSamples: jsonb().$type<string[]>().notNull().default([]),
    locations: jsonb()
      .$type<Array<{ document?: string; row?: number; page?: number; sheet?: string; line?: number }>>()
      .notNull()
      .default([]),
    /**
     * Counts behind the categories (card numbers, credential lines, health evidence), the earlier content this one
     * repeats, and the version of the matching rules: never an identifier.
     */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique().on(t.postId, t.documentId, t.orgId).nullsNotDistinct(), index().on(t.orgId, t.createdAt)],
);
