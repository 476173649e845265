import { describe, expect, it } from 'vitest';
import type { Category } from '../../src/match/detect/candidate.ts';
import { type Severity, type SeverityInput, severityOf } from '../../src/match/severity.ts';

/** One row per rule of the README's "Severity rules" table, each on both sides of its boundary. */
const none: SeverityInput = {
  termKinds: new Set(),
  identifierCounts: {},
  credentialsMatched: 0,
  categories: new Set(),
  verdict: null,
};
const with_ = (input: Partial<SeverityInput>): SeverityInput => ({ ...none, ...input });
const cats = (...categories: Category[]) => new Set<Category>(categories);
const named = (...kinds: string[]) => new Set(kinds);

const rows: Array<[string, SeverityInput, Severity, RegExp]> = [
  // critical
  [
    '1 registered person in health data',
    with_({ identifierCounts: { email: 1 }, categories: cats('health') }),
    'critical',
    /health data/,
  ],
  ['health data, no registered person, no name', with_({ categories: cats('health') }), 'low', /keyword/],
  ['1 registered NIR', with_({ identifierCounts: { nir: 1 } }), 'critical', /national or health insurance/],
  [
    '1 registered health insurance number',
    with_({ identifierCounts: { health_number: 1 } }),
    'critical',
    /national or health insurance/,
  ],
  [
    'passwords of 9 accounts',
    with_({ identifierCounts: { email: 9 }, credentialsMatched: 9 }),
    'high',
    /^passwords of registered/,
  ],
  [
    'passwords of 10 accounts',
    with_({ identifierCounts: { email: 10 }, credentialsMatched: 10 }),
    'critical',
    /passwords of 10 or more/,
  ],
  [
    '999 identifiers',
    with_({ identifierCounts: { email: 999 } }),
    'high',
    /10 or more registered identifiers/,
  ],
  ['1 000 identifiers', with_({ identifierCounts: { email: 600, phone: 400 } }), 'critical', /1 000 or more/],
  [
    'dump: 99 of 100 records',
    with_({ identifierCounts: { email: 5 }, verdict: { recordsMatched: 99, recordsTotal: 100 } }),
    'medium',
    /^registered identifiers$/,
  ],
  [
    'dump: 100 of 100 records',
    with_({ identifierCounts: { email: 5 }, verdict: { recordsMatched: 100, recordsTotal: 100 } }),
    'critical',
    /a dump of the organisation/,
  ],
  [
    'dump: share 0.49 (100 of 204)',
    with_({ identifierCounts: { email: 5 }, verdict: { recordsMatched: 100, recordsTotal: 204 } }),
    'medium',
    /^registered identifiers$/,
  ],
  [
    'dump: share 0.5 (100 of 200)',
    with_({ identifierCounts: { email: 5 }, verdict: { recordsMatched: 100, recordsTotal: 200 } }),
    'critical',
    /a dump of the organisation/,
  ],
  [
    'dump of 150 records, 80 registered (0.53)',
    with_({ identifierCounts: { email: 5 }, verdict: { recordsMatched: 80, recordsTotal: 150 } }),
    'medium',
    /^registered identifiers$/,
  ],
  // high
  [
    'passwords of 1 account',
    with_({ identifierCounts: { email: 1 }, credentialsMatched: 1 }),
    'high',
    /^passwords of registered/,
  ],
  [
    '9 identifiers',
    with_({ identifierCounts: { email: 4, phone: 5 } }),
    'medium',
    /^registered identifiers$/,
  ],
  [
    '10 identifiers',
    with_({ identifierCounts: { email: 5, phone: 5 } }),
    'high',
    /10 or more registered identifiers/,
  ],
  ...(['credentials', 'payment_cards', 'bank_accounts', 'national_ids'] as const).map(
    (category): [string, SeverityInput, Severity, RegExp] => [
      `1 identifier beside ${category}`,
      with_({ identifierCounts: { email: 1 }, categories: cats(category) }),
      'high',
      /beside credentials, card, bank or national id/,
    ],
  ),
  ...['phrase', 'domain', 'email_domain', 'regex'].map((kind): [string, SeverityInput, Severity, RegExp] => [
    `named (${kind}) + health`,
    with_({ termKinds: named(kind), categories: cats('health') }),
    'high',
    /named beside health data/,
  ]),
  ['keyword + health', with_({ termKinds: named('keyword'), categories: cats('health') }), 'low', /keyword/],
  // medium
  ['1 identifier', with_({ identifierCounts: { login: 1 } }), 'medium', /^registered identifiers$/],
  [
    'named + cards',
    with_({ termKinds: named('phrase'), categories: cats('payment_cards') }),
    'medium',
    /named beside credentials, card/,
  ],
  [
    'named (domain) + credentials',
    with_({ termKinds: named('domain'), categories: cats('credentials') }),
    'medium',
    /named beside credentials, card/,
  ],
  [
    'keyword + cards',
    with_({ termKinds: named('keyword'), categories: cats('payment_cards') }),
    'low',
    /keyword/,
  ],
  ...['phrase', 'domain', 'email_domain', 'regex'].map((kind): [string, SeverityInput, Severity, RegExp] => [
    `named (${kind}) alone`,
    with_({ termKinds: named(kind) }),
    'medium',
    /name or domain on a leak site/,
  ]),
  // low
  ['a watched keyword', with_({ termKinds: named('keyword') }), 'low', /a watched keyword/],
  // the first rule that applies wins
  [
    'named + health + 1 identifier',
    with_({ termKinds: named('phrase'), identifierCounts: { email: 1 }, categories: cats('health') }),
    'critical',
    /health data/,
  ],
];

describe('severity rules (README table)', () => {
  it.each(rows)('%s', (_name, input, severity, reason) => {
    const result = severityOf(input);
    expect(result.severity).toBe(severity);
    expect(result.reason).toMatch(reason);
  });
});
