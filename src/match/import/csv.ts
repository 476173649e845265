/**
 * A streaming CSV reader for registry imports: RFC 4180 quoting (quoted separators, doubled quotes, line breaks inside
 * quotes), separator detected from the first line (`,` `;` tab `|`), UTF-8 with or without BOM, else Windows-1252.
 * Each row carries the line it starts on, for rejection messages.
 */
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  cells: string[];
}

const SEPARATORS = [',', ';', '\t', '|'];

export function detectSeparator(firstLine: string): string {
  let best = ',';
  let bestCount = -1;
  for (const separator of SEPARATORS) {
    let n = 0;
    let quoted = false;
    for (const char of firstLine) {
      if (char === '"') quoted = !quoted;
      else if (char === separator && !quoted) n++;
    }
    if (n > bestCount) [best, bestCount] = [separator, n];
  }
  return best;
}

class CsvParser {
  rows: CsvRow[] = [];
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  /** A quote ended the last chunk inside a quoted cell: `""` or the closing quote, told by the next chunk. */
  private quoteAtEnd = false;
  private line = 1;
  private rowLine = 1;

  constructor(private readonly separator: string) {}

  feed(text: string): void {
    let i = 0;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (text[0] === '"') {
        this.cell += '"';
        i = 1;
      } else this.quoted = false;
    }
    for (; i < text.length; i++) {
      const char = text[i] as string;
      if (this.quoted) {
        if (char !== '"') {
          if (char === '\n') this.line++;
          this.cell += char;
        } else if (i + 1 === text.length) this.quoteAtEnd = true;
        else if (text[i + 1] === '"') {
          this.cell += '"';
          i++;
        } else this.quoted = false;
      } else if (char === this.separator) {
        this.cells.push(this.cell);
        this.cell = '';
      } else if (char === '\n') {
        this.endRow();
        this.line++;
        this.rowLine = this.line;
      } else if (char === '"' && this.cell.trim() === '') {
        this.cell = '';
        this.quoted = true;
      } else if (char !== '\r') this.cell += char;
    }
  }

  end(): void {
    this.quoted = false;
    this.quoteAtEnd = false;
    if (this.cell !== '' || this.cells.length > 0) this.endRow();
  }

  private endRow(): void {
    this.cells.push(this.cell);
    // Blank lines and rows of empty cells (",,") are skipped.
    if (this.cells.some((c) => c.trim() !== '')) this.rows.push({ line: this.rowLine, cells: this.cells });
    this.cells = [];
    this.cell = '';
  }
}

export async function* readCsv(
  stream: Readable,
  options: { separator?: string; onBytes?: (bytes: number) => void } = {},
): AsyncGenerator<CsvRow> {
  let decoder: TextDecoder | undefined;
  let parser: CsvParser | undefined;
  let head = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    options.onBytes?.(bytes.length);
    if (!decoder) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
        decoder = new TextDecoder('utf-8');
      } catch {
        decoder = new TextDecoder('windows-1252');
      }
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const text = decoder.decode(bytes, { stream: true });
    if (!parser) {
      head += text;
      if (!head.includes('\n') && head.length < 65_536) continue;
      const newline = head.indexOf('\n');
      parser = new CsvParser(
        options.separator ?? detectSeparator(newline < 0 ? head : head.slice(0, newline)),
      );
      parser.feed(head);
    } else parser.feed(text);
    yield* parser.rows.splice(0);
  }
  if (!parser) {
    // The whole file was one line shorter than 64 KB, or empty: not fed yet.
    parser = new CsvParser(options.separator ?? detectSeparator(head));
    parser.feed(head);
  }
  parser.feed(decoder?.decode() ?? '');
  parser.end();
  yield* parser.rows.splice(0);
}
