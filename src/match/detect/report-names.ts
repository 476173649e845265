/**
 * The names a report lays out around a birth date: a lab report puts "Patient : DUPONT Hélène" on one line and
 * "Né(e) le : 15/06/2000" on the next, or "Nom : DUPONT" and "Prénom : Hélène" on lines of their own, or two columns
 * side by side. Candidates come from the date's section only (the lines around it up to a blank line), nearest first;
 * a wrong candidate costs one keyed hash and matches nobody.
 */

/** Lines before the date's line, and after it, that still belong to its section. */
const LINES_BEFORE = 3;
const LINES_AFTER = 1;
/** A capitalised word, and what may stand between two words of one name: single spaces (2+ spaces part columns). */
const CAPITALISED = /\p{Lu}[\p{L}'-]*/gu;
const ONE_SPACE = /^ $/;
const COLUMN_GAP = /\t| {2,}/;
/** A value standing alone after its label: "Nom : DUPONT", "Prénom: Hélène". */
const LONE_VALUE = /:\s*(\p{Lu}[\p{L}'-]+)\s*$/u;
const LONE_CELL = /^\p{Lu}[\p{L}'-]+$/u;
/** Single words combined two by two: at most 15 candidates. */
const MAX_LONE = 6;

/** Runs of capitalised words separated by one space; a colon, a comma, a column gap or a line ends a run. */
function runsOf(line: string): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let lastEnd = -1;
  for (const m of line.matchAll(CAPITALISED)) {
    if (lastEnd >= 0 && !ONE_SPACE.test(line.slice(lastEnd, m.index))) {
      if (run.length) runs.push(run);
      run = [];
    }
    run.push(m[0]);
    lastEnd = m.index + m[0].length;
  }
  if (run.length) runs.push(run);
  return runs;
}

/** The lines of the section holding `at`, nearest first (the date's own line, then before it, then after). */
function sectionLines(text: string, at: number): string[] {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = text.length;
  const lines = [text.slice(lineStart, lineEnd)];
  let start = lineStart;
  for (let i = 0; i < LINES_BEFORE && start > 0; i++) {
    const previous = text.lastIndexOf('\n', start - 2) + 1;
    const line = text.slice(previous, start - 1);
    if (line.trim() === '') break;
    lines.push(line);
    start = previous;
  }
  let end = lineEnd;
  for (let i = 0; i < LINES_AFTER && end < text.length; i++) {
    let next = text.indexOf('\n', end + 1);
    if (next < 0) next = text.length;
    const line = text.slice(end + 1, next);
    if (line.trim() === '') break;
    lines.push(line);
    end = next;
  }
  return lines;
}

/**
 * Name candidates for the date at `at` in a multi-line text: runs of two to four capitalised words on the section's
 * lines (each run's two- and three-word spans), then single words (values after labels, table cells) two by two.
 */
export function reportNames(text: string, at: number): string[] {
  const names: string[] = [];
  const lone: string[] = [];
  for (const line of sectionLines(text, at)) {
    for (const cell of line.split(COLUMN_GAP)) {
      const segment = cell.trim();
      for (const run of runsOf(segment)) {
        const words = run.slice(-4);
        for (let size = 2; size <= Math.min(3, words.length); size++)
          for (let start = 0; start + size <= words.length; start++)
            names.push(words.slice(start, start + size).join(' '));
      }
      // One word alone: a value after its label, or a table cell between column gaps.
      const value = LONE_VALUE.exec(segment)?.[1] ?? LONE_CELL.exec(segment)?.[0];
      if (value && lone.length < MAX_LONE) lone.push(value);
    }
  }
  for (let a = 0; a < lone.length; a++)
    for (let b = a + 1; b < lone.length; b++) names.push(`${lone[a]} ${lone[b]}`);
  return names;
}
