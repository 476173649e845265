/**
 * Writes what an analysis found as match records, in one transaction: one record per (post, document, organisation),
 * created or updated, each in an incident (the post's, or the one of an earlier copy of the same content, or a new
 * one), the content's fingerprint saved, and the caller's hook run in the same transaction (the alert outbox).
 */
import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { saveFingerprint, similarContents } from '../store/fingerprints.repository.ts';
import {
  createIncident,
  incidentOfPost,
  incidentsOfContents,
  insertMatch,
  type MatchRow,
  type MatchValues,
  matchesOfContent,
  raiseIncidentSeverity,
  updateMatch,
} from '../store/matches.repository.ts';
import { organisations } from '../store/schema/index.ts';
import type { AnalysisResult, OrgFindings } from './analyse.ts';
import type { Category } from './detect/candidate.ts';
import { bands, fromBytes, similarity, toBytes } from './minhash.ts';
import { severityOf } from './severity.ts';

/** Bumped when the rules change, so a re-match can tell records made by older rules. */
export const RULES_VERSION = 1;
const NEAR_DUPLICATE = 0.8;

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

export interface NearDuplicate {
  postId: number;
  documentId: number | null;
  similarity: number;
  exact: boolean;
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

async function findNearDuplicate(
  tx: Db,
  ref: ContentRef,
  signature: Uint32Array | null,
): Promise<NearDuplicate | null> {
  const bandList = signature ? bands(signature) : [];
  const candidates = await similarContents(tx, {
    postId: ref.postId,
    documentId: ref.documentId,
    sha256: ref.sha256,
    bands: bandList,
  });
  let best: NearDuplicate | null = null;
  for (const other of candidates) {
    const exact = ref.sha256 !== null && other.sha256 === ref.sha256;
    const score = exact ? 1 : signature ? similarity(signature, fromBytes(other.minhash)) : 0;
    if (score >= NEAR_DUPLICATE && (!best || score > best.similarity))
      best = { postId: other.postId, documentId: other.documentId, similarity: score, exact };
  }
  if (signature || ref.sha256) {
    const empty = new Uint32Array(128);
    await saveFingerprint(tx, {
      postId: ref.postId,
      documentId: ref.documentId,
      sha256: ref.sha256,
      minhash: toBytes(signature ?? empty),
      bands: bandList,
    });
  }
  return best;
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
    const existing = new Map(
      (await matchesOfContent(tx, ref.postId, ref.documentId)).map((m) => [m.orgId, m]),
    );
    const found = result.orgs.filter((org) => org.terms.size > 0 || org.identifiers.size > 0);
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
      records: result.records,
      changes: [],
      unchanged: 0,
      nearDuplicateOf: near,
      categories: [...result.categories.keys()].sort(),
    };
    for (const findings of found) {
      if (!names.has(findings.orgId)) continue; // deleted meanwhile
      const values = valuesOf(ref, findings, result, near);
      const previous = existing.get(findings.orgId) ?? null;
      let match: MatchRow;
      if (!previous) {
        const incidentId =
          (await incidentOfPost(tx, findings.orgId, ref.postId)) ??
          (near ? await incidentsOfContents(tx, findings.orgId, [near]) : null) ??
          (await createIncident(tx, {
            orgId: findings.orgId,
            postId: ref.postId,
            severity: values.severity,
            title: `${names.get(findings.orgId)}: ${ref.post.title} (${ref.post.siteId})`,
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
        const same = compared(previous) === compared(values);
        if (same) {
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
  });
}

/** sha256 of a post's folded text, for exact reposts of the same announcement elsewhere (null when too short). */
export function postTextSha256(foldedText: string): string | null {
  return foldedText.length >= 200 ? createHash('sha256').update(foldedText).digest('hex') : null;
}
