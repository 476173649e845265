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

export function isoDate(year: number, month: number, day: number, now = new Date()): string | null {
  if (year < 1900 || year > now.getUTCFullYear()) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function century(two: number, now: Date): number {
  return two <= now.getUTCFullYear() % 100 ? 2000 + two : 1900 + two;
}

/** A numeric date (`12/03/1980`, `1980-03-12`, `19800312`…) or one with a month name, as ISO; null otherwise. */
const DATE_SHAPE =
  /^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}(?:[T ]\S*)?|\d{8}|\d{1,2}(?:er)? +\p{L}.*|\p{L}+\.? +\d{1,2}.*)\s*$/u;

export function parseDate(raw: string, order: DateOrder = 'dmy', now = new Date()): string | null {
  if (raw.length > 40 || !DATE_SHAPE.test(raw)) return null;
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
