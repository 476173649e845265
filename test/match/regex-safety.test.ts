import { describe, expect, it } from 'vitest';
import { ContentAnalysis } from '../../src/match/analyse.ts';
import { fold } from '../../src/match/fold.ts';
import { HashSet } from '../../src/match/hash-set.ts';
import { createHasher } from '../../src/match/hasher.ts';
import { checkRegex } from '../../src/match/regex-safety.ts';
import { CompiledTerms } from '../../src/match/terms.ts';
import type { WatchTerm } from '../../src/store/organisations.repository.ts';

function term(id: number, kind: WatchTerm['kind'], pattern: string): WatchTerm {
  const normalised = kind === 'regex' ? pattern : fold(pattern);
  return { id, orgId: 1, kind, pattern, normalised, muted: false, createdAt: new Date() };
}

describe('watch-term regex check', () => {
  it.each([
    ['(a+)+$', /nested repetition/],
    ['^(\\w+\\s?)*$', /nested repetition/],
    ['(x|xy)*z', /different lengths/],
    ['(ab|ac)+', /start alike/],
    ['\\d+\\d+', /same characters/],
    ['\\w+\\s*\\w+', /same characters/],
    ['(a)\\1', /back-references/],
    ['(?<=a)b', /look-ahead and look-behind/],
    ['.*secret', /leading or trailing/],
    ['a{5000}', /above 1000/],
    ['x*', /empty text/],
    ['(unclosed', /Unterminated group/],
  ])('refuses %s', (pattern, reason) => {
    const verdict = checkRegex(pattern);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it.each([
    'LA-\\d{6}',
    '\\bP\\d{7}\\b',
    '[A-Z]{2}-\\d{4,8}',
    '(\\d{3}-)+\\d{4}',
    'secret[-_ ]?project',
    '\\w+@\\w+\\.\\w+',
    '(ab|cd)+',
    '(?:a|b)*c',
  ])('accepts %s', (pattern) => {
    expect(checkRegex(pattern)).toEqual({ ok: true });
  });

  it('the scan refuses exactly what the check refuses, and runs the accepted patterns like the engine does', () => {
    const hostile = `${'a'.repeat(48)}!`;
    const terms = [
      term(1, 'regex', '(a+)+$'),
      term(2, 'regex', '(x|xy)*z'),
      term(3, 'regex', 'LA-\\d{6}'),
      term(4, 'regex', '(ab|cd)+'),
    ];
    const compiled = new CompiledTerms(terms);
    expect(compiled.refused.map((r) => [r.term.id, r.reason])).toEqual([
      [1, (checkRegex('(a+)+$') as { reason: string }).reason],
      [2, (checkRegex('(x|xy)*z') as { reason: string }).reason],
    ]);
    // Were (a+)+$ run here, 2^48 ways to split the run would hang this test.
    const text = `${hostile} LA-123456 abcdab xxyz`;
    const hits = compiled.scan(text).map((h) => [h.term.id, text.slice(h.start, h.end)]);
    const engine = (pattern: string) => [...text.matchAll(new RegExp(pattern, 'giu'))].map((m) => m[0]);
    expect(hits).toEqual([
      ...engine('LA-\\d{6}').map((m) => [3, m]),
      ...engine('(ab|cd)+').map((m) => [4, m]),
    ]);
    expect(hits.length).toBeGreaterThan(1);
  });
});

describe('regex time budget', () => {
  // \w+@\w+\.\w+ passes the check, but on a line of letters without "@" each start position scans to the end of
  // its window: window² steps, ~90 ms here on 20 000 letters, more than the 40 ms budget given below, while the other
  // terms take microseconds (a budget of 1 ms was once exceeded by a fast term on a loaded machine).
  const slow = term(11, 'regex', '\\w+@\\w+\\.\\w+');
  const fast = term(12, 'regex', 'LA-\\d{6}');
  const keyword = term(13, 'keyword', 'Azur Analytics');
  const records = [
    { text: 'a'.repeat(20_000), location: { document: 'dump.txt', line: 1 } },
    { text: 'Azur Analytics LA-123456 contact x@labo.fr', location: { document: 'dump.txt', line: 2 } },
  ];
  const analyse = (budgetMs?: number) => {
    const hasher = createHasher('regex-budget-test-key-material-0123456789');
    const analysis = new ContentAnalysis({
      terms: new CompiledTerms(
        [slow, fast, keyword],
        budgetMs === undefined ? {} : { regexBudgetMs: budgetMs },
      ),
      registry: { set: new HashSet(16), wanted: new Set(), patientPatterns: [], otherKeyOrgs: [] },
      hasher,
      detect: { regions: ['FR'], dateOrder: 'dmy' },
      samples: 0,
      locations: 5,
    });
    for (const record of records) analysis.addRecord(record);
    const result = analysis.result();
    const found = new Map([...(result.orgs[0]?.terms.values() ?? [])].map((t) => [t.termId, t.count]));
    return { stopped: result.regexesStopped, found };
  };

  it('with the default budget, every term matches', () => {
    const { stopped, found } = analyse();
    expect(stopped).toEqual([]);
    expect(found).toEqual(
      new Map([
        [13, 1],
        [12, 1],
        [11, 1],
      ]),
    );
  });

  it('stops a slow regex for the rest of the content and reports it, while the other terms still match', () => {
    const { stopped, found } = analyse(40);
    expect(stopped).toEqual([11]);
    expect(found).toEqual(
      new Map([
        [13, 1],
        [12, 1],
      ]),
    );
  });
});
