import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
import { organisations } from './organisations.ts';

export const retroHuntStatuses = ['running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * A re-matching of stored posts and documents after terms or identifiers were added, with its progress, so that the
 * CLI, the web UI and other processes can follow it.
 */
export const retroHunts = pgTable(
  'retro_hunts',
  {
    id: id(),
    /** Null: every organisation. */
    orgId: ref().references(() => organisations.id, { onDelete: 'cascade' }),
    reason: text().notNull(),
    since: at(),
    status: text({ enum: retroHuntStatuses }).notNull().default('running'),
    postsTotal: integer().notNull().default(0),
    postsDone: integer().notNull().default(0),
    documentsTotal: integer().notNull().default(0),
    documentsDone: integer().notNull().default(0),
    documentsSkipped: integer().notNull().default(0),
    /** Matches created or grown by the hunt. */
    changes: jsonb().$type<{ created: number; grown: number }>().notNull().default({ created: 0, grown: 0 }),
    /**
     * Where the hunt has got to: the last post and the last document matched (ids are walked in order). A hunt picked
     * up again after its worker stopped or died goes on from here instead of from the start.
     */
    postCursor: ref().notNull().default(0),
    documentCursor: ref().notNull().default(0),
    error: text(),
    startedAt: createdAt(),
    finishedAt: at(),
  },
  (t) => [index().on(t.startedAt)],
);
