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
  // The budget is read from the clock CompiledTerms is given: the test drives it, so the verdict is the same on a fast
  // or a loaded machine. \w+@\w+\.\w+ passes the check but is the kind of regex that burns time on long lines.
  const slow = term(11, 'regex', '\\w+@\\w+\\.\\w+');
  const fast = term(12, 'regex', 'LA-\\d{6}');
  const keyword = term(13, 'keyword', 'Azur Analytics');
  // The first record is many windows long, with an address only in its last window.
  const longLine = `${'a'.repeat(20_000)} late@labo.fr`;
  const records = [
    { text: longLine, location: { document: 'dump.txt', line: 1 } },
    { text: 'Azur Analytics LA-123456 contact x@labo.fr', location: { document: 'dump.txt', line: 2 } },
  ];
  /** A clock that reads 0 at its first call and `jump` ms from then on: past the budget after the first scan step. */
  const jumpingClock = (jump: number) => {
    let calls = 0;
    return () => (calls++ === 0 ? 0 : jump);
  };
  const analyse = (options: { regexBudgetMs?: number; clock?: () => number } = {}) => {
    const hasher = createHasher('regex-budget-test-key-material-0123456789');
    const analysis = new ContentAnalysis({
      terms: new CompiledTerms([slow, fast, keyword], options),
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

  it('within the budget, every term matches, in every window of a long line', () => {
    const { stopped, found } = analyse({ regexBudgetMs: 40, clock: () => 0 });
    expect(stopped).toEqual([]);
    expect(found).toEqual(
      new Map([
        [13, 1],
        [12, 1],
        [11, 2],
      ]),
    );
  });

  it('stops a regex past its budget mid-text and for the rest of the content, while the other terms still match', () => {
    // The clock jumps past the budget during the slow regex's first window of the long line: the windows after it
    // (with late@labo.fr) and the next record (with x@labo.fr) are not searched by it; the other terms are.
    const { stopped, found } = analyse({ regexBudgetMs: 40, clock: jumpingClock(1_000) });
    expect(stopped).toEqual([11]);
    expect(found).toEqual(
      new Map([
        [13, 1],
        [12, 1],
      ]),
    );
  });

  it('with the default budget and the real clock, every term matches', () => {
    const { stopped, found } = analyse();
    expect(stopped).toEqual([]);
    expect(found.get(11)).toBe(2);
  });
});
