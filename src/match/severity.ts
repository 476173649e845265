/**
 * Severity of a match record, by rules an organisation can read (README, "Severity rules"). The first rule that
 * applies wins; each rule says why, and the reason is kept in the match's details.
 */
import type { Category } from './detect/candidate.ts';
import type { IdentifierKind } from './identifiers/normalise.ts';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITY_ORDER: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export interface SeverityInput {
  /** Watch terms hit, by kind. */
  termKinds: ReadonlySet<string>;
  /** Distinct registered identifiers found, by the kind they were registered under. */
  identifierCounts: Readonly<Partial<Record<IdentifierKind, number>>>;
  /** Registered accounts found with a password. */
  credentialsMatched: number;
  categories: ReadonlySet<Category>;
  /** Records holding at least one registered identifier, of all records (documents only). */
  verdict: { recordsMatched: number; recordsTotal: number } | null;
}

const SENSITIVE: readonly Category[] = ['credentials', 'payment_cards', 'bank_accounts', 'national_ids'];

export function severityOf(input: SeverityInput): { severity: Severity; reason: string } {
  const counts = input.identifierCounts;
  const total = Object.values(counts).reduce((n: number, c) => n + (c ?? 0), 0);
  const nationalIds = (counts.nir ?? 0) + (counts.health_number ?? 0);
  const health = input.categories.has('health');
  const verdict = input.verdict;
  const share = verdict && verdict.recordsTotal > 0 ? verdict.recordsMatched / verdict.recordsTotal : 0;

  if (total > 0 && health)
    return { severity: 'critical', reason: 'registered people in health data (GDPR art. 9)' };
  if (nationalIds > 0)
    return { severity: 'critical', reason: 'registered national or health insurance numbers' };
  if (input.credentialsMatched >= 10)
    return { severity: 'critical', reason: 'passwords of 10 or more registered accounts' };
  if (total >= 1000) return { severity: 'critical', reason: '1 000 or more registered identifiers' };
  if (verdict && verdict.recordsMatched >= 100 && share >= 0.5) {
    return {
      severity: 'critical',
      reason: 'a dump of the organisation: half its records or more are registered people',
    };
  }
  if (input.credentialsMatched > 0) return { severity: 'high', reason: 'passwords of registered accounts' };
  if (total >= 10) return { severity: 'high', reason: '10 or more registered identifiers' };
  if (total > 0 && SENSITIVE.some((c) => input.categories.has(c))) {
    return {
      severity: 'high',
      reason: 'registered identifiers beside credentials, card, bank or national id numbers',
    };
  }
  const named =
    input.termKinds.has('phrase') ||
    input.termKinds.has('domain') ||
    input.termKinds.has('email_domain') ||
    input.termKinds.has('regex');
  if (named && health) return { severity: 'high', reason: 'the organisation named beside health data' };
  if (total > 0) return { severity: 'medium', reason: 'registered identifiers' };
  if (named && SENSITIVE.some((c) => input.categories.has(c))) {
    return {
      severity: 'medium',
      reason: 'the organisation named beside credentials, card, bank or national id numbers',
    };
  }
  if (named) return { severity: 'medium', reason: "the organisation's name or domain on a leak site" };
  return { severity: 'low', reason: 'a watched keyword' };
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;
}
