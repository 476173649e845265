import { bigint, boolean, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, updatedAt } from './columns.ts';

export const siteHealthStates = [
  'unknown',
  'up',
  'down',
  'captcha',
  'seized',
  'layout_broken',
  'tor_unavailable',
] as const;

/** A leak site, keyed by the id of its definition in crawlers/ or the YAML definitions folder. */
export const sites = pgTable('sites', {
  id: text().primaryKey(),
  name: text().notNull(),
  groupName: text().notNull(),
  engine: text({ enum: ['http', 'browser'] }).notNull(),
  schedule: text().notNull(),
  enabled: boolean().notNull().default(true),
  definitionSource: text().notNull(),
  health: text({ enum: siteHealthStates }).notNull().default('unknown'),
  healthSince: at(),
  healthDetail: text(),
  consecutiveFailures: integer().notNull().default(0),
  /** Back-off: scheduled runs before this instant are skipped. */
  nextAttemptAt: at(),
  lastRunAt: at(),
  lastSuccessAt: at(),
  /** At most one crawl of a site at a time across all workers: the holder renews the lease while it runs. */
  crawlLeaseOwner: text(),
  crawlLeaseUntil: at(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const siteMirrors = pgTable(
  'site_mirrors',
  {
    id: id(),
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    position: integer().notNull().default(0),
    lastSuccessAt: at(),
    lastFailureAt: at(),
    consecutiveFailures: integer().notNull().default(0),
    lastError: text(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.siteId, t.url)],
);

export const crawlRunStatuses = [
  'running',
  'succeeded',
  'partial',
  'down',
  'captcha',
  'seized',
  'layout_broken',
  'tor_unavailable',
  'failed',
] as const;

/** One row per crawl of one site: what was fetched, what changed, what went wrong. */
export const crawlRuns = pgTable(
  'crawl_runs',
  {
    id: id(),
    siteId: text()
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    mirrorId: ref().references(() => siteMirrors.id, { onDelete: 'set null' }),
    status: text({ enum: crawlRunStatuses }).notNull().default('running'),
    trigger: text({ enum: ['schedule', 'manual', 'retry'] })
      .notNull()
      .default('schedule'),
    worker: text(),
    baseline: boolean().notNull().default(false),
    pagesFetched: integer().notNull().default(0),
    bytesFetched: bigint({ mode: 'number' }).notNull().default(0),
    postsSeen: integer().notNull().default(0),
    postsNew: integer().notNull().default(0),
    postsUpdated: integer().notNull().default(0),
    postsRemoved: integer().notNull().default(0),
    errors: jsonb().$type<Array<{ code: string; message: string; url?: string }>>().notNull().default([]),
    timings: jsonb().$type<Record<string, number>>().notNull().default({}),
    startedAt: createdAt(),
    finishedAt: at(),
  },
  (t) => [index().on(t.siteId, t.startedAt)],
);
