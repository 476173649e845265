import type { RecordLocation } from '../../extract/text-record.ts';
import type { IdentifierKind } from '../identifiers/normalise.ts';

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
  /** Namespaced normalised value: the HMAC input. Never logged, stored or returned. */
  key: string;
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

export function count(findings: RecordFindings, category: Category, n = 1): void {
  findings.categories.set(category, (findings.categories.get(category) ?? 0) + n);
}

export type { RecordLocation };
