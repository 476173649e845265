/**
 * A multi-pattern matcher for folded watch terms: an Aho-Corasick automaton compiled to a dense transition table
 * (automaton-build.ts) that folds the text while it scans it, one code unit at a time. Every organisation's terms are
 * found in one pass, at word boundaries (so "azur" is not found in "azurite"), each match with its offsets in the
 * original text. The scan runs in WebAssembly (wasm-dfa.ts), two halves of a long text interleaved.
 *
 * Patterns must already be folded (src/match/fold.ts): lower-case letters and digits separated by single spaces.
 */
import { type AutomatonTables, buildTables, OTHER, SLOW, SPACE } from './automaton-build.ts';
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, foldTables } from './fold.ts';
import { startOf, unitFolding } from './fold-walk.ts';
import { WasmDfa } from './wasm-dfa.ts';

export interface AutomatonMatch {
  /** Index of the pattern in the list the automaton was built from. */
  pattern: number;
  /** Original offsets: text.slice(start, end) is what matched. */
  start: number;
  end: number;
}

/** Texts shorter than this are scanned in JavaScript. */
const SMALL_TEXT = 512;
/** Texts longer than this are scanned in JavaScript too (2–3× slower, but no 2 bytes per character kept). */
const LARGE_TEXT = 16 * 1024 * 1024;
/** Texts shorter than this are scanned as one stream. */
const SPLIT_FROM = 8192;

export class TermAutomaton {
  readonly patternCount: number;
  private readonly t: AutomatonTables;
  private wasm: WasmDfa | undefined;

  constructor(patterns: readonly string[]) {
    this.patternCount = patterns.length;
    this.t = buildTables(patterns);
  }

  get stateCount(): number {
    return this.t.stateCount;
  }

  /** Every occurrence of every pattern in `text` at word boundaries, in order of their end. */
  scan(text: string): AutomatonMatch[] {
    // A short text (a table row, a line) costs more to hand over to WebAssembly than to scan here.
    // A huge one (a whole text file as one record) is not copied into WebAssembly memory, which never shrinks.
    if (text.length < SMALL_TEXT || text.length > LARGE_TEXT) return this.scanReference(text);
    this.wasm ??= new WasmDfa(this.t.delta, this.t.symbols);
    const first: AutomatonMatch[] = [];
    const second: AutomatonMatch[] = [];
    const split = text.length >= SPLIT_FROM ? this.splitPoint(text) : null;
    const mid = split?.mid ?? text.length;
    const reportTo = (found: AutomatonMatch[], from: number) => ({
      report: (index: number, state: number) => {
        if (index >= from)
          this.report(text, state, index, this.t.symbols[text.charCodeAt(index)] === SPACE, found);
      },
      slow: (index: number, state: number) => this.slowStep(text, index, state, index >= from ? found : null),
    });
    const end = this.wasm.scan(
      text,
      this.t.startState,
      reportTo(first, 0),
      split ? { mid, start: split.start, handlers: reportTo(second, mid) } : null,
    );
    const last = this.t.delta[end + SPACE] as number; // the end of the text is a separator
    if (last < 0) this.report(text, -last, text.length, true, split ? second : first);
    return split ? first.concat(second) : first;
  }

  /**
   * Where to cut a long text in two: the second half is scanned from a separator far enough before the middle that
   * every match reported from the middle on starts after it (at least the longest pattern, in folded characters).
   */
  private splitPoint(text: string): { mid: number; start: number } | null {
    const { fold, multi } = foldTables();
    const mid = text.length >> 1;
    let symbols = 0;
    let laterIsSpace = false;
    for (let i = mid - 1; i > 0; i--) {
      const code = text.charCodeAt(i);
      const f = fold[code] as number;
      if (f === FOLD_DROP) continue;
      const space = f === FOLD_SEPARATOR && (code < 0xd800 || code > 0xdfff);
      if (space && symbols >= this.t.maxLength) return { mid, start: i };
      if (!(space && laterIsSpace)) symbols += f === FOLD_MULTI ? (multi.get(code)?.length ?? 2) : 1; // a run is one space
      laterIsSpace = space;
    }
    return null;
  }

  /** The same scan in JavaScript, one stream: the reference the WebAssembly scan is tested against. */
  scanReference(text: string): AutomatonMatch[] {
    const found: AutomatonMatch[] = [];
    const { delta, symbols } = this.t;
    let state = this.t.startState;
    for (let i = 0; i < text.length; i++) {
      const symbol = symbols[text.charCodeAt(i)] as number;
      if (symbol === SLOW) {
        state = this.slowStep(text, i, state, found);
        i += unitFolding(text, i).units - 1; // an astral character is two code units
        continue;
      }
      state = delta[state + symbol] as number;
      if (state < 0) {
        state = -state;
        this.report(text, state, i, symbol === SPACE, found);
      }
    }
    const last = delta[state + SPACE] as number;
    if (last < 0) this.report(text, -last, text.length, true, found);
    return found;
  }

  /** A code unit that folds to several characters (ß → ss, ﬁ → fi, an astral letter); null: report nothing. */
  private slowStep(text: string, i: number, state: number, found: AutomatonMatch[] | null): number {
    const { folded } = unitFolding(text, i);
    for (let j = 0; j < folded.length; j++) {
      const space = folded.charCodeAt(j) === 32;
      const next = this.t.delta[
        state + (space ? SPACE : (this.t.symbolOf.get(folded.charCodeAt(j)) ?? OTHER))
      ] as number;
      state = next < 0 ? -next : next;
      if (next < 0 && found) this.report(text, state, i, space, found);
    }
    return state;
  }

  /**
   * Reports the outputs of `state`, entered at code unit `at`: on the separator that follows a word-anchored match,
   * or on the last character of a match in an unspaced script.
   */
  private report(text: string, state: number, at: number, onSpace: boolean, found: AutomatonMatch[]): void {
    const t = this.t;
    for (let o = t.outputFirst[state / t.alphabet] as number; o >= 0; o = t.outputNext[o] as number) {
      const pattern = t.outputPattern[o] as number;
      if ((t.anchoredEnd[pattern] === 1) !== onSpace) continue;
      const end = onSpace ? at : Math.min(text.length, at + unitFolding(text, at).units);
      found.push({ pattern, start: startOf(text, end, t.lengths[pattern] as number), end });
    }
  }
}
