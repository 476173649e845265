import { describe, expect, it } from 'vitest';
import { checkRegex } from '../../src/match/regex-safety.ts';

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

  it('the refused pattern really backtracks: a short hostile input makes the engine work exponentially more', () => {
    // Counted in steps, not timed: each extra character doubles the ways (a+)+ can split the run.
    const steps = (n: number) => {
      let calls = 0;
      const split = (rest: number): boolean => {
        calls++;
        if (rest === 0) return false; // the trailing "!" never matches $
        for (let take = 1; take <= rest; take++) if (split(rest - take)) return true;
        return false;
      };
      split(n);
      return calls;
    };
    expect(steps(16) / steps(8)).toBeGreaterThan(200);
    expect(checkRegex('(a+)+$').ok).toBe(false);
  });
});
