import type { ExtractContext } from '../context.ts';
import { decodeStream, detectEncoding, splitLines } from '../encoding.ts';
import { JsonRowScanner } from '../json-scan.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

const MAX_LEAVES = 500;

/** An object's leaves as cells named by their path (`address.city`), arrays of scalars as cells. */
export function flatten(value: unknown): { headers?: string[]; cells: string[] } {
  if (value === null || typeof value !== 'object') return { cells: [String(value)] };
  const headers: string[] = [];
  const cells: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (cells.length >= MAX_LEAVES) return;
    if (node !== null && typeof node === 'object') {
      const entries = Array.isArray(node)
        ? node.map((item, i) => [String(i), item] as const)
        : Object.entries(node);
      for (const [key, child] of entries) walk(child, path ? `${path}.${key}` : key);
      return;
    }
    headers.push(path);
    cells.push(node === null ? '' : String(node));
  };
  walk(value, '');
  return Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')
    ? { cells }
    : { headers, cells };
}

function toRecord(raw: string, cut: boolean, location: TextRecord['location'], prefix?: string): TextRecord {
  if (!cut) {
    try {
      const { headers, cells } = flatten(JSON.parse(raw));
      const text = cells.join('\t');
      return {
        text: prefix ? `${prefix}: ${text}` : text,
        cells,
        ...(headers ? { headers } : {}),
        location,
      };
    } catch {
      /* not valid JSON: keep the text */
    }
  }
  return { text: prefix ? `${prefix}: ${raw}` : raw, location };
}

/** JSON of any size: rows of the top-level array (or of arrays under top-level keys, one sheet each). */
export async function* extractJson(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const { encoding } = detectEncoding(input.head);
  ctx.encoding ??= encoding;
  const scanner = new JsonRowScanner(ctx.limits.maxRecordChars);
  const rows = new Map<string, number>();
  let cut = 0;
  const drain = (): TextRecord[] => {
    const records: TextRecord[] = [];
    for (const value of scanner.out.splice(0)) {
      if (value.cut) cut++;
      if (value.property) {
        const location = { document: input.name, ...(value.sheet ? { sheet: value.sheet } : {}) };
        records.push(toRecord(value.raw, value.cut, location, value.sheet));
        continue;
      }
      const sheet = value.sheet ?? '';
      const row = (rows.get(sheet) ?? 0) + 1;
      rows.set(sheet, row);
      ctx.counts.rows++;
      records.push(
        toRecord(value.raw, value.cut, { document: input.name, row, ...(sheet ? { sheet } : {}) }),
      );
    }
    return records;
  };
  for await (const text of decodeStream(input.stream(), encoding)) {
    scanner.feed(text);
    const records = drain();
    if (records.length > 0) yield records;
  }
  scanner.finish();
  const records = drain();
  if (records.length > 0) yield records;
  if (cut > 0)
    ctx.warn(`${input.name}: ${cut} value(s) longer than ${ctx.limits.maxRecordChars} characters were cut`);
}

/** NDJSON / JSON Lines: one row per line; a line that is not JSON is kept as text. */
export async function* extractNdjson(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const { encoding } = detectEncoding(input.head);
  ctx.encoding ??= encoding;
  let row = 0;
  for await (const batch of splitLines(decodeStream(input.stream(), encoding), ctx.limits.maxRecordChars)) {
    const records: TextRecord[] = [];
    batch.lines.forEach((line, i) => {
      if (batch.continued?.[i]) return;
      row++;
      ctx.counts.lines++;
      if (line.trim() === '') return;
      ctx.counts.rows++;
      records.push(toRecord(line, line.length >= ctx.limits.maxRecordChars, { document: input.name, row }));
    });
    if (records.length > 0) yield records;
  }
}
