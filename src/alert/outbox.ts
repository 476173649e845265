/**
 * The outbox: `alertOutbox()` returns the matching service's `onMatches` hook, which writes alert rows in the same
 * transaction as the match records that cause them. One alert per (organisation, post, kind) and channel; new evidence
 * (more identifiers, new categories, a new file matched) becomes a follow-up that references the first alert;
 * unchanged re-crawls write nothing (the matching service reports no change for them).
 */
import { and, eq } from 'drizzle-orm';
import { maskIdentifiersIn } from '../match/mask-text.ts';
import type { MatchChange, MatchOutcome, OnMatches } from '../match/record-matches.ts';
import type { Db } from '../store/db.ts';
import { alerts, documents, incidents, organisations, posts, sites } from '../store/schema/index.ts';
import { mutesFor } from './mutes.ts';
import { enabledChannels, writeOutboxRow } from './outbox-rows.ts';
import { type AlertPayload, SEVERITY_RANK, type Severity } from './payload.ts';

export interface OutboxOptions {
  /** Base of links to the analyst UI (web.publicUrl, or http://host:port). */
  publicUrl: string;
  now?: () => Date;
  /** match.phoneRegions: national phone numbers in titles and file names are masked for these regions. */
  phoneRegions?: readonly string[];
}

const GDPR_MS = 72 * 3600 * 1000;
export const MATCH_KIND = 'match';

export function matchDedupeKey(orgId: number, postId: number, kind = MATCH_KIND): string {
  return `${kind}:org:${orgId}:post:${postId}`;
}

/** What identifies one piece of evidence: a follow-up is written once per distinct state of a match record. */
function evidenceKey(change: MatchChange): string {
  const m = change.match;
  const ids = Object.entries(m.identifierCounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(',');
  return `doc:${m.documentId ?? 'post'}:ids:${ids}:cat:${[...m.categories].sort().join(',')}`;
}

function reasonOf(change: MatchChange): string {
  if (change.kind === 'created')
    return change.match.documentId === null
      ? 'the post itself now matches'
      : 'a new file of the post matches';
  const parts: string[] = [];
  if (change.identifiersAdded > 0) parts.push(`${change.identifiersAdded} more registered identifiers`);
  if (change.categoriesAdded.length) parts.push(`new data categories: ${change.categoriesAdded.join(', ')}`);
  if (change.termsAdded > 0) parts.push(`${change.termsAdded} more terms`);
  return parts.join('; ') || 'new evidence';
}

export function alertOutbox(options: OutboxOptions): OnMatches {
  const now = options.now ?? (() => new Date());
  return async (tx: Db, outcome: MatchOutcome) => {
    for (const change of outcome.changes) {
      // 'updated' is a change of samples or locations only: no new evidence for a responder.
      if (change.kind === 'updated') continue;
      await writeAlerts(tx, change, options, now());
    }
  };
}

async function writeAlerts(tx: Db, change: MatchChange, options: OutboxOptions, at: Date): Promise<void> {
  const m = change.match;
  const targets = (await enabledChannels(tx, m.orgId)).filter(
    (c) => SEVERITY_RANK[m.severity as Severity] >= SEVERITY_RANK[c.minSeverity as Severity],
  );
  if (targets.length === 0) return;
  const [context] = await tx
    .select({ post: posts, site: sites, orgName: organisations.name })
    .from(posts)
    .innerJoin(sites, eq(sites.id, posts.siteId))
    .innerJoin(organisations, eq(organisations.id, m.orgId))
    .where(eq(posts.id, m.postId));
  if (!context) return;
  const storedName = m.documentId
    ? ((await tx.select({ name: documents.name }).from(documents).where(eq(documents.id, m.documentId)))[0]
        ?.name ?? null)
    : null;
  // Captured names can hold identifiers themselves: the payload (and every channel after it) gets them masked.
  const documentName = storedName === null ? null : maskIdentifiersIn(storedName, options.phoneRegions);
  const title = maskIdentifiersIn(context.post.title, options.phoneRegions);
  // The GDPR art. 33 clock starts with the incident's first alert.
  let clock = at;
  if (m.incidentId) {
    const [incident] = await tx
      .select({ firstAlertAt: incidents.firstAlertAt })
      .from(incidents)
      .where(eq(incidents.id, m.incidentId));
    if (incident?.firstAlertAt) clock = incident.firstAlertAt;
    else await tx.update(incidents).set({ firstAlertAt: at }).where(eq(incidents.id, m.incidentId));
  }
  const base = matchDedupeKey(m.orgId, m.postId);
  const mutes = await mutesFor(tx, m.orgId, context.site.id);
  const identifierEvidence =
    Object.values(m.identifierCounts).some((n) => n > 0) || (m.verdict?.recordsMatched ?? 0) > 0;
  for (const channel of targets) {
    const [root] = await tx
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.channelId, channel.id), eq(alerts.dedupeKey, base)));
    const followUp = root ? { parentAlertId: root.id, reason: reasonOf(change) } : null;
    const payload: AlertPayload = {
      version: 1,
      kind: MATCH_KIND,
      severity: m.severity as Severity,
      organisation: { id: m.orgId, name: context.orgName },
      site: { id: context.site.id, name: context.site.name, group: context.site.groupName },
      post: {
        id: m.postId,
        title,
        status: context.post.status,
        firstSeenAt: context.post.firstSeenAt.toISOString(),
        link: `${options.publicUrl.replace(/\/+$/, '')}/posts/${m.postId}`,
      },
      documentId: m.documentId,
      documentName,
      terms: m.termsHit.map(({ termId, pattern, count }) => ({ termId, pattern, count })),
      identifierCounts: m.identifierCounts,
      verdict: m.verdict,
      categories: m.categories,
      health: m.categories.includes('health') || isHealth(m.details),
      // Masked samples are kept only for channels that show them.
      maskedSamples: (channel.settings as { samples?: boolean }).samples ? m.maskedSamples : [],
      gdpr: {
        clockStartedAt: clock.toISOString(),
        deadline: new Date(clock.getTime() + GDPR_MS).toISOString(),
      },
      followUp: followUp
        ? {
            parentAlertId: followUp.parentAlertId,
            identifiersAdded: change.identifiersAdded,
            categoriesAdded: change.categoriesAdded,
            termsAdded: change.termsAdded,
            reason: followUp.reason,
          }
        : null,
    };
    await writeOutboxRow(
      tx,
      channel,
      {
        orgId: m.orgId,
        postId: m.postId,
        siteId: context.site.id,
        incidentId: m.incidentId,
        kind: MATCH_KIND,
        dedupeKey: root ? `${base}:${evidenceKey(change)}` : base,
        parentAlertId: root?.id ?? null,
        severity: m.severity as Severity,
        payload,
        termIds: m.termsHit.map((t) => t.termId),
        identifierEvidence,
      },
      mutes,
      at,
    );
  }
}

function isHealth(details: Record<string, unknown>): boolean {
  const health = details.health as { isHealth?: boolean } | null | undefined;
  return health?.isHealth === true;
}
