/**
 * Compiles folded patterns into the tables of an Aho-Corasick automaton: the trie (patterns of spaced scripts are
 * anchored between spaces), failure links resolved into a complete transition function, states renumbered breadth
 * first (shallow, hot states together in memory), and output lists (each state's own patterns, then its suffixes').
 *
 * The transition table holds the next state premultiplied by the alphabet size, negated when that state has outputs,
 * so the scan loop is one load and one sign test per character. Three symbols are special: OTHER (a letter or digit
 * used by no pattern), SPACE (a run of separators: states entered on a space loop on further ones) and DROP (combining
 * marks, soft hyphens: every state loops on them).
 */
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, foldTables } from './fold.ts';

export const OTHER = 0;
export const SPACE = 1;
export const DROP = 2;
/** In the symbol table: a code unit that folds to several characters, handled outside the table. */
export const SLOW = 0xfffe;

/** Scripts written without spaces between words: no word boundary is required next to their characters. */
export function unspaced(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0eff) ||
    (code >= 0x1000 && code <= 0x109f) ||
    (code >= 0x1780 && code <= 0x17ff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff)
  );
}

export interface AutomatonTables {
  alphabet: number;
  symbolOf: Map<number, number>;
  /** Code unit → symbol, or SLOW. */
  symbols: Uint16Array;
  delta: Int32Array;
  startState: number;
  outputFirst: Int32Array;
  outputPattern: Int32Array;
  outputNext: Int32Array;
  lengths: Int32Array;
  /** 1 when the pattern's path ends with a SPACE (a word boundary is required after it). */
  anchoredEnd: Uint8Array;
  maxLength: number;
  stateCount: number;
}

export function buildTables(patterns: readonly string[]): AutomatonTables {
  const symbolOf = new Map<number, number>();
  for (const pattern of patterns) {
    if (!pattern || pattern.startsWith(' ') || pattern.endsWith(' ') || pattern.includes('  ')) {
      throw new Error('automaton patterns must be folded (see fold())');
    }
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      if (c !== 32 && !symbolOf.has(c)) symbolOf.set(c, symbolOf.size + 3);
    }
  }
  const A = symbolOf.size + 3;
  const { fold, multi } = foldTables();
  const symbols = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    const f = fold[c] as number;
    if (f === FOLD_SEPARATOR) symbols[c] = SPACE;
    else if (f === FOLD_DROP) symbols[c] = DROP;
    else if (f === FOLD_MULTI) symbols[c] = multi.has(c) || (c >= 0xd800 && c <= 0xdbff) ? SLOW : SPACE;
    else symbols[c] = symbolOf.get(f) ?? OTHER;
  }

  // The trie, goto edges in a map while building.
  const edges = new Map<number, number>();
  const terminal: number[][] = [[]];
  const enteredOnSpace: boolean[] = [false];
  const lengths = new Int32Array(patterns.length);
  const anchoredEnd = new Uint8Array(patterns.length);
  let maxLength = 0;
  patterns.forEach((pattern, index) => {
    const first = unspaced(pattern.charCodeAt(0)) ? '' : ' ';
    const last = unspaced(pattern.charCodeAt(pattern.length - 1)) ? '' : ' ';
    anchoredEnd[index] = last ? 1 : 0;
    lengths[index] = pattern.length;
    maxLength = Math.max(maxLength, pattern.length + 2);
    let state = 0;
    const path = `${first}${pattern}${last}`;
    for (let i = 0; i < path.length; i++) {
      const c = path.charCodeAt(i);
      const symbol = c === 32 ? SPACE : (symbolOf.get(c) as number);
      let next = edges.get(state * A + symbol);
      if (next === undefined) {
        next = terminal.length;
        terminal.push([]);
        enteredOnSpace.push(symbol === SPACE);
        edges.set(state * A + symbol, next);
      }
      state = next;
    }
    (terminal[state] as number[]).push(index);
  });
  const states = terminal.length;

  const order = new Int32Array(states); // new id → old id (breadth first)
  const renumber = new Int32Array(states); // old id → new id
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const old = order[head] as number;
    for (let a = 0; a < A; a++) {
      const child = edges.get(old * A + a);
      if (child !== undefined) {
        renumber[child] = tail;
        order[tail++] = child;
      }
    }
  }
  const delta = new Int32Array(states * A);
  const fail = new Int32Array(states);
  const outputFirst = new Int32Array(states).fill(-1);
  const outPattern: number[] = [];
  const outNext: number[] = [];
  for (let s = 0; s < states; s++) {
    const old = order[s] as number;
    let first = s === 0 ? -1 : (outputFirst[fail[s] as number] as number);
    for (const index of terminal[old] as number[]) {
      outPattern.push(index);
      outNext.push(first);
      first = outPattern.length - 1;
    }
    outputFirst[s] = first;
    const base = s * A;
    const failBase = (fail[s] as number) * A;
    for (let a = 0; a < A; a++) {
      const child = edges.get(old * A + a);
      if (child !== undefined) {
        const id = renumber[child] as number;
        delta[base + a] = id;
        fail[id] = s === 0 ? 0 : (delta[failBase + a] as number);
      } else delta[base + a] = s === 0 ? 0 : (delta[failBase + a] as number);
    }
  }
  for (let i = 0; i < delta.length; i++) {
    const next = delta[i] as number;
    delta[i] = (outputFirst[next] as number) >= 0 ? -(next * A) : next * A;
  }
  for (let s = 0; s < states; s++) {
    delta[s * A + DROP] = s * A; // dropped code units change nothing (and report nothing again)
    if (enteredOnSpace[order[s] as number]) delta[s * A + SPACE] = s * A; // a run of separators is one space
  }
  return {
    alphabet: A,
    symbolOf,
    symbols,
    delta,
    startState: Math.abs(delta[SPACE] as number),
    outputFirst,
    outputPattern: Int32Array.from(outPattern),
    outputNext: Int32Array.from(outNext),
    lengths,
    anchoredEnd,
    maxLength,
    stateCount: states,
  };
}
