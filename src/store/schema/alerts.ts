import { type AnyPgColumn, boolean, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
import { bytea } from './identifiers.ts';
import { incidents, severities } from './matches.ts';
import { organisations, watchTerms } from './organisations.ts';
import { posts } from './posts.ts';
import { sites } from './sites.ts';

export const channelTypes = ['discord', 'webhook', 'slack', 'console'] as const;

/** Where alerts go. org_id null: the analysts' channel (site health, new posts). */
export const channels = pgTable('channels', {
  id: id(),
  orgId: ref().references(() => organisations.id, { onDelete: 'cascade' }),
  name: text().notNull(),
  type: text({ enum: channelTypes }).notNull(),
  /** Non-secret settings; webhook URLs and tokens live in secret_ciphertext, encrypted with the secret key. */
  settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  secretCiphertext: bytea(),
  minSeverity: text({ enum: severities }).notNull().default('low'),
  enabled: boolean().notNull().default(true),
  createdAt: createdAt(),
});

export const alertStates = ['pending', 'sending', 'delivered', 'failed', 'muted'] as const;

/**
 * The outbox: written in the same transaction as the matches or events that cause it, delivered at least once by the
 * dispatcher, unique per (channel, organisation/post/kind) so re-crawls do not repeat it.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    channelId: ref()
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    orgId: ref().references(() => organisations.id, { onDelete: 'cascade' }),
    postId: ref().references(() => posts.id, { onDelete: 'set null' }),
    /** The leak site concerned: site-health alerts have no post; mutes of a site apply through it. */
    siteId: text().references(() => sites.id, { onDelete: 'set null' }),
    incidentId: ref().references(() => incidents.id, { onDelete: 'set null' }),
    kind: text().notNull(),
    dedupeKey: text().notNull(),
    /** A follow-up references the first alert of its (org, post, kind). */
    parentAlertId: ref().references((): AnyPgColumn => alerts.id, { onDelete: 'set null' }),
    severity: text({ enum: severities }).notNull(),
    state: text({ enum: alertStates }).notNull().default('pending'),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    attempts: integer().notNull().default(0),
    /**
     * Held for the channel's daily digest: next_attempt_at is the digest time (set by the dispatcher when null), and
     * the due digest alerts of a channel go out together as one message.
     */
    digest: boolean().notNull().default(false),
    nextAttemptAt: at(),
    lastError: text(),
    externalId: text(),
    lifecycle: text({ enum: ['open', 'acknowledged', 'resolved'] })
      .notNull()
      .default('open'),
    createdAt: createdAt(),
    deliveredAt: at(),
  },
  (t) => [
    unique().on(t.channelId, t.dedupeKey),
    index().on(t.state, t.nextAttemptAt),
    index().on(t.orgId, t.postId),
  ],
);

export const alertMuteKinds = ['term', 'site', 'post'] as const;

/**
 * What an analyst silenced: a watch term that produces false positives (its organisation's alerts whose only evidence
 * it is), a leak site (every alert about it), or one organisation's alerts about one post. Muted alerts are still
 * written, in state `muted`, and never delivered.
 */
export const alertMutes = pgTable(
  'alert_mutes',
  {
    id: id(),
    kind: text({ enum: alertMuteKinds }).notNull(),
    orgId: ref().references(() => organisations.id, { onDelete: 'cascade' }),
    termId: ref().references(() => watchTerms.id, { onDelete: 'cascade' }),
    siteId: text().references(() => sites.id, { onDelete: 'cascade' }),
    postId: ref().references(() => posts.id, { onDelete: 'cascade' }),
    reason: text(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.kind, t.orgId, t.termId, t.siteId, t.postId).nullsNotDistinct()],
);

export const alertAttempts = pgTable(
  'alert_attempts',
  {
    id: id(),
    alertId: ref()
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    outcome: text({ enum: ['delivered', 'retry', 'failed'] }).notNull(),
    statusCode: integer(),
    error: text(),
    durationMs: integer(),
    attemptedAt: createdAt(),
  },
  (t) => [index().on(t.alertId)],
);
