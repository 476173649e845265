import type { ExtractContext } from '../context.ts';
import { DelimitedParser, sniffDialect } from '../delimited.ts';
import { decodeHead, decodeStream, detectEncoding, splitLines } from '../encoding.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/**
 * CSV/TSV as a stream of rows with their cells and, when the first row is a header, the column names. `row` is the
 * record's number in the file as a spreadsheet shows it (the header is row 1), so evidence can be found by hand.
 */
export async function* extractCsv(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const { encoding } = detectEncoding(input.head);
  ctx.encoding ??= encoding;
  const dialect = sniffDialect(decodeHead(input.head, encoding).replace(/^\uFEFF/, ''));
  const delimiterName = DELIMITER_NAMES[dialect.delimiter] ?? dialect.delimiter;
  ctx.dialect ??= `${delimiterName}-separated${dialect.hasHeader ? ', with a header row' : ', no header row'}`;
  const parser = new DelimitedParser(dialect.delimiter, ctx.limits.maxRecordChars);
  let headers: string[] | undefined;
  let row = 0;
  let cutRows = 0;
  const toRecord = (cells: string[]): TextRecord | undefined => {
    row++;
    if (row === 1 && dialect.hasHeader) {
      headers = cells.map((cell) => cell.trim());
      return undefined;
    }
    if (parser.cut) {
      parser.cut = false;
      cutRows++;
    }
    if (cells.every((cell) => cell.trim() === '')) return undefined;
    ctx.counts.rows++;
    return {
      text: cells.join('\t'),
      cells,
      ...(headers ? { headers } : {}),
      location: { document: input.name, row },
    };
  };
  for await (const batch of splitLines(decodeStream(input.stream(), encoding), ctx.limits.maxRecordChars)) {
    const records: TextRecord[] = [];
    ctx.counts.lines += batch.lines.length;
    for (const line of batch.lines) {
      const cells = parser.feed(line);
      if (!cells) continue;
      const record = toRecord(cells);
      if (record) records.push(record);
    }
    if (records.length > 0) yield records;
  }
  const rest = parser.end();
  if (rest) {
    const record = toRecord(rest);
    if (record) yield [record];
  }
  if (cutRows > 0)
    ctx.warn(
      `${input.name}: ${cutRows} row(s) with an unclosed quote were cut at ${ctx.limits.maxRecordChars} characters`,
    );
}
