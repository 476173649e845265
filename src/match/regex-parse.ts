/**
 * A parser for the regular expressions watch terms may use (JavaScript syntax without back-references and
 * look-arounds), to a small tree that regex-safety.ts can reason about: which characters each part can consume and
 * how long a match of it can be.
 */

export type CharSet = { ascii: Uint32Array; other: boolean };
export type Node =
  | { type: 'char'; set: CharSet }
  | { type: 'assert' }
  | { type: 'seq'; items: Node[] }
  | { type: 'alt'; options: Node[] }
  | { type: 'repeat'; body: Node; min: number; max: number };

export const MAX_COUNT = 1000;

const set = (chars: string, other = false): CharSet => {
  const ascii = new Uint32Array(4);
  for (const c of chars) {
    const code = c.charCodeAt(0);
    if (code < 128) ascii[code >> 5] = (ascii[code >> 5] as number) | (1 << (code & 31));
  }
  return { ascii, other };
};
const range = (from: number, to: number) => {
  let s = '';
  for (let c = from; c <= to; c++) s += String.fromCharCode(c);
  return s;
};
const DIGITS = range(48, 57);
const WORD = `${DIGITS}${range(65, 90)}${range(97, 122)}_`;
const SPACES = ' \t\n\r\v\f';
export const ALL = set(range(0, 127), true);
const negate = (s: CharSet): CharSet => ({ ascii: s.ascii.map((w) => ~w >>> 0), other: true });
export const union = (a: CharSet, b: CharSet): CharSet => ({
  ascii: a.ascii.map((w, i) => w | (b.ascii[i] as number)),
  other: a.other || b.other,
});
export const overlaps = (a: CharSet, b: CharSet) =>
  (a.other && b.other) || a.ascii.some((w, i) => (w & (b.ascii[i] as number)) !== 0);
export const EMPTY = set('');

export class Refused extends Error {}

export function parse(pattern: string, caseless: boolean): Node {
  let i = 0;
  const peek = () => pattern[i];
  const literal = (c: string): CharSet =>
    caseless ? set(c.toLowerCase() + c.toUpperCase(), c.charCodeAt(0) > 127) : set(c, c.charCodeAt(0) > 127);
  function escapeSequence(inClass: boolean): CharSet | 'assert' {
    const c = pattern[i++];
    if (c === undefined) throw new Refused('the pattern ends with a lone backslash');
    if (/[1-9]/.test(c) || (c === 'k' && !inClass)) throw new Refused('back-references are not supported');
    if (c === 'd') return set(DIGITS);
    if (c === 'D') return negate(set(DIGITS));
    if (c === 'w') return set(WORD);
    if (c === 'W') return negate(set(WORD));
    if (c === 's') return set(SPACES, true);
    if (c === 'S') return negate(set(SPACES));
    if ((c === 'b' || c === 'B') && !inClass) return 'assert';
    if (c === 'p' || c === 'P') {
      const end = pattern.indexOf('}', i);
      if (pattern[i] !== '{' || end < 0) throw new Refused('incomplete \\p{…}');
      i = end + 1;
      return ALL;
    }
    const hex = c === 'u' ? 4 : c === 'x' ? 2 : 0;
    if (hex && new RegExp(`^[0-9a-fA-F]{${hex}}`).test(pattern.slice(i))) {
      const code = Number.parseInt(pattern.slice(i, i + hex), 16);
      i += hex;
      return literal(String.fromCharCode(code));
    }
    const controls: Record<string, string> = { t: '\t', n: '\n', r: '\r', v: '\v', f: '\f', '0': '\0' };
    return literal(controls[c] ?? c);
  }
  function charClass(): CharSet {
    const negated = peek() === '^';
    if (negated) i++;
    let result = EMPTY;
    let first = true;
    while (i < pattern.length && (pattern[i] !== ']' || first)) {
      first = false;
      let from: CharSet | 'assert';
      const startChar = pattern[i] as string;
      if (startChar === '\\') {
        i++;
        from = escapeSequence(true);
      } else {
        i++;
        from = literal(startChar);
      }
      if (from === 'assert') continue;
      if (
        pattern[i] === '-' &&
        pattern[i + 1] !== ']' &&
        pattern[i + 1] !== undefined &&
        startChar !== '\\'
      ) {
        const endChar = pattern[i + 1] as string;
        i += 2;
        const a = startChar.charCodeAt(0);
        const b = endChar.charCodeAt(0);
        if (b < a) throw new Refused('a character range is out of order');
        const chars = range(Math.min(a, 127), Math.min(b, 127));
        from = union(
          caseless ? set(chars.toLowerCase() + chars.toUpperCase()) : set(chars),
          set('', b > 127),
        );
      }
      result = union(result, from);
    }
    if (pattern[i++] !== ']') throw new Refused('unterminated character class');
    return negated ? negate(result) : result;
  }
  function atom(): Node {
    const c = pattern[i++] as string;
    if (c === '(') {
      if (
        pattern.startsWith('?=', i) ||
        pattern.startsWith('?!', i) ||
        pattern.startsWith('?<=', i) ||
        pattern.startsWith('?<!', i)
      ) {
        throw new Refused('look-ahead and look-behind are not supported');
      }
      if (pattern.startsWith('?:', i)) i += 2;
      else if (pattern.startsWith('?<', i)) {
        const end = pattern.indexOf('>', i);
        if (end < 0) throw new Refused('unterminated group name');
        i = end + 1;
      }
      const body = alternation();
      if (pattern[i++] !== ')') throw new Refused('unbalanced parenthesis');
      return body;
    }
    if (c === '[') return { type: 'char', set: charClass() };
    if (c === '.') return { type: 'char', set: ALL };
    if (c === '^' || c === '$') return { type: 'assert' };
    if (c === '\\') {
      const e = escapeSequence(false);
      return e === 'assert' ? { type: 'assert' } : { type: 'char', set: e };
    }
    if (c === ')' || c === '|') throw new Refused('unbalanced parenthesis');
    if ('*+?{'.includes(c) && !(c === '{' && !/^\d/.test(pattern.slice(i))))
      throw new Refused('a quantifier has nothing to repeat');
    return { type: 'char', set: literal(c) };
  }
  function quantified(): Node {
    let node = atom();
    for (;;) {
      const c = peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i)) as RegExpExecArray;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT))
          throw new Refused(`a repetition count above ${MAX_COUNT}`);
        if (max < min) throw new Refused('a repetition count is out of order');
        i += m[0].length - 1;
      } else return node;
      i++;
      if (peek() === '?') i++; // lazy: same worst case
      if (node.type === 'assert') throw new Refused('a quantifier has nothing to repeat');
      node = { type: 'repeat', body: node, min, max };
    }
  }
  function sequence(): Node {
    const items: Node[] = [];
    while (i < pattern.length && peek() !== '|' && peek() !== ')') items.push(quantified());
    return { type: 'seq', items };
  }
  function alternation(): Node {
    const options = [sequence()];
    while (peek() === '|') {
      i++;
      options.push(sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { type: 'alt', options };
  }
  const root = alternation();
  if (i < pattern.length) throw new Refused('unbalanced parenthesis');
  return root;
}
