/**
 * Runs the benchmarks of bench/registry.ts: all, or those whose name starts with an argument
 * (`npm run bench -- db.` or `npm run bench -- db.insert_rows_s`). Prints a table and merges the figures into
 * bench-results.json at the repository root, so running one benchmark keeps the others' last figures.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Benchmark, benchmarks } from './registry.ts';

const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench-results.json');

interface Entry {
  value: number;
  unit: string;
  goal: string;
  detail: Record<string, unknown>;
}

function select(args: readonly string[]): Benchmark[] {
  if (args.length === 0) return [...benchmarks];
  return benchmarks.filter((bench) => args.some((prefix) => bench.name.startsWith(prefix)));
}

function readResults(): Record<string, Entry> {
  if (!existsSync(RESULTS_FILE)) return {};
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, Entry>;
  } catch (error) {
    console.warn(`ignoring unreadable ${RESULTS_FILE}: ${(error as Error).message}`);
    return {};
  }
}

function writeResults(results: Record<string, Entry>): void {
  const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b)));
  const temporary = `${RESULTS_FILE}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(temporary, RESULTS_FILE);
}

function formatValue(value: number): string {
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : String(Number(value.toPrecision(3)));
}

function flatten(detail: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  return Object.entries(detail).flatMap(
    ([key, value]): Array<[string, string]> =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
        : [[`${prefix}${key}`, typeof value === 'number' ? formatValue(value) : JSON.stringify(value)]],
  );
}

function printTable(rows: Array<{ name: string; entry?: Entry; seconds: number; error?: string }>): void {
  const header = ['benchmark', 'value', 'unit', 'goal', 'took'];
  const lines = rows.map(({ name, entry, seconds, error }) => [
    name,
    entry ? formatValue(entry.value) : 'FAILED',
    entry?.unit ?? '',
    entry?.goal ?? (error as string),
    `${seconds.toFixed(1)} s`,
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(render(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const [i, line] of lines.entries()) {
    console.log(render(line));
    const detail = rows[i]?.entry?.detail;
    if (detail) for (const [key, value] of flatten(detail)) console.log(`    ${key} = ${value}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const selected = select(args);
  if (selected.length === 0) {
    console.error(
      `no benchmark matches ${args.join(' ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  const rows: Array<{ name: string; entry?: Entry; seconds: number; error?: string }> = [];
  for (const bench of selected) {
    console.error(`running ${bench.name} …`);
    const started = performance.now();
    try {
      const { value, detail } = await bench.run();
      const entry: Entry = { value, unit: bench.unit, goal: bench.goal, detail };
      rows.push({ name: bench.name, entry, seconds: (performance.now() - started) / 1000 });
      writeResults({ ...readResults(), [bench.name]: entry }); // after each, so a later failure keeps it
    } catch (error) {
      console.error(`${bench.name} failed:`, error);
      rows.push({
        name: bench.name,
        seconds: (performance.now() - started) / 1000,
        error: (error as Error).message,
      });
      process.exitCode = 1;
    }
  }
  printTable(rows);
  console.log(`\nresults merged into ${RESULTS_FILE}`);
}

await main();
