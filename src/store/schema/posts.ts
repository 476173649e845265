import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
import { crawlRuns, sites } from './sites.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const postStatuses = ['unknown', 'countdown', 'published', 'removed'] as const;

/** A victim post on a leak site. Captured text is hostile input: stored as text, only ever rendered escaped. */
export const posts = pgTable(
  'posts',
  {
    id: id(),
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    /** Identity on the site: the post URL, else the normalised title. */
    stableKey: text().notNull(),
    url: text(),
    title: text().notNull(),
    bodyText: text(),
    website: text(),
    sizeText: text(),
    status: text({ enum: postStatuses }).notNull().default('unknown'),
    publishedAt: at(),
    /** The date as the site wrote it, kept when it could not be parsed. */
    publishedRaw: text(),
    countdownEndsAt: at(),
    contentHash: text(),
    firstSeenAt: createdAt(),
    lastSeenAt: createdAt(),
    removedAt: at(),
    /** Consecutive successful runs that did not list the post; removal is declared after a threshold. */
    missingRuns: integer().notNull().default(0),
    /** Accent- and case-insensitive search over title and body (text search configuration from 0000_extensions). */
    search: tsvector().generatedAlwaysAs(
      sql`to_tsvector('leakwatch_fts'::regconfig, coalesce(title, '') || ' ' || coalesce(body_text, ''))`,
    ),
  },
  (t) => [
    unique().on(t.siteId, t.stableKey),
    index().on(t.firstSeenAt),
    index().on(t.siteId, t.lastSeenAt),
    index('posts_search_idx').using('gin', t.search),
  ],
);

export const postEventKinds = [
  'new',
  'updated',
  'status_changed',
  'countdown_ended',
  'files_added',
  'removed',
  'reappeared',
] as const;

export const postEvents = pgTable(
  'post_events',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    runId: ref().references(() => crawlRuns.id, { onDelete: 'set null' }),
    kind: text({ enum: postEventKinds }).notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.postId, t.createdAt)],
);

/**
 * Posts awaiting matching: a row is written in the transaction that records a new or changed post, and deleted in the
 * transaction that records its matches. Claimed with a lease and retried with back-off like documents, so a crash,
 * a restart or a failed match is resumed. `generation` tells a re-queue (the post changed again) from the claimed one.
 */
export const postMatchQueue = pgTable(
  'post_match_queue',
  {
    postId: ref()
      .primaryKey()
      .references(() => posts.id, { onDelete: 'cascade' }),
    queuedAt: createdAt(),
    /** Counts the times the post was queued: a claim finishes only the generation it took. */
    generation: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at(),
    leaseOwner: text(),
    leaseUntil: at(),
    error: text(),
  },
  (t) => [index().on(t.nextAttemptAt)],
);
