/**
 * One place where outbox rows are written, whatever caused them (matches, post events, site health, new posts), so
 * every alert gets the same treatment: de-duplicated per (channel, dedupe key), muted when a mute covers it (still
 * written, never delivered), held for the channel's daily digest when it is low-severity and the channel wants one.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { alerts, channels } from '../store/schema/index.ts';
import { routingOf } from './channels/channel.ts';
import { type MuteFacts, type MuteRow, muteFor } from './mutes.ts';
import type { Severity } from './payload.ts';

export type ChannelRow = typeof channels.$inferSelect;

export interface OutboxRow {
  orgId: number | null;
  postId: number | null;
  siteId: string | null;
  incidentId?: number | null;
  kind: string;
  dedupeKey: string;
  parentAlertId?: number | null;
  severity: Severity;
  payload: object;
  /** Term ids and whether identifiers were found, for term mutes; empty for alerts not about terms. */
  termIds?: readonly number[];
  identifierEvidence?: boolean;
}

/** Enabled channels of an organisation, or the analysts' channels (org_id null). */
export async function enabledChannels(tx: Db, orgId: number | null): Promise<ChannelRow[]> {
  return tx
    .select()
    .from(channels)
    .where(
      and(orgId === null ? isNull(channels.orgId) : eq(channels.orgId, orgId), eq(channels.enabled, true)),
    );
}

/** Writes the row unless the channel already has its dedupe key; returns whether a row was written. */
export async function writeOutboxRow(
  tx: Db,
  channel: ChannelRow,
  row: OutboxRow,
  mutes: readonly MuteRow[],
  at: Date,
): Promise<boolean> {
  const facts: MuteFacts = {
    orgId: row.orgId,
    siteId: row.siteId,
    postId: row.postId,
    termIds: row.termIds ?? [],
    identifierEvidence: row.identifierEvidence ?? true,
  };
  const muted = muteFor(facts, mutes) !== undefined;
  const digest = !muted && row.severity === 'low' && routingOf(channel.settings).digest;
  const written = await tx
    .insert(alerts)
    .values({
      channelId: channel.id,
      orgId: row.orgId,
      postId: row.postId,
      siteId: row.siteId,
      incidentId: row.incidentId ?? null,
      kind: row.kind,
      dedupeKey: row.dedupeKey,
      parentAlertId: row.parentAlertId ?? null,
      severity: row.severity,
      state: muted ? 'muted' : 'pending',
      digest,
      payload: row.payload as Record<string, unknown>,
      // A digest alert's time is set by the dispatcher (the next digest hour in the scheduler's zone).
      nextAttemptAt: muted || digest ? null : at,
    })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  return written.length > 0;
}
