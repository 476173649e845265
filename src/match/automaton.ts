/**
 * A multi-pattern matcher for folded watch terms: an Aho-Corasick automaton compiled to a dense transition table
 * (typed arrays, failure links resolved at build time) that folds the text while it scans it, one code unit at a
 * time. Every organisation's terms are found in one pass; word boundaries are checked on the original text (so "azur"
 * is not found in "azurite"), and each match is reported with its offsets in the original text.
 *
 * Patterns must already be folded (src/match/fold.ts): lower-case letters and digits separated by single spaces.
 * A run of separators in the text counts as one space: states entered on a space loop on further spaces, so the
 * scan loop has no collapsing branch.
 */
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, foldTables } from './fold.ts';
import { startOf, unitFolding } from './fold-walk.ts';

const OTHER = 0; // a letter or digit that occurs in no pattern
const SPACE = 1; // a run of punctuation and whitespace
const DROP = 0xffff;
const SLOW = 0xfffe;

export interface AutomatonMatch {
  /** Index of the pattern in the list the automaton was built from. */
  pattern: number;
  /** Original offsets: text.slice(start, end) is what matched. */
  start: number;
  end: number;
}

/** Scripts written without spaces between words: no word boundary is required next to their characters. */
function unspaced(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0eff) ||
    (code >= 0x1000 && code <= 0x109f) ||
    (code >= 0x1780 && code <= 0x17ff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff)
  );
}

export class TermAutomaton {
  readonly patternCount: number;
  readonly stateCount: number;
  /** delta[state + symbol]: the next state premultiplied by the alphabet size, negated when it has outputs. */
  private readonly delta: Int32Array;
  private readonly alphabet: number;
  /** Code unit → symbol, DROP or SLOW. */
  private readonly symbols: Uint16Array;
  private readonly symbolOf: Map<number, number>;
  /** Outputs of a state, own patterns then those of its suffixes: a list through outputNext, -1 terminated. */
  private readonly outputFirst: Int32Array;
  private readonly outputPattern: Int32Array;
  private readonly outputNext: Int32Array;
  private readonly lengths: Int32Array;
  /** 1 when the pattern's trie path ends with a SPACE (a word boundary is required after it). */
  private readonly anchoredEnd: Uint8Array;
  /** The state after a separator: where a text starts. */
  private readonly startState: number;
  /** No pattern starts with an unspaced-script character: at the root, only a separator leads anywhere. */
  private readonly rootOnlyLeavesOnSpace: boolean;

  constructor(patterns: readonly string[]) {
    this.patternCount = patterns.length;
    this.symbolOf = new Map();
    for (const pattern of patterns) {
      if (
        pattern.length === 0 ||
        pattern.startsWith(' ') ||
        pattern.endsWith(' ') ||
        pattern.includes('  ')
      ) {
        throw new Error('automaton patterns must be folded (see fold())');
      }
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i);
        if (c !== 32 && !this.symbolOf.has(c)) this.symbolOf.set(c, this.symbolOf.size + 2);
      }
    }
    const A = this.symbolOf.size + 2;
    this.alphabet = A;
    const { fold, multi } = foldTables();
    this.symbols = new Uint16Array(65536);
    for (let c = 0; c < 65536; c++) {
      const f = fold[c] as number;
      if (f === FOLD_SEPARATOR) this.symbols[c] = SPACE;
      else if (f === FOLD_DROP) this.symbols[c] = DROP;
      else if (f === FOLD_MULTI)
        this.symbols[c] = multi.has(c) || (c >= 0xd800 && c <= 0xdbff) ? SLOW : SPACE;
      else this.symbols[c] = this.symbolOf.get(f) ?? OTHER;
    }

    // The trie; goto edges live in a map while building. A pattern of a spaced script is anchored between spaces
    // (its leading and trailing SPACE are in the trie): inside a word that starts no pattern the scan sits at the
    // root, so few states are hot, and a match is reported only once its trailing separator has been read.
    const edges = new Map<number, number>();
    const terminal: number[][] = [[]];
    const enteredOnSpace: boolean[] = [false];
    this.lengths = new Int32Array(patterns.length);
    this.anchoredEnd = new Uint8Array(patterns.length);
    patterns.forEach((pattern, index) => {
      const first = unspaced(pattern.charCodeAt(0)) ? 0 : 1;
      const last = unspaced(pattern.charCodeAt(pattern.length - 1)) ? 0 : 1;
      this.anchoredEnd[index] = last;
      this.lengths[index] = pattern.length;
      let state = 0;
      const path = `${first ? ' ' : ''}${pattern}${last ? ' ' : ''}`;
      for (let i = 0; i < path.length; i++) {
        const c = path.charCodeAt(i);
        const symbol = c === 32 ? SPACE : (this.symbolOf.get(c) as number);
        const key = state * A + symbol;
        let next = edges.get(key);
        if (next === undefined) {
          next = terminal.length;
          terminal.push([]);
          enteredOnSpace.push(symbol === SPACE);
          edges.set(key, next);
        }
        state = next;
      }
      (terminal[state] as number[]).push(index);
    });
    const states = terminal.length;
    this.stateCount = states;

    // Breadth first: states renumbered in that order (shallow, hot states together), failure links, the complete
    // transition function, output lists.
    const order = new Int32Array(states); // new id → old id
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
    this.outputFirst = new Int32Array(states).fill(-1);
    const outPattern: number[] = [];
    const outNext: number[] = [];
    for (let s = 0; s < states; s++) {
      const old = order[s] as number;
      let first = s === 0 ? -1 : (this.outputFirst[fail[s] as number] as number);
      for (const index of terminal[old] as number[]) {
        outPattern.push(index);
        outNext.push(first);
        first = outPattern.length - 1;
      }
      this.outputFirst[s] = first;
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
      delta[i] = (this.outputFirst[next] as number) >= 0 ? -(next * A) : next * A;
    }
    // A run of separators is one space: a state entered on a space stays there (without reporting again).
    for (let s = 0; s < states; s++) if (enteredOnSpace[order[s] as number]) delta[s * A + SPACE] = s * A;
    this.delta = delta;
    this.startState = Math.abs(delta[SPACE] as number);
    this.rootOnlyLeavesOnSpace = true;
    for (let a = 0; a < A; a++) if (a !== SPACE && delta[a] !== 0) this.rootOnlyLeavesOnSpace = false;
    this.outputPattern = Int32Array.from(outPattern);
    this.outputNext = Int32Array.from(outNext);
  }

  /** Every occurrence of every pattern in `text` at word boundaries, in order of their end. */
  scan(text: string): AutomatonMatch[] {
    const found: AutomatonMatch[] = [];
    const delta = this.delta;
    const symbols = this.symbols;
    let state = this.startState;
    const n = text.length;
    const skipAtRoot = this.rootOnlyLeavesOnSpace;
    for (let i = 0; i < n; i++) {
      let symbol = symbols[text.charCodeAt(i)] as number;
      if (state === 0 && skipAtRoot) {
        // Inside a word that starts no pattern: nothing can happen before the next separator.
        while (symbol !== SPACE && symbol < SLOW && ++i < n) symbol = symbols[text.charCodeAt(i)] as number;
        if (i === n) break;
      }
      if (symbol >= SLOW) {
        if (symbol === SLOW) state = this.slowStep(text, i, state, found);
        continue;
      }
      state = delta[state + symbol] as number;
      if (state < 0) {
        state = -state;
        this.report(text, state, i, symbol === SPACE, found);
      }
    }
    // The end of the text is a separator.
    const last = delta[state + SPACE] as number;
    if (last < 0) this.report(text, -last, n, true, found);
    return found;
  }

  /** A code unit that folds to several characters (ß → ss, ﬁ → fi, an astral letter). */
  private slowStep(text: string, i: number, state: number, found: AutomatonMatch[]): number {
    const { folded } = unitFolding(text, i);
    for (let j = 0; j < folded.length; j++) {
      const space = folded.charCodeAt(j) === 32;
      const next = this.delta[
        state + (space ? SPACE : (this.symbolOf.get(folded.charCodeAt(j)) ?? OTHER))
      ] as number;
      state = next < 0 ? -next : next;
      if (next < 0) this.report(text, state, i, space, found);
    }
    return state;
  }

  /**
   * Reports the outputs of `state`, entered at code unit `at`: on the separator that follows a word-anchored match,
   * or on the last character of a match in an unspaced script.
   */
  private report(text: string, state: number, at: number, onSpace: boolean, found: AutomatonMatch[]): void {
    for (
      let o = this.outputFirst[state / this.alphabet] as number;
      o >= 0;
      o = this.outputNext[o] as number
    ) {
      const pattern = this.outputPattern[o] as number;
      if ((this.anchoredEnd[pattern] === 1) !== onSpace) continue;
      const end = onSpace ? at : Math.min(text.length, at + unitFolding(text, at).units);
      const start = startOf(text, end, this.lengths[pattern] as number);
      found.push({ pattern, start, end });
    }
  }
}
