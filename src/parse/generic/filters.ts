import { childElements, visibleText } from './dom.ts';
import type { RecordInfo } from './record.ts';
import { labelKey } from './text-kinds.ts';

/**
 * Records of a group that are not posts: the header row of a table, blocks without a title, placeholders whose
 * title repeats ("Paid", "Coming soon"), and the group's own notices (rules, contacts, FAQ).
 */

export interface Dropped {
  reason: string;
  count: number;
  examples: string[];
}

export interface Filtered {
  kept: RecordInfo[];
  dropped: Dropped[];
}

/** Titles repeated this often inside one block are placeholders, not victims. */
const PLACEHOLDER_REPEATS = 3;

const NOTICE =
  /^(rules|faq|f\.a\.q\.?|about( us)?|contacts?( us)?|how to (buy|contact|pay|decrypt|reach us)|partners?( program)?|affiliates?( program)?|press( contacts?)?|for (journalists|the press|media)|announcement|readme|read me( first)?|instructions?|правила|контакты|о нас|партн[её]рская программа)$/iu;

function cellsOf(record: RecordInfo) {
  return childElements(record.element).filter((cell) => cell.tagName === 'td' || cell.tagName === 'th');
}

/** A row of column names: only <th> cells among rows that have <td>, or a first row of bold cells. */
function isHeaderRow(record: RecordInfo, index: number, rowsHaveData: boolean): boolean {
  if (record.element.tagName !== 'tr') return false;
  const cells = cellsOf(record);
  if (cells.length === 0) return false;
  if (rowsHaveData && cells.every((cell) => cell.tagName === 'th') && record.links === 0) return true;
  if (index !== 0 || record.links > 0) return false;
  // First row whose every non-empty cell is wholly bold: column names.
  const filled = cells.filter((cell) => visibleText(cell) !== '');
  return (
    filled.length > 0 &&
    filled.every((cell) => {
      const inner = childElements(cell);
      return (
        inner.length === 1 &&
        ['b', 'strong'].includes((inner[0] as { tagName: string }).tagName) &&
        visibleText(inner[0] as never) === visibleText(cell)
      );
    })
  );
}

export function filterRecords(records: RecordInfo[]): Filtered {
  const dropped = new Map<string, Dropped>();
  const drop = (reason: string, record: RecordInfo) => {
    const entry = dropped.get(reason) ?? { reason, count: 0, examples: [] };
    entry.count += 1;
    const example = record.title?.text ?? record.text.slice(0, 40);
    if (entry.examples.length < 3 && example && !entry.examples.includes(example))
      entry.examples.push(example);
    dropped.set(reason, entry);
  };

  const titled: RecordInfo[] = [];
  const rowsHaveData = records.some((record) => cellsOf(record).some((cell) => cell.tagName === 'td'));
  records.forEach((record, index) => {
    if (isHeaderRow(record, index, rowsHaveData)) drop('table header row', record);
    else if (!record.title) drop('no title', record);
    else titled.push(record);
  });

  const counts = new Map<string, number>();
  for (const record of titled) {
    const key = labelKey(record.title?.text ?? '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const kept: RecordInfo[] = [];
  for (const record of titled) {
    const title = record.title?.text ?? '';
    const repeats = counts.get(labelKey(title)) ?? 0;
    if (repeats >= PLACEHOLDER_REPEATS)
      drop(`placeholder title (same title ${PLACEHOLDER_REPEATS}+ times)`, record);
    else if (NOTICE.test(labelKey(title))) drop('group notice, not a victim', record);
    else kept.push(record);
  }
  return { kept, dropped: [...dropped.values()] };
}
