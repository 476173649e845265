import type { ExtractContext } from '../context.ts';
import { decodeStream, detectEncoding } from '../encoding.ts';
import type { ExtractInput } from '../source.ts';
import { SqlScanner } from '../sql-scan.ts';
import type { TextRecord } from '../text-record.ts';

/** SQL dumps: every INSERT tuple and COPY line as a row of its table (the sheet), with its column names. */
export async function* extractSql(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const { encoding } = detectEncoding(input.head);
  ctx.encoding ??= encoding;
  const scanner = new SqlScanner(ctx.limits.maxRecordChars);
  const rows = new Map<string, number>();
  let cut = 0;
  const drain = (): TextRecord[] => {
    const records: TextRecord[] = [];
    for (const tuple of scanner.out.splice(0)) {
      const row = (rows.get(tuple.table) ?? 0) + 1;
      rows.set(tuple.table, row);
      ctx.counts.rows++;
      if (tuple.cut) cut++;
      const headers =
        tuple.columns && tuple.columns.length === tuple.cells.length ? tuple.columns : undefined;
      records.push({
        text: tuple.cells.join('\t'),
        cells: tuple.cells,
        ...(headers ? { headers } : {}),
        location: { document: input.name, sheet: tuple.table, row, line: tuple.line },
      });
    }
    return records;
  };
  for await (const text of decodeStream(input.stream(), encoding)) {
    scanner.feed(text);
    const records = drain();
    if (records.length > 0) yield records;
  }
  if (rows.size === 0) ctx.warn(`${input.name}: no INSERT or COPY rows found in this SQL file`);
  if (cut > 0)
    ctx.warn(`${input.name}: ${cut} tuple(s) longer than ${ctx.limits.maxRecordChars} characters were cut`);
}
