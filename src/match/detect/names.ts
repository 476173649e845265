/**
 * Name + birth date pairs in one record: by column roles when a table has headers, by cell shapes when it has none
 * (a date cell and name-like cells), and in free text around a date ("Hélène DUPONT, née le 12/03/1980"). Each pair
 * becomes the same normalised form as at import: sorted folded name words and an ISO date.
 */
import type { TextRecord } from '../../extract/text-record.ts';
import { FOLD_MULTI, FOLD_SEPARATOR, foldTables } from '../fold.ts';
import { DATE_IN_TEXT, type DateOrder, parseDate } from '../identifiers/dates.ts';
import { nameKey } from '../identifiers/normalise.ts';
import type { ColumnRole } from './headers.ts';
import { reportNames } from './report-names.ts';

const NAME_CELL = /^\p{L}[\p{L}' -]{0,60}$/u;
const CAPITALISED = /\p{Lu}[\p{L}'-]*/gu;
/** Pairs kept per date found in a text (nearest candidates first), and per record: a page may list many people. */
const MAX_PER_DATE = 12;
const MAX_PER_RECORD = 1024;
/**
 * A year 19xx/20xx standing as a word of its own: every form of DATE_IN_TEXT holds one (after "/", "-", "." or a
 * space, before a word boundary or "-"), so text without one needs no DATE_IN_TEXT scan. The digits of phone numbers,
 * e-mail addresses and order numbers of a customer list hold a 19xx or 20xx nearly every line, but not as a word.
 */
export const YEAR_WORD = /\b(?:19|20)\d{2}\b/;

function pair(name: string, iso: string, into: Set<string>, limit = MAX_PER_DATE): void {
  const key = nameKey(name);
  if (key && into.size < Math.min(limit, MAX_PER_RECORD)) into.add(`${key}|${iso}`);
}

/** Runs of up to 4 capitalised words that touch each other (only spaces between), nearest first. */
function nameRuns(text: string, fromEnd: boolean): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let lastEnd = -1;
  for (const m of text.matchAll(CAPITALISED)) {
    if (lastEnd >= 0 && !/^ +$/.test(text.slice(lastEnd, m.index))) {
      if (run.length) runs.push(run);
      run = [];
    }
    run.push(m[0]);
    lastEnd = m.index + m[0].length;
  }
  if (run.length) runs.push(run);
  return fromEnd ? runs.reverse() : runs;
}

function textPairs(text: string, order: DateOrder, into: Set<string>): void {
  if (!YEAR_WORD.test(text)) return;
  DATE_IN_TEXT.lastIndex = 0; // global: exec walks the dates without matchAll's copy of the regex
  const lines = text.includes('\n');
  for (let m = DATE_IN_TEXT.exec(text); m; m = DATE_IN_TEXT.exec(text)) {
    const iso = parseDate(m[0].replace(/,/g, ''), order);
    if (!iso) continue;
    const limit = into.size + MAX_PER_DATE;
    const before = nameRuns(text.slice(Math.max(0, m.index - 80), m.index), true)[0] ?? [];
    const after = nameRuns(text.slice(m.index + m[0].length, m.index + m[0].length + 60), false)[0] ?? [];
    for (const words of [before.slice(-4), after.slice(0, 4)]) {
      for (let size = 2; size <= Math.min(3, words.length); size++) {
        for (let start = 0; start + size <= words.length; start++)
          pair(words.slice(start, start + size).join(' '), iso, into, limit);
      }
    }
    // A report's layout: the name on a line of its own, label/value lines, columns.
    if (lines) for (const name of reportNames(text, m.index)) pair(name, iso, into, limit);
  }
}

/** Shared, never pushed to: most records hold no pair. */
const NO_PAIRS: readonly string[] = Object.freeze([]);

export function findNameBirthdates(
  record: TextRecord,
  roles: Map<ColumnRole, number>,
  order: DateOrder,
): readonly string[] {
  const { cells } = record;
  if (cells && roles.has('birthdate')) {
    // One or two pairs per row of a table with headers (every row of a customer dump): no Set for them.
    const iso = parseDate(cells[roles.get('birthdate') as number] ?? '', order);
    if (!iso) return NO_PAIRS;
    const pairs: string[] = [];
    const first = roles.has('first_name') ? (cells[roles.get('first_name') as number] ?? '') : '';
    const last = roles.has('last_name') ? (cells[roles.get('last_name') as number] ?? '') : '';
    const names = first || last ? [`${first} ${last}`] : [];
    if (roles.has('name')) names.push(cells[roles.get('name') as number] ?? '');
    for (const name of names) {
      const key = nameKey(name);
      const value = key && `${key}|${iso}`;
      if (value && !pairs.includes(value)) pairs.push(value);
    }
    return pairs;
  }
  if (cells && roles.size > 0) return NO_PAIRS; // a table with headers but no birth-date column
  const found = new Set<string>();
  if (cells) {
    const dates = cells.map((cell) => (/\d/.test(cell) && cell.length <= 20 ? parseDate(cell, order) : null));
    const names = cells.map((cell) => NAME_CELL.test(cell.trim()) && !cell.includes('@'));
    for (const iso of dates) {
      if (!iso) continue;
      cells.forEach((cell, i) => {
        if (!names[i]) return;
        if (cell.trim().includes(' ')) pair(cell, iso, found);
        else if (names[i + 1] && !cells[i + 1]?.trim().includes(' '))
          pair(`${cell} ${cells[i + 1]}`, iso, found);
      });
    }
    return [...found];
  }
  textPairs(record.text, order, found);
  return [...found];
}

/**
 * Folded words of `text` that hold no digit, counted without folding it into a new string; -1 when a character
 * folds to several (ß, ligatures, astral letters: the caller then folds for real).
 */
function plainNameWords(text: string): number {
  const { fold } = foldTables();
  let words = 0;
  let inWord = false;
  let digit = false;
  for (let i = 0; i <= text.length; i++) {
    const f = i < text.length ? (fold[text.charCodeAt(i)] as number) : FOLD_SEPARATOR;
    if (f === FOLD_MULTI) return -1;
    if (f === FOLD_SEPARATOR) {
      if (inWord && !digit) words++;
      inWord = false;
      digit = false;
    } else if (f > FOLD_MULTI) {
      inWord = true;
      if (f >= 48 && f <= 57) digit = true;
    }
  }
  return words;
}

/** Whether `name` has a name key (nameKey(name) !== null), most often without building it. */
function hasNameKey(name: string): boolean {
  const words = plainNameWords(name);
  return words < 0 ? nameKey(name) !== null : words >= 2 && words <= 6;
}

/**
 * Whether the record holds a name + birth date pair at all (findNameBirthdates(…).length > 0): what the identity
 * category needs when nobody registered names and birth dates. A table row with a birth-date column (every row of a
 * customer dump) is answered without building the pair.
 */
export function hasNameBirthdate(
  record: TextRecord,
  roles: Map<ColumnRole, number>,
  order: DateOrder,
): boolean {
  const { cells } = record;
  if (!cells || !roles.has('birthdate')) return findNameBirthdates(record, roles, order).length > 0;
  if (!parseDate(cells[roles.get('birthdate') as number] ?? '', order)) return false;
  const first = roles.has('first_name') ? (cells[roles.get('first_name') as number] ?? '') : '';
  const last = roles.has('last_name') ? (cells[roles.get('last_name') as number] ?? '') : '';
  if (first || last) {
    // `${first} ${last}` folds to the words of both: the space between them is a separator.
    const a = plainNameWords(first);
    const b = plainNameWords(last);
    if (a < 0 || b < 0 ? hasNameKey(`${first} ${last}`) : a + b >= 2 && a + b <= 6) return true;
  }
  return roles.has('name') && hasNameKey(cells[roles.get('name') as number] ?? '');
}
