/**
 * Writes what an analysis found as match records, in one transaction: one record per (post, document, organisation),
 * created or updated, each in an incident (the post's, or the one of an earlier copy of the same content, or a new
 * one), the content's fingerprint saved, and the caller's hook run in the same transaction (the alert outbox).
 */
import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { saveFingerprint } from '../store/fingerprints.repository.ts';
import {
  createIncident,
  incidentOfPost,
  incidentsOfContents,
  insertMatch,
  type MatchRow,
  type MatchValues,
  matchesOfContent,
  raiseIncidentSeverity,
  retitleIncidents,
  updateMatch,
} from '../store/matches.repository.ts';
import { organisations } from '../store/schema/index.ts';
import type { AnalysisResult, OrgFindings } from './analyse.ts';
import type { Category } from './detect/candidate.ts';
import { maskDocumentNames, maskIdentifiersIn } from './mask-text.ts';
import { findNearDuplicate, type NearDuplicate, ownFingerprint } from './near-duplicates.ts';
import { severityOf } from './severity.ts';

export type { NearDuplicate } from './near-duplicates.ts';

/** Bumped when the rules change, so a re-match can tell records made by older rules. */
export const RULES_VERSION = 1;

export interface MatchChange {
  /** created: a new match record; grown: more identifiers or new categories than before; updated: anything else. */
  kind: 'created' | 'grown' | 'updated';
  match: MatchRow;
  previous: MatchRow | null;
  /** Registered identifiers found now minus before (distinct, all kinds). */
  identifiersAdded: number;
  categoriesAdded: string[];
  termsAdded: number;
}

export interface MatchOutcome {
  postId: number;
  documentId: number | null;
  records: number;
  changes: MatchChange[];
  unchanged: number;
  nearDuplicateOf: NearDuplicate | null;
  categories: string[];
}

/** Runs inside the matching transaction with what changed: write outbox rows here. */
export type OnMatches = (tx: Db, outcome: MatchOutcome) => Promise<void>;

export interface ContentRef {
  postId: number;
  documentId: number | null;
  sha256: string | null;
  post: { title: string; siteId: string };
  /** A document's records are rows of a dump: the verdict is kept. */
  isDocument: boolean;
  /** match.phoneRegions: national phone numbers in the post title and file names written here are masked for these. */
  phoneRegions: readonly string[];
}

/** JSON with object keys sorted: jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, c) => n + c, 0);

function valuesOf(
  ref: ContentRef,
  findings: OrgFindings,
  result: AnalysisResult,
  near: NearDuplicate | null,
): MatchValues {
  const identifierCounts: Record<string, number> = {};
  for (const [kind, hashes] of findings.identifiers) identifierCounts[kind] = hashes.size;
  const categories = [...result.categories.keys()].sort() as Category[];
  const verdict =
    ref.isDocument && findings.identifiers.size > 0
      ? { recordsMatched: findings.recordsMatched, recordsTotal: result.records }
      : null;
  const { severity, reason } = severityOf({
    termKinds: new Set([...findings.terms.values()].map((t) => t.kind)),
    identifierCounts,
    credentialsMatched: findings.credentials.size,
    categories: new Set(categories),
    verdict,
  });
  return {
    postId: ref.postId,
    documentId: ref.documentId,
    orgId: findings.orgId,
    termsHit: [...findings.terms.values()].map(({ termId, pattern, count }) => ({ termId, pattern, count })),
    identifierCounts,
    verdict,
    categories,
    severity,
    maskedSamples: findings.samples,
    locations: findings.locations,
    details: {
      rulesVersion: RULES_VERSION,
      severityReason: reason,
      categoryCounts: Object.fromEntries(result.categories),
      credentialsMatched: findings.credentials.size,
      health: result.health,
      nearDuplicateOf: near,
      regexesStopped: result.regexesStopped,
    },
  };
}

export async function recordMatches(
  db: Db,
  ref: ContentRef,
  result: AnalysisResult,
  onMatches?: OnMatches,
): Promise<MatchOutcome> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const near = await findNearDuplicate(tx, ref, result.signature);
    const found = result.orgs.filter((org) => org.terms.size > 0 || org.identifiers.size > 0);
    const values = found.map((findings) => valuesOf(ref, findings, result, near));
    const summary = { records: result.records, near, categories: [...result.categories.keys()].sort() };
    return writeMatches(tx, ref, values, summary, onMatches);
  });
}

/**
 * Records, for a post that links a document already read for another post, the findings recorded for that post: the
 * content is the same (one sha256), so nothing is read again. The new post's records name the earlier post as the
 * exact copy they repeat (and join its incident). Returns null when the document was never recorded for `fromPostId`.
 */
export async function copyDocumentMatches(
  db: Db,
  ref: ContentRef & { documentId: number },
  fromPostId: number,
  onMatches?: OnMatches,
): Promise<MatchOutcome | null> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const source = await ownFingerprint(tx, { postId: fromPostId, documentId: ref.documentId });
    if (!source) return null;
    await saveFingerprint(tx, {
      postId: ref.postId,
      documentId: ref.documentId,
      sha256: source.sha256,
      minhash: source.minhash,
      bands: source.bands,
    });
    const near: NearDuplicate = {
      postId: fromPostId,
      documentId: ref.documentId,
      similarity: 1,
      exact: true,
    };
    const rows = await matchesOfContent(tx, fromPostId, ref.documentId);
    const values: MatchValues[] = rows.map((row) => ({
      postId: ref.postId,
      documentId: ref.documentId,
      orgId: row.orgId,
      termsHit: row.termsHit,
      identifierCounts: row.identifierCounts,
      verdict: row.verdict,
      categories: row.categories,
      severity: row.severity,
      maskedSamples: row.maskedSamples,
      locations: row.locations,
      details: { ...row.details, nearDuplicateOf: near },
    }));
    const categories = [...new Set(rows.flatMap((row) => row.categories))].sort();
    const records = Math.max(0, ...rows.map((row) => row.verdict?.recordsTotal ?? 0));
    return writeMatches(tx, ref, values, { records, near, categories }, onMatches);
  });
}

/**
 * Creates or updates one match record per organisation found, in the caller's transaction; runs the hook last. Every
 * record passes here (analysed or copied), so this is where captured names are masked: the incident title copies the
 * post title and locations name the file, and either can hold an e-mail or a NIR. Masked before the comparison, so
 * locations written unmasked by an older version are rewritten at the content's next match.
 */
async function writeMatches(
  tx: Db,
  ref: ContentRef,
  analysed: MatchValues[],
  summary: { records: number; near: NearDuplicate | null; categories: string[] },
  onMatches?: OnMatches,
): Promise<MatchOutcome> {
  const found = analysed.map((values) => ({
    ...values,
    locations: maskDocumentNames(values.locations ?? [], ref.phoneRegions),
  }));
  const postTitle = maskIdentifiersIn(ref.post.title, ref.phoneRegions);
  const existing = new Map((await matchesOfContent(tx, ref.postId, ref.documentId)).map((m) => [m.orgId, m]));
  const names = found.length
    ? new Map(
        (
          await tx
            .select({ id: organisations.id, name: organisations.name })
            .from(organisations)
            .where(
              inArray(
                organisations.id,
                found.map((o) => o.orgId),
              ),
            )
        ).map((o) => [o.id, o.name]),
      )
    : new Map<number, string>();
  const outcome: MatchOutcome = {
    postId: ref.postId,
    documentId: ref.documentId,
    records: summary.records,
    changes: [],
    unchanged: 0,
    nearDuplicateOf: summary.near,
    categories: summary.categories,
  };
  const incidentTitle = (orgId: number, title: string) =>
    `${names.get(orgId)}: ${title} (${ref.post.siteId})`;
  for (const values of found) {
    if (!names.has(values.orgId)) continue; // deleted meanwhile
    // An incident titled from this post by an older version holds the title unmasked: it is rewritten masked.
    if (postTitle !== ref.post.title)
      await retitleIncidents(tx, {
        orgId: values.orgId,
        firstPostId: ref.postId,
        from: incidentTitle(values.orgId, ref.post.title),
        to: incidentTitle(values.orgId, postTitle),
      });
    const previous = existing.get(values.orgId) ?? null;
    let match: MatchRow;
    if (!previous) {
      const near = summary.near;
      const incidentId =
        (await incidentOfPost(tx, values.orgId, ref.postId)) ??
        (near ? await incidentsOfContents(tx, values.orgId, [near]) : null) ??
        (await createIncident(tx, {
          orgId: values.orgId,
          postId: ref.postId,
          severity: values.severity,
          title: incidentTitle(values.orgId, postTitle),
        }));
      match = await insertMatch(tx, { ...values, incidentId });
    } else {
      const compared = (m: MatchValues | MatchRow) =>
        canonical([
          m.termsHit,
          m.identifierCounts,
          m.verdict,
          m.categories,
          m.severity,
          m.maskedSamples,
          m.locations,
        ]);
      if (compared(previous) === compared(values)) {
        outcome.unchanged++;
        continue;
      }
      match = await updateMatch(tx, previous.id, values);
    }
    if (match.incidentId) await raiseIncidentSeverity(tx, match.incidentId, match.severity);
    const before = previous ? total(previous.identifierCounts) : 0;
    const identifiersAdded = total(match.identifierCounts) - before;
    const categoriesAdded = match.categories.filter((c) => !previous?.categories.includes(c));
    const termsAdded = match.termsHit.filter(
      (t) => !previous?.termsHit.some((p) => p.termId === t.termId),
    ).length;
    const kind = !previous
      ? 'created'
      : identifiersAdded > 0 || categoriesAdded.length > 0
        ? 'grown'
        : 'updated';
    outcome.changes.push({ kind, match, previous, identifiersAdded, categoriesAdded, termsAdded });
  }
  if (onMatches) await onMatches(tx, outcome);
  return outcome;
}

/** sha256 of a post's folded text, for exact reposts of the same announcement elsewhere (null when too short). */
export function postTextSha256(foldedText: string): string | null {
  return foldedText.length >= 200 ? createHash('sha256').update(foldedText).digest('hex') : null;
}
