/** Read-only query behind the analyst UI's alert list: recent alerts with delivery state and failure reasons. */
import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { type alertStates, alerts, channels, organisations, posts } from './schema/index.ts';

export type AlertState = (typeof alertStates)[number];

/** A watch term an alert reports (from its payload): what an analyst can mute from it. */
export interface AlertTerm {
  termId: number;
  pattern: string;
}

/**
 * The watch terms of an alert's payload (`terms`), as stored by the outbox. Never null (the query builder does not
 * decode a null); a driver may hand the jsonb over as text.
 */
export const alertTermsColumn = sql<unknown>`coalesce(${alerts.payload} -> 'terms', '[]'::jsonb)`.mapWith(
  (value: unknown) => termsOf(typeof value === 'string' ? JSON.parse(value) : value),
);

/** The well-formed entries of a payload's `terms` (the mutes judge alerts by the same list); anything else is ignored. */
export function termsOf(value: unknown): AlertTerm[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((term: { termId?: unknown; pattern?: unknown }) =>
    typeof term?.termId === 'number' && typeof term.pattern === 'string'
      ? [{ termId: term.termId, pattern: term.pattern }]
      : [],
  );
}

export interface AlertListItem {
  id: number;
  orgId: number | null;
  siteId: string | null;
  postId: number | null;
  postTitle: string | null;
  orgSlug: string | null;
  channelName: string;
  channelType: string;
  kind: string;
  severity: string;
  state: string;
  lifecycle: string;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  parentAlertId: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
  terms: AlertTerm[];
}

/** Newest first; `before` is the id of the last alert of the previous page. */
export async function listAlertPage(
  db: Db,
  query: { state?: AlertState; before?: number; limit: number },
): Promise<{ items: AlertListItem[]; next: number | null }> {
  const conditions: SQL[] = [];
  if (query.state) conditions.push(eq(alerts.state, query.state));
  if (query.before !== undefined) conditions.push(lt(alerts.id, query.before));
  const rows = await db
    .select({
      id: alerts.id,
      orgId: alerts.orgId,
      siteId: alerts.siteId,
      postId: alerts.postId,
      postTitle: posts.title,
      orgSlug: organisations.slug,
      channelName: channels.name,
      channelType: channels.type,
      kind: alerts.kind,
      severity: alerts.severity,
      state: alerts.state,
      lifecycle: alerts.lifecycle,
      attempts: alerts.attempts,
      nextAttemptAt: alerts.nextAttemptAt,
      lastError: alerts.lastError,
      parentAlertId: alerts.parentAlertId,
      createdAt: alerts.createdAt,
      deliveredAt: alerts.deliveredAt,
      terms: alertTermsColumn,
    })
    .from(alerts)
    .innerJoin(channels, eq(channels.id, alerts.channelId))
    .leftJoin(organisations, eq(organisations.id, alerts.orgId))
    .leftJoin(posts, eq(posts.id, alerts.postId))
    .where(and(...conditions))
    .orderBy(desc(alerts.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  return { items, next: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
}

/** What an action on one alert needs to know about it; null when there is no such alert. */
export async function getAlertScope(
  db: Db,
  alertId: number,
): Promise<{
  id: number;
  orgId: number | null;
  siteId: string | null;
  postId: number | null;
  termIds: number[];
} | null> {
  const [row] = await db
    .select({
      id: alerts.id,
      orgId: alerts.orgId,
      siteId: alerts.siteId,
      postId: alerts.postId,
      terms: alertTermsColumn,
    })
    .from(alerts)
    .where(eq(alerts.id, alertId));
  if (!row) return null;
  const { terms, ...scope } = row;
  return { ...scope, termIds: terms.map((term) => term.termId) };
}
