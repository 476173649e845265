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

/**
 * Evidence counted per category (card numbers, credential lines, name + birth date pairs…) in one record or one content.
 * A fixed-shape object rather than a Map: a Map per record cost ~70 ns to make and fill, in every row of a dump.
 */
export class CategoryCounts {
  credentials = 0;
  health = 0;
  payment_cards = 0;
  bank_accounts = 0;
  national_ids = 0;
  contact_details = 0;
  identity = 0;

  /** The count of a category, undefined when there is none (as a Map of the non-zero counts says). */
  get(category: Category): number | undefined {
    return this[category] || undefined;
  }

  /** Adds these counts to `total` (field by field: no lookup by name per record). */
  addTo(total: CategoryCounts): void {
    total.credentials += this.credentials;
    total.health += this.health;
    total.payment_cards += this.payment_cards;
    total.bank_accounts += this.bank_accounts;
    total.national_ids += this.national_ids;
    total.contact_details += this.contact_details;
    total.identity += this.identity;
  }

  /** The non-zero counts, in CATEGORIES order. */
  toMap(): Map<Category, number> {
    const map = new Map<Category, number>();
    for (const category of CATEGORIES) if (this[category] > 0) map.set(category, this[category]);
    return map;
  }
}

export interface RecordFindings {
  candidates: Candidate[];
  categories: CategoryCounts;
}

/** The namespaced value (`acct:jean.dupont@orange.fr`): what the registry hashed at import. */
export function candidateKey(candidate: Pick<Candidate, 'kind' | 'value'>): string {
  return NAMESPACE[candidate.kind] + candidate.value;
}

export function count(findings: RecordFindings, category: Category, n = 1): void {
  findings.categories[category] += n;
}

export type { RecordLocation };
