/**
 * Every organisation's watch terms compiled for one pass over a text: keywords, phrases and domains go into one
 * TermAutomaton (folded: case, accents, punctuation), domains and e-mail domains are then confirmed on the original
 * text (inside a URL or an address, not inside a longer name), regexes run on bounded windows with a time budget.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import type { WatchTerm } from '../store/organisations.repository.ts';
import { TermAutomaton } from './automaton.ts';
import { fold } from './fold.ts';
import { checkRegex } from './regex-safety.ts';

export interface TermHit {
  term: WatchTerm;
  start: number;
  end: number;
}

/** Regexes run on lines, cut into windows of this many characters (overlapping), so one costs at most window². */
const REGEX_WINDOW = 4096;
const REGEX_OVERLAP = 256;
/** A regex that spends more than this in one text source (document or post) is stopped for the rest of it. */
export const REGEX_BUDGET_MS = 2000;

export interface CompiledTermsOptions {
  /** Overrides REGEX_BUDGET_MS. */
  regexBudgetMs?: number;
  /** Milliseconds, monotonic; performance.now by default. Tests pass a clock they drive, so no verdict depends on speed. */
  clock?: () => number;
}

/** Time spent per regex term in the current document; terms over budget are skipped. */
export type RegexBudget = Map<number, number>;

const DOMAIN_CHAR = /[\p{L}\p{N}-]/u;

export class CompiledTerms {
  readonly terms: readonly WatchTerm[];
  private readonly automaton: TermAutomaton | null;
  /** Automaton pattern → the terms that fold to it (several organisations may watch the same name). */
  private readonly byPattern: WatchTerm[][];
  private readonly regexes: Array<{ term: WatchTerm; regex: RegExp }>;
  /** Terms that were stored before the regex check existed and fail it now: never run. */
  readonly refused: Array<{ term: WatchTerm; reason: string }> = [];
  readonly regexBudgetMs: number;
  private readonly clock: () => number;

  constructor(terms: readonly WatchTerm[], options: CompiledTermsOptions = {}) {
    this.regexBudgetMs = options.regexBudgetMs ?? REGEX_BUDGET_MS;
    this.clock = options.clock ?? (() => performance.now());
    this.terms = terms.filter((term) => !term.muted);
    const patterns = new Map<string, number>();
    this.byPattern = [];
    this.regexes = [];
    const addPattern = (folded: string, term: WatchTerm) => {
      if (!folded) return;
      let index = patterns.get(folded);
      if (index === undefined) {
        index = this.byPattern.length;
        patterns.set(folded, index);
        this.byPattern.push([]);
      }
      const list = this.byPattern[index] as WatchTerm[];
      if (!list.includes(term)) list.push(term);
    };
    for (const term of this.terms) {
      if (term.kind === 'regex') {
        const verdict = checkRegex(term.pattern);
        if (verdict.ok) this.regexes.push({ term, regex: new RegExp(term.pattern, 'giu') });
        else this.refused.push({ term, reason: verdict.reason });
      } else if (term.kind === 'domain' || term.kind === 'email_domain') {
        addPattern(fold(term.normalised), term);
        addPattern(fold(domainToUnicode(term.normalised)), term);
      } else addPattern(fold(term.normalised), term);
    }
    this.automaton = this.byPattern.length > 0 ? new TermAutomaton([...patterns.keys()]) : null;
  }

  get size(): number {
    return this.terms.length;
  }

  /** The watch terms found in `text`, with their original offsets. */
  scan(text: string, budget?: RegexBudget): TermHit[] {
    const hits: TermHit[] = [];
    if (this.automaton) {
      for (const match of this.automaton.scan(text)) {
        for (const term of this.byPattern[match.pattern] as WatchTerm[]) {
          if (term.kind === 'domain' && !isDomainAt(text, match.start, match.end, term.normalised, false))
            continue;
          if (
            term.kind === 'email_domain' &&
            !isDomainAt(text, match.start, match.end, term.normalised, true)
          )
            continue;
          hits.push({ term, start: match.start, end: match.end });
        }
      }
    }
    for (const { term, regex } of this.regexes) {
      const spent = budget?.get(term.id) ?? 0;
      if (spent > this.regexBudgetMs) continue;
      const started = this.clock();
      for (const [offset, window] of windows(text)) {
        regex.lastIndex = 0;
        for (let m = regex.exec(window); m; m = regex.exec(window)) {
          if (m[0].length === 0) {
            regex.lastIndex++;
            continue;
          }
          const start = offset + m.index;
          if (offset > 0 && m.index < REGEX_OVERLAP && hits.some((h) => h.term === term && h.start === start))
            continue;
          hits.push({ term, start, end: start + m[0].length });
        }
        // Checked after each window too: one long text cannot overrun the budget by more than a window's work.
        if (budget && spent + this.clock() - started > this.regexBudgetMs) break;
      }
      budget?.set(term.id, spent + this.clock() - started);
    }
    return hits;
  }
}

/** Lines of a text, long ones cut into overlapping windows, with their offsets. */
function* windows(text: string): Generator<[number, string]> {
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    for (let start = lineStart; start < lineEnd; start += REGEX_WINDOW - REGEX_OVERLAP) {
      yield [start, text.slice(start, Math.min(lineEnd, start + REGEX_WINDOW))];
      if (start + REGEX_WINDOW >= lineEnd) break;
    }
    lineStart = lineEnd + 1;
  }
}

/**
 * Is the folded match at [start, end) really the domain: the same characters (ASCII or Unicode form), not preceded
 * by a letter, digit or hyphen (`evil-labo.fr`) nor followed by one or by a further label (`labo.fr.evil.com`); for
 * an e-mail domain, part of an address (`…@labo.fr`, `…@mail.labo.fr`).
 */
function isDomainAt(text: string, start: number, end: number, ascii: string, email: boolean): boolean {
  const slice = text.slice(start, end).toLowerCase();
  if (slice !== ascii && domainToASCII(slice) !== ascii) return false;
  const before = text[start - 1] ?? '';
  const after = text[end] ?? '';
  if (DOMAIN_CHAR.test(before) || DOMAIN_CHAR.test(after)) return false;
  if (after === '.' && DOMAIN_CHAR.test(text[end + 1] ?? '')) return false;
  if (!email) return true;
  let i = start - 1;
  while (i >= 0 && /[\p{L}\p{N}.-]/u.test(text[i] as string)) i--;
  return text[i] === '@';
}
