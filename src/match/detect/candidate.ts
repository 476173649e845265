import type { RecordLocation } from '../../extract/text-record.ts';
import { type IdentifierKind, NAMESPACE } from '../identifiers/normalise.ts';

/** Data categories a record can reveal, whoever it belongs to. */
export const CATEGORIES = [
  'credentials',
  'health',
  'payment_cards',
  'bank_accounts',
  'national_ids',
  'contact_details',
  'identity',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** An identifier found in a record, ready to be hashed and looked up. */
export interface Candidate {
  /** What it looks like; the registry says under which kind an organisation registered it. */
  kind: IdentifierKind;
  /**
   * Normalised value; the HMAC input is it behind its kind's namespace (candidateKey), written so by the hasher without
   * building the concatenated string. Never logged, stored or returned.
   */
  value: string;
  /** Came with a password (a credential line). */
  credential?: boolean;
  /** Only this organisation's registry is asked (a patient id found by that organisation's own pattern). */
  orgId?: number;
}

export interface RecordFindings {
  candidates: Candidate[];
  /** Evidence counted per category (card numbers, credential lines, name + birth date pairs…). */
  categories: Map<Category, number>;
}

/** The namespaced value (`acct:jean.dupont@orange.fr`): what the registry hashed at import. */
export function candidateKey(candidate: Pick<Candidate, 'kind' | 'value'>): string {
  return NAMESPACE[candidate.kind] + candidate.value;
}

export function count(findings: RecordFindings, category: Category, n = 1): void {
  findings.categories.set(category, (findings.categories.get(category) ?? 0) + n);
}

export type { RecordLocation };
