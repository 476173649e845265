import { visibleLine as safeText } from '../shared/visible-text.ts';
import type { EvaluationReport, EvaluationTotal, PageResult } from './evaluate.ts';

/** Text and JSON renderings of an evaluation. Titles come from hostile pages: invisible characters are shown. */

const NOTE_TITLES = 3;
const NOTE_TITLE_CHARS = 40;

export interface ReportStyle {
  /** Append ` walls_with_posts=W` to the TOTAL line (for extractors that read pages without a definition). */
  showWalls: boolean;
}

export function ratio(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}

const safe = (text: string, max = NOTE_TITLE_CHARS) => safeText(text, max);

function titleList(label: string, titles: readonly string[]): string {
  const shown = titles.slice(0, NOTE_TITLES).map((title) => JSON.stringify(safe(title)));
  const more = titles.length > NOTE_TITLES ? ` (+${titles.length - NOTE_TITLES} more)` : '';
  return `${label} ${titles.length}: ${shown.join(', ')}${more}`;
}

export function notesOf(page: PageResult): string {
  const notes: string[] = [];
  if (page.error) notes.push(safe(page.error, 120));
  if (page.wall && page.returned > 0) notes.push(`wall with ${page.returned} posts`);
  if (page.missed.length > 0) notes.push(titleList('missed', page.missed));
  if (page.extra.length > 0) notes.push(titleList('extra', page.extra));
  if (page.ignored > 0) notes.push(`${page.ignored} non-victim ignored`);
  return notes.join('; ');
}

export function totalLine(total: EvaluationTotal, style: ReportStyle): string {
  const walls = style.showWalls ? ` walls_with_posts=${total.walls_with_posts}` : '';
  return `TOTAL pages=${total.pages} precision=${ratio(total.precision)} recall=${ratio(total.recall)}${walls}`;
}

const HEADER = [
  'page',
  'group',
  'definition',
  'expected',
  'returned',
  'matched',
  'precision',
  'recall',
  'notes',
];

/** A per-page table, then exactly one TOTAL line. */
export function formatReport(report: EvaluationReport, style: ReportStyle): string {
  const rows = report.pages.map((page) => {
    const scored = page.outcome === 'scored';
    return [
      safe(page.page),
      safe(page.group ?? '-'),
      page.definition ?? '-',
      scored ? String(page.expected) : '-',
      scored ? String(page.returned) : '-',
      scored ? String(page.matched) : '-',
      ratio(page.precision),
      ratio(page.recall),
      notesOf(page),
    ];
  });
  const widths = HEADER.map((_, column) =>
    Math.max(...[HEADER, ...rows].map((row) => (row[column] as string).length)),
  );
  const numeric = new Set([3, 4, 5, 6, 7]);
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === row.length - 1
          ? cell
          : numeric.has(column)
            ? cell.padStart(widths[column] as number)
            : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  return `${[HEADER, ...rows].map(line).join('\n')}\n${totalLine(report.total, style)}\n`;
}

/** The `--json` document. */
export function reportJson(report: EvaluationReport): {
  pages: PageResult[];
  total: Pick<EvaluationTotal, 'pages' | 'precision' | 'recall' | 'walls_with_posts'>;
} {
  const { pages, precision, recall, walls_with_posts } = report.total;
  return { pages: report.pages, total: { pages, precision, recall, walls_with_posts } };
}
