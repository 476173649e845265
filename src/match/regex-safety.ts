/**
 * Watch-term regular expressions are checked before they are accepted, because JavaScript's regex engine backtracks:
 * `(a+)+$` takes longer than the age of the universe on 40 characters. A pattern is parsed and refused when it has
 *
 * - a back-reference or a look-around (not supported),
 * - a repeated group whose body can match strings of different lengths, e.g. `(a+)+`, `(\w+\s?)*`: exponential,
 * - a repeated alternation whose branches can start with the same character, e.g. `(a|ab)*`: exponential,
 * - two repetitions that can consume the same characters with only optional items between them, e.g. `\d+\d+`,
 *   `\w+\s*\w+`: polynomial (each one multiplies the work by the length of the text),
 * - a leading or trailing `.*` (useless: watch-term regexes are searched anywhere) or a count above 1 000.
 *
 * Accepted patterns are still run on bounded windows of text (see RegexTerm in terms.ts), so the worst remaining case,
 * one unbounded repetition, costs at most window² steps.
 */

import { type CharSet, EMPTY, type Node, overlaps, parse, Refused, union } from './regex-parse.ts';

export type RegexCheck = { ok: true } | { ok: false; reason: string };

const MAX_PATTERN = 300;

function lengths(node: Node): [number, number] {
  switch (node.type) {
    case 'char':
      return [1, 1];
    case 'assert':
      return [0, 0];
    case 'seq':
      return node.items.reduce<[number, number]>(
        ([a, b], item) => {
          const [c, d] = lengths(item);
          return [a + c, b + d];
        },
        [0, 0],
      );
    case 'alt': {
      const all = node.options.map(lengths);
      return [Math.min(...all.map((l) => l[0])), Math.max(...all.map((l) => l[1]))];
    }
    case 'repeat': {
      const [a, b] = lengths(node.body);
      return [a * node.min, b === 0 ? 0 : b * node.max];
    }
  }
}

function chars(node: Node): CharSet {
  if (node.type === 'char') return node.set;
  if (node.type === 'assert') return EMPTY;
  if (node.type === 'repeat') return chars(node.body);
  return (node.type === 'seq' ? node.items : node.options).map(chars).reduce(union, EMPTY);
}

function firstChars(node: Node): CharSet {
  if (node.type === 'char') return node.set;
  if (node.type === 'assert') return EMPTY;
  if (node.type === 'repeat') return firstChars(node.body);
  if (node.type === 'alt') return node.options.map(firstChars).reduce(union, EMPTY);
  let result = EMPTY;
  for (const item of node.items) {
    result = union(result, firstChars(item));
    if (lengths(item)[0] > 0) break;
  }
  return result;
}

function check(node: Node): void {
  if (node.type === 'repeat') {
    if (node.max > 1) {
      const [min, max] = lengths(node.body);
      if (min !== max)
        throw new Refused(
          `a repeated group can match text of different lengths (nested repetition): it can backtrack exponentially`,
        );
      const alts: Node[] = [];
      const collect = (n: Node) => {
        if (n.type === 'alt') alts.push(n);
        else if (n.type === 'seq') n.items.forEach(collect);
        else if (n.type === 'repeat') collect(n.body);
      };
      collect(node.body);
      for (const alt of alts) {
        if (alt.type !== 'alt') continue;
        const starts = alt.options.map(firstChars);
        for (let a = 0; a < starts.length; a++) {
          for (let b = a + 1; b < starts.length; b++) {
            if (overlaps(starts[a] as CharSet, starts[b] as CharSet))
              throw new Refused(
                'a repeated alternation has branches that start alike: it can backtrack exponentially; use a character class',
              );
          }
        }
      }
    }
    check(node.body);
    return;
  }
  if (node.type === 'alt') node.options.forEach(check);
  if (node.type !== 'seq') return;
  node.items.forEach(check);
  // Polynomial backtracking: an unbounded item that can take over what an earlier, still "live" one consumes.
  let live: CharSet[] = [];
  for (const item of node.items) {
    const [min, max] = lengths(item);
    const itemChars = chars(item);
    if (max === Infinity) {
      if (live.some((earlier) => overlaps(earlier, itemChars))) {
        throw new Refused(
          'two repetitions can consume the same characters one after the other (e.g. \\d+\\d+): the work grows with a power of the text length',
        );
      }
      live.push(itemChars);
    } else if (min > 0) {
      const first = firstChars(item);
      live = live.filter((earlier) => overlaps(earlier, first));
    }
  }
}

/** Whether a watch-term pattern is safe to run on hostile text, and why not. */
export function checkRegex(pattern: string, flags = 'iu'): RegexCheck {
  if (pattern.length === 0) return { ok: false, reason: 'empty pattern' };
  if (pattern.length > MAX_PATTERN) return { ok: false, reason: `longer than ${MAX_PATTERN} characters` };
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return { ok: false, reason: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  if (/^\.\*/.test(pattern) || /(^|[^\\])\.\*\??$/.test(pattern)) {
    return {
      ok: false,
      reason:
        'a leading or trailing .* is not needed (regexes are searched anywhere) and makes the search quadratic',
    };
  }
  try {
    const root = parse(pattern, flags.includes('i'));
    check(root);
    if (lengths(root)[0] === 0) return { ok: false, reason: 'the pattern can match empty text' };
    return { ok: true };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}
