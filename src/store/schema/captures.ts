import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ref } from './columns.ts';
import { posts } from './posts.ts';
import { crawlRuns, sites } from './sites.ts';

/**
 * A page as the crawler saw it: the HTML (or JSON) and, on the browser engine, a screenshot — both in the evidence
 * store, named by sha256. Listing pages belong to a run; post pages also to their post.
 */
export const captures = pgTable(
  'captures',
  {
    id: id(),
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    runId: ref().references(() => crawlRuns.id, { onDelete: 'set null' }),
    postId: ref().references(() => posts.id, { onDelete: 'cascade' }),
    kind: text({ enum: ['listing', 'post'] }).notNull(),
    url: text().notNull(),
    httpStatus: integer(),
    bodySha256: text(),
    screenshotSha256: text(),
    bytes: integer().notNull().default(0),
    capturedAt: createdAt(),
  },
  (t) => [index().on(t.postId), index().on(t.runId)],
);
