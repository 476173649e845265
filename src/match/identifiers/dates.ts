/**
 * Birth dates as leaks and registries write them, to ISO (YYYY-MM-DD): 12/03/1980, 12-03-1980, 12.03.1980, 1980-03-12,
 * 19800312, 12/03/80, "12 mars 1980", "March 12, 1980". Day-first unless the order is given as month-first.
 */
import { fold } from '../fold.ts';

export type DateOrder = 'dmy' | 'mdy';

const MONTHS: Record<string, number> = {};
const NAMES = [
  ['janvier', 'january', 'jan', 'janv'],
  ['fevrier', 'february', 'feb', 'fev', 'fevr'],
  ['mars', 'march', 'mar'],
  ['avril', 'april', 'apr', 'avr'],
  ['mai', 'may'],
  ['juin', 'june', 'jun'],
  ['juillet', 'july', 'jul', 'juil'],
  ['aout', 'august', 'aug'],
  ['septembre', 'september', 'sep', 'sept'],
  ['octobre', 'october', 'oct'],
  ['novembre', 'november', 'nov'],
  ['decembre', 'december', 'dec'],
];
NAMES.forEach((names, i) => {
  for (const name of names) MONTHS[name] = i + 1;
});

/** The current date, re-read only when the year it holds has ended: a dump's rows do not each need a Date. */
let current: { now: Date; yearEndMs: number } | undefined;
function today(): Date {
  const ms = Date.now();
  if (!current || ms >= current.yearEndMs) {
    const now = new Date(ms);
    current = { now, yearEndMs: Date.UTC(now.getUTCFullYear() + 1, 0, 1) };
  }
  return current.now;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, n) => String(n).padStart(2, '0'));

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isoDate(year: number, month: number, day: number, now = today()): string | null {
  if (year < 1900 || year > now.getUTCFullYear()) return null;
  if (!Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12) return null;
  if (day < 1 || day > daysIn(year, month)) return null;
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

function century(two: number, now: Date): number {
  return two <= now.getUTCFullYear() % 100 ? 2000 + two : 1900 + two;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isDateSeparator = (code: number) => code === 45 || code === 46 || code === 47; // - . /

/**
 * `d/m/yyyy`, `dd.mm.yy`… (1–2 digits, separator, 1–2 digits, separator, 2 or 4 digits, nothing around): the form of
 * nearly every birth-date cell, read without a regex. The same result as parseDate's general path; undefined for
 * anything else.
 */
function dayMonthYear(text: string, order: DateOrder, now: Date): string | null | undefined {
  const n = text.length;
  if (n < 6 || n > 10) return undefined;
  let i = 0;
  let first = 0;
  while (i < n && i < 2 && isDigit(text.charCodeAt(i))) first = first * 10 + text.charCodeAt(i++) - 48;
  if (i === 0 || i >= n || !isDateSeparator(text.charCodeAt(i))) return undefined;
  const afterFirst = ++i;
  let second = 0;
  while (i < n && i - afterFirst < 2 && isDigit(text.charCodeAt(i)))
    second = second * 10 + text.charCodeAt(i++) - 48;
  if (i === afterFirst || i >= n || !isDateSeparator(text.charCodeAt(i))) return undefined;
  const yearStart = ++i;
  let year = 0;
  while (i < n && isDigit(text.charCodeAt(i))) year = year * 10 + text.charCodeAt(i++) - 48;
  const yearDigits = i - yearStart;
  if (i !== n || (yearDigits !== 2 && yearDigits !== 4)) return undefined;
  if (yearDigits === 2) year = century(year, now);
  return order === 'dmy' ? isoDate(year, second, first, now) : isoDate(year, first, second, now);
}

/** A numeric date (`12/03/1980`, `1980-03-12`, `19800312`…) or one with a month name, as ISO; null otherwise. */
const DATE_SHAPE =
  /^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}(?:[T ]\S*)?|\d{8}|\d{1,2}(?:er)? +\p{L}.*|\p{L}+\.? +\d{1,2}.*)\s*$/u;

export function parseDate(raw: string, order: DateOrder = 'dmy', now = today()): string | null {
  if (raw.length > 40) return null;
  const quick = dayMonthYear(raw, order, now);
  if (quick !== undefined) return quick;
  if (!DATE_SHAPE.test(raw)) return null;
  const text = raw.trim();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(text);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]), now);
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$/.exec(text);
  if (m) {
    const year = (m[3] as string).length === 2 ? century(Number(m[3]), now) : Number(m[3]);
    const [day, month] = order === 'dmy' ? [Number(m[1]), Number(m[2])] : [Number(m[2]), Number(m[1])];
    return isoDate(year, month, day, now);
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]), now);
  const words = fold(text).split(' ');
  if (words.length === 3) {
    const [a, b, c] = words as [string, string, string];
    if (MONTHS[b] && /^\d{1,2}$/.test(a) && /^\d{4}$/.test(c))
      return isoDate(Number(c), MONTHS[b], Number(a), now);
    if (MONTHS[a] && /^\d{1,2}$/.test(b) && /^\d{4}$/.test(c))
      return isoDate(Number(c), MONTHS[a], Number(b), now);
  }
  if (words.length === 4 && words[0] === '1er') return parseDate(`1 ${words.slice(1).join(' ')}`, order, now);
  return null;
}

/** Dates inside free text, with their offsets: numeric forms and "12 mars 1980" / "March 12, 1980". */
export const DATE_IN_TEXT =
  /\b(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|\d{1,2}(?:er)? [A-Za-zéûÉÛ]{3,9}\.? (?:19|20)\d{2}|[A-Z][a-z]{2,8}\.? \d{1,2},? (?:19|20)\d{2})\b/g;
