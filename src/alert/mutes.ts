/**
 * Mutes: what an analyst silenced. Alerts are still written (state `muted`, visible in `alerts list`) so the record
 * stays complete, but never delivered. Unlike a muted watch term (which the matcher skips, so nothing is recorded), an
 * alert mute keeps the matching and only stops the message.
 *
 * - term: a watch term that produces false positives. An alert is muted when its only evidence is muted terms of its
 *   organisation; a registered identifier found in the same post still alerts.
 * - site: every alert about a leak site (matches, follow-ups, site health, new posts).
 * - post: one organisation's alerts about one post.
 */
import { and, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import { termsOf } from '../store/alerts-view.repository.ts';
import { appendAudit } from '../store/audit-log.repository.ts';
import type { Db } from '../store/db.ts';
import { alertMutes, alerts, organisations, posts, sites, watchTerms } from '../store/schema/index.ts';
import { type Actor, actorDetails, CLI_ACTOR } from './lifecycle.ts';

export type MuteRow = typeof alertMutes.$inferSelect;

export type MuteTarget =
  | { kind: 'term'; termId: number }
  | { kind: 'site'; siteId: string }
  | { kind: 'post'; orgId: number; postId: number };

/** What a mute is judged against: an alert as the outbox is about to write it, or a pending one. */
export interface MuteFacts {
  orgId: number | null;
  siteId: string | null;
  postId: number | null;
  /** Watch terms matched (ids); empty for alerts that are not about terms. */
  termIds: readonly number[];
  /** Registered identifiers or dump records were found: evidence a term mute never hides. */
  identifierEvidence: boolean;
}

/** The mute that silences an alert with these facts, if any. Pure. */
export function muteFor(facts: MuteFacts, mutes: readonly MuteRow[]): MuteRow | undefined {
  for (const mute of mutes) {
    if (mute.kind === 'site' && facts.siteId !== null && mute.siteId === facts.siteId) return mute;
    if (
      mute.kind === 'post' &&
      facts.postId !== null &&
      mute.postId === facts.postId &&
      mute.orgId === facts.orgId
    )
      return mute;
  }
  if (facts.identifierEvidence || facts.termIds.length === 0) return undefined;
  const mutedTerms = new Map(
    mutes
      .filter((m) => m.kind === 'term' && m.orgId === facts.orgId && m.termId !== null)
      .map((m) => [m.termId as number, m]),
  );
  if (!facts.termIds.every((id) => mutedTerms.has(id))) return undefined;
  return mutedTerms.get(facts.termIds[0] as number);
}

/** The mutes that could apply to alerts of this organisation (or the analysts') about this site. */
export async function mutesFor(db: Db, orgId: number | null, siteId: string | null): Promise<MuteRow[]> {
  const scope: SQL[] = [];
  if (siteId !== null) scope.push(and(eq(alertMutes.kind, 'site'), eq(alertMutes.siteId, siteId)) as SQL);
  if (orgId !== null)
    scope.push(and(inArray(alertMutes.kind, ['term', 'post']), eq(alertMutes.orgId, orgId)) as SQL);
  if (scope.length === 0) return [];
  return db
    .select()
    .from(alertMutes)
    .where(or(...scope));
}

/** Facts of a match alert payload (as stored), for judging pending alerts against a new mute. */
export function factsOfPayload(
  row: { orgId: number | null; siteId: string | null; postId: number | null },
  payload: Record<string, unknown>,
): MuteFacts {
  const counts = (payload.identifierCounts as Record<string, number> | undefined) ?? {};
  const verdict = payload.verdict as { recordsMatched: number } | null | undefined;
  return {
    orgId: row.orgId,
    siteId: row.siteId,
    postId: row.postId,
    termIds: termsOf(payload.terms).map((term) => term.termId),
    identifierEvidence: Object.values(counts).some((n) => n > 0) || (verdict?.recordsMatched ?? 0) > 0,
  };
}

/**
 * The mutes an analyst may add from an alert itself: its leak site, its organisation's alerts about its post, or one of
 * the watch terms it reports.
 */
export type AlertMuteScope = 'site' | 'post' | 'term';

/**
 * The mute target of that scope for this alert; undefined when the alert has no site (or no organisation+post), or
 * does not report the watch term `termId` (a form cannot mute a term of another organisation through an alert).
 */
export function muteTargetOfAlert(
  alert: { orgId: number | null; siteId: string | null; postId: number | null; termIds?: readonly number[] },
  scope: AlertMuteScope,
  termId?: number,
): MuteTarget | undefined {
  if (scope === 'site') return alert.siteId === null ? undefined : { kind: 'site', siteId: alert.siteId };
  if (scope === 'term') {
    const reported = alert.orgId !== null && termId !== undefined && (alert.termIds ?? []).includes(termId);
    return reported ? { kind: 'term', termId } : undefined;
  }
  if (alert.orgId === null || alert.postId === null) return undefined;
  return { kind: 'post', orgId: alert.orgId, postId: alert.postId };
}

async function checkTarget(db: Db, target: MuteTarget): Promise<{ orgId: number | null; label: string }> {
  if (target.kind === 'term') {
    const [term] = await db
      .select({ orgId: watchTerms.orgId, pattern: watchTerms.pattern })
      .from(watchTerms)
      .where(eq(watchTerms.id, target.termId));
    if (!term)
      throw new InputError('alert.mute_target', `no watch term #${target.termId}`, {
        hint: 'see `leakwatch terms list`',
      });
    return { orgId: term.orgId, label: `term #${target.termId} "${term.pattern}"` };
  }
  if (target.kind === 'site') {
    const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.id, target.siteId));
    if (!site) throw new InputError('alert.mute_target', `no site "${target.siteId}"`);
    return { orgId: null, label: `site ${target.siteId}` };
  }
  const [post] = await db.select({ id: posts.id }).from(posts).where(eq(posts.id, target.postId));
  const [org] = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.id, target.orgId));
  if (!post || !org) throw new InputError('alert.mute_target', `no post #${target.postId}`);
  return { orgId: target.orgId, label: `post #${target.postId}` };
}

function targetWhere(target: MuteTarget, orgId: number | null): SQL {
  return and(
    eq(alertMutes.kind, target.kind),
    orgId === null ? isNull(alertMutes.orgId) : eq(alertMutes.orgId, orgId),
    target.kind === 'term' ? eq(alertMutes.termId, target.termId) : isNull(alertMutes.termId),
    target.kind === 'site' ? eq(alertMutes.siteId, target.siteId) : isNull(alertMutes.siteId),
    target.kind === 'post' ? eq(alertMutes.postId, target.postId) : isNull(alertMutes.postId),
  ) as SQL;
}

/**
 * Adds a mute (or finds the same one) and mutes the pending alerts it covers, in one transaction with its audit
 * entry. Alerts being sent right now (`sending`) are left to finish: stopping a message already on the wire is not
 * possible.
 */
export async function addMute(
  db: Db,
  target: MuteTarget,
  reason: string | null = null,
  by: Actor = CLI_ACTOR,
): Promise<{ mute: MuteRow; label: string; alertsMuted: number }> {
  return db.transaction(async (tx) => {
    const { orgId, label } = await checkTarget(tx, target);
    await tx
      .insert(alertMutes)
      .values({
        kind: target.kind,
        orgId,
        termId: target.kind === 'term' ? target.termId : null,
        siteId: target.kind === 'site' ? target.siteId : null,
        postId: target.kind === 'post' ? target.postId : null,
        reason,
      })
      .onConflictDoNothing();
    const [mute] = await tx.select().from(alertMutes).where(targetWhere(target, orgId));
    if (!mute) throw new Error(`mute of ${label} vanished while it was added`);
    const scope =
      target.kind === 'site'
        ? eq(alerts.siteId, target.siteId)
        : target.kind === 'post'
          ? and(eq(alerts.orgId, target.orgId), eq(alerts.postId, target.postId))
          : eq(alerts.orgId, orgId as number);
    const pending = await tx
      .select({
        id: alerts.id,
        orgId: alerts.orgId,
        siteId: alerts.siteId,
        postId: alerts.postId,
        payload: alerts.payload,
      })
      .from(alerts)
      .where(and(eq(alerts.state, 'pending'), scope));
    const all = await mutesFor(tx, orgId, target.kind === 'site' ? target.siteId : null);
    const ids = pending.filter((row) => muteFor(factsOfPayload(row, row.payload), all)).map((row) => row.id);
    if (ids.length > 0)
      await tx.update(alerts).set({ state: 'muted', nextAttemptAt: null }).where(inArray(alerts.id, ids));
    // The reason is the analyst's own words and stays in alert_mutes; the log keeps what and how much.
    await appendAudit(tx as unknown as Db, {
      actor: by.actor,
      action: 'alert.mute',
      targetType: 'alert_mute',
      targetId: mute.id,
      details: { kind: target.kind, label, alertsMuted: ids.length, ...actorDetails(by) },
    });
    return { mute, label, alertsMuted: ids.length };
  });
}

/** Removes a mute by id. Alerts it muted stay muted (they were judged then); later alerts are delivered again. */
export async function removeMute(db: Db, muteId: number, by: Actor = CLI_ACTOR): Promise<MuteRow> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [removed] = await tx.delete(alertMutes).where(eq(alertMutes.id, muteId)).returning();
    if (!removed)
      throw new InputError('alert.mute_not_found', `no mute #${muteId}`, {
        hint: 'see `leakwatch alerts mutes`',
      });
    await appendAudit(tx, {
      actor: by.actor,
      action: 'alert.unmute',
      targetType: 'alert_mute',
      targetId: muteId,
      details: { kind: removed.kind, ...actorDetails(by) },
    });
    return removed;
  });
}

export async function listMutes(db: Db) {
  return db
    .select({
      id: alertMutes.id,
      kind: alertMutes.kind,
      org: organisations.slug,
      termId: alertMutes.termId,
      term: watchTerms.pattern,
      siteId: alertMutes.siteId,
      postId: alertMutes.postId,
      reason: alertMutes.reason,
      createdAt: alertMutes.createdAt,
    })
    .from(alertMutes)
    .leftJoin(organisations, eq(organisations.id, alertMutes.orgId))
    .leftJoin(watchTerms, eq(watchTerms.id, alertMutes.termId))
    .orderBy(alertMutes.id);
}
