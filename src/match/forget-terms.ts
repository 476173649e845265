/**
 * Removing a watch term withdraws its evidence: an organisation that removes a term (a false positive, a name it no
 * longer uses) expects the leaks it raised to stop being reported as theirs. In the same transaction as the removal:
 *
 * - the term's hits leave every match record of the organisation, whose severity is recomputed from what remains;
 * - a match record left with no evidence at all (no other term, no registered identifier) is deleted;
 * - an incident left without match records is resolved; one that keeps some takes the highest severity left;
 * - alerts not sent yet about a post that no longer matches are muted. Alerts already sent stay, as history.
 */
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import type { WatchTerm } from '../store/organisations.repository.ts';
import { alerts, incidents, matches, watchTerms } from '../store/schema/index.ts';
import { removeWatchTerms } from '../store/watch-terms.repository.ts';
import type { Category } from './detect/candidate.ts';
import { maxSeverity, type Severity, severityOf } from './severity.ts';

export interface TermsForgotten {
  /** Match records that lost hits and still hold other evidence (updated). */
  updated: number;
  /** Match records left without evidence (deleted). */
  deleted: number;
  /** Incidents left without match records (resolved). */
  incidentsResolved: number;
  /** Pending alerts about posts that no longer match (muted). */
  alertsMuted: number;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, c) => n + c, 0);

/** Withdraws the hits of removed terms from an organisation's match records; run in the removal's transaction. */
export async function forgetTermHits(
  tx: Db,
  orgId: number,
  removedTermIds: readonly number[],
): Promise<TermsForgotten> {
  const report: TermsForgotten = { updated: 0, deleted: 0, incidentsResolved: 0, alertsMuted: 0 };
  if (removedTermIds.length === 0) return report;
  const removed = new Set(removedTermIds);
  const hitBy = sql.join(
    removedTermIds.map((termId) => sql`${matches.termsHit} @> ${JSON.stringify([{ termId }])}::jsonb`),
    sql` or `,
  );
  const touched = await tx
    .select()
    .from(matches)
    .where(and(eq(matches.orgId, orgId), sql`(${hitBy})`) as SQL);
  if (touched.length === 0) return report;
  const kinds = new Map(
    (
      await tx
        .select({ id: watchTerms.id, kind: watchTerms.kind })
        .from(watchTerms)
        .where(eq(watchTerms.orgId, orgId))
    ).map((term) => [term.id, term.kind]),
  );
  const incidentIds = new Set<number>();
  const postsLost = new Set<number>();
  for (const match of touched) {
    if (match.incidentId) incidentIds.add(match.incidentId);
    const termsHit = match.termsHit.filter((hit) => !removed.has(hit.termId));
    if (termsHit.length === 0 && total(match.identifierCounts) === 0) {
      await tx.delete(matches).where(eq(matches.id, match.id));
      postsLost.add(match.postId);
      report.deleted++;
      continue;
    }
    const { severity, reason } = severityOf({
      termKinds: new Set(termsHit.map((hit) => kinds.get(hit.termId)).filter((kind) => kind !== undefined)),
      identifierCounts: match.identifierCounts,
      credentialsMatched: Number(match.details.credentialsMatched ?? 0),
      categories: new Set(match.categories as Category[]),
      verdict: match.verdict,
    });
    const withdrawn = match.termsHit
      .filter((hit) => removed.has(hit.termId))
      .map(({ termId, pattern }) => ({ termId, pattern }));
    await tx
      .update(matches)
      .set({
        termsHit,
        severity,
        details: {
          ...match.details,
          severityReason: reason,
          termsWithdrawn: [...((match.details.termsWithdrawn as unknown[]) ?? []), ...withdrawn],
        },
      })
      .where(eq(matches.id, match.id));
    report.updated++;
  }
  report.incidentsResolved = await settleIncidents(tx, [...incidentIds]);
  report.alertsMuted = await muteUnsentAlerts(tx, orgId, [...postsLost]);
  return report;
}

/** Incidents that lost evidence: resolved when none is left, else at the highest severity left. */
async function settleIncidents(tx: Db, incidentIds: number[]): Promise<number> {
  if (incidentIds.length === 0) return 0;
  const left = await tx
    .select({ incidentId: matches.incidentId, severity: matches.severity })
    .from(matches)
    .where(inArray(matches.incidentId, incidentIds));
  let resolved = 0;
  for (const incidentId of incidentIds) {
    const severities = left.filter((m) => m.incidentId === incidentId).map((m) => m.severity as Severity);
    if (severities.length === 0) {
      await tx.update(incidents).set({ status: 'resolved' }).where(eq(incidents.id, incidentId));
      resolved++;
    } else {
      await tx
        .update(incidents)
        .set({ severity: severities.reduce(maxSeverity) })
        .where(eq(incidents.id, incidentId));
    }
  }
  return resolved;
}

/** Pending alerts of the organisation about posts none of whose match records is left. */
async function muteUnsentAlerts(tx: Db, orgId: number, postIds: number[]): Promise<number> {
  if (postIds.length === 0) return 0;
  const stillMatching = new Set(
    (
      await tx
        .select({ postId: matches.postId })
        .from(matches)
        .where(and(eq(matches.orgId, orgId), inArray(matches.postId, postIds)))
    ).map((row) => row.postId),
  );
  const lost = postIds.filter((postId) => !stillMatching.has(postId));
  if (lost.length === 0) return 0;
  const muted = await tx
    .update(alerts)
    .set({ state: 'muted', lastError: 'not sent: the watch term behind it was removed' })
    .where(and(eq(alerts.orgId, orgId), inArray(alerts.postId, lost), eq(alerts.state, 'pending')))
    .returning({ id: alerts.id });
  return muted.length;
}

/** Removes watch terms of an organisation and withdraws their evidence, in one transaction. */
export async function removeTermsWithEvidence(
  db: Db,
  orgId: number,
  which: Parameters<typeof removeWatchTerms>[2],
): Promise<{ removed: WatchTerm[]; forgotten: TermsForgotten }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const removed = await removeWatchTerms(tx, orgId, which);
    const forgotten = await forgetTermHits(
      tx,
      orgId,
      removed.map((term) => term.id),
    );
    return { removed, forgotten };
  });
}
