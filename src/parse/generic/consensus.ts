import { childElements, visibleText } from './dom.ts';
import type { RecordInfo } from './record.ts';
import { isTitleLike, labelKey, titleQuality } from './text-kinds.ts';
import type { TitleOptions } from './title.ts';

/**
 * What the records of one group say together about where their titles are: a text every record repeats is a label
 * ("Company", "PUBLISHED"), not a name; in a table, the column whose cells are short, distinct names holds the
 * titles (not the country codes or the sector descriptions next to it).
 */

/**
 * A title repeated by at least this share of the records (and 3 of them) is a label. Below it, a repeated title is a
 * placeholder ("Paid", "Coming soon") and its records are dropped (filters.ts).
 */
const LABEL_SHARE = 0.9;

function bestColumn(records: RecordInfo[]): number | undefined {
  const columns: string[][] = [];
  for (const record of records) {
    childElements(record.element)
      .filter((cell) => cell.tagName === 'td' || cell.tagName === 'th')
      .forEach((cell, index) => {
        const column = columns[index] ?? [];
        column.push(visibleText(cell));
        columns[index] = column;
      });
  }
  let best: { index: number; score: number } | undefined;
  columns.forEach((texts, index) => {
    const names = texts.filter(isTitleLike);
    if (names.length === 0) return;
    const average = names.reduce((total, text) => total + text.length, 0) / names.length;
    const quality = names.reduce((total, text) => total + titleQuality(text), 0) / names.length;
    const distinct = new Set(names.map(labelKey)).size / names.length;
    const score =
      (names.length / records.length) *
      distinct *
      quality *
      Math.min(1, average / 6) *
      (average <= 50 ? 1 : 50 / average) *
      0.9 ** index;
    if (!best || score > best.score) best = { index, score };
  });
  return best?.index;
}

export function titleOptionsFor(records: RecordInfo[]): TitleOptions | undefined {
  const titled = records.filter((record) => record.title);
  if (titled.length < 3) return undefined;
  const counts = new Map<string, number>();
  for (const record of titled) {
    const key = labelKey(record.title?.text ?? '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const banned = new Set(
    [...counts].filter(([, count]) => count >= 3 && count >= titled.length * LABEL_SHARE).map(([key]) => key),
  );
  const options: TitleOptions = {};
  if (banned.size > 0) options.banned = banned;
  const rows = records.every((record) => record.element.tagName === 'tr');
  const fromCells = titled.filter((record) => record.title?.source === 'cell').length >= titled.length / 2;
  if (rows && fromCells) {
    const column = bestColumn(records);
    if (column !== undefined) options.column = column;
  }
  return options.banned || options.column !== undefined ? options : undefined;
}
