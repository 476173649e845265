import type { ExtractLimits } from '../extract/context.ts';
import type { ExtractionSummary } from '../extract/extract-document.ts';
import type { RecordLocation, TextRecord } from '../extract/text-record.ts';

/** Messages between the document pipeline and its extraction thread (extract-budget.ts, extract-thread.ts). */

export interface ThreadJob {
  name: string;
  size: number;
  limits: ExtractLimits;
  allowedKinds?: string[];
  tempDir?: string;
  ocrWorkers: number;
  /** Records per message: one structured clone per batch, not per record. */
  batchRecords: number;
  /** Batches sent and not yet taken by the consumer: the thread waits past this (back-pressure). */
  batchesInFlight: number;
}

export type ThreadCall =
  | { op: 'read'; start: number; end: number }
  | { op: 'ocr.unavailable'; target: 'image' | 'pdf' }
  | { op: 'ocr.recognise'; image: Uint8Array }
  | { op: 'ocr.rasterise'; pdf: Uint8Array; first: number; last: number };

export type ToParent =
  | { type: 'call'; id: number; request: ThreadCall }
  | { type: 'batch'; records: PackedRecords }
  | { type: 'done'; summary: ExtractionSummary }
  | { type: 'fatal'; message: string };

export type ToThread =
  | { type: 'job'; job: ThreadJob }
  | { type: 'credit' }
  | { type: 'reply'; id: number; value?: unknown; error?: string }
  /** A rasterised page (or, without one, the end of the pages). */
  | { type: 'page'; id: number; page?: number; image?: Uint8Array; error?: string };

/**
 * Records packed for the thread boundary: their strings end to end in one string (lengths apart) and their
 * structure in an Int32Array. Measured on 7-cell CSV rows: structured clone of the records 410-505 k records/s,
 * packed 870 k/s (pack, post, unpack); JSON was slower than both.
 */
export interface PackedRecords {
  strings: string;
  lengths: Int32Array;
  /** Per record, FIELDS ints: see pack(). */
  layout: Int32Array;
  documents: string[];
  sheets: string[];
  headers: string[][];
}

const FIELDS = 8;
const NONE = -1;

function indexer<T>(list: T[]): (value: T | undefined) => number {
  const known = new Map<T, number>();
  return (value) => {
    if (value === undefined) return NONE;
    let index = known.get(value);
    if (index === undefined) {
      index = list.push(value) - 1;
      known.set(value, index);
    }
    return index;
  };
}

function tabs(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\t'); at >= 0; at = text.indexOf('\t', at + 1)) count++;
  return count;
}

export function pack(records: readonly TextRecord[]): PackedRecords {
  const documents: string[] = [];
  const sheets: string[] = [];
  const headers: string[][] = [];
  const documentOf = indexer(documents);
  const sheetOf = indexer(sheets);
  const headersOf = indexer(headers);
  const parts: string[] = [];
  const lengths: number[] = [];
  const layout = new Int32Array(records.length * FIELDS);
  const add = (text: string) => {
    parts.push(text);
    lengths.push(text.length);
  };
  records.forEach((record, i) => {
    const at = i * FIELDS;
    const { cells, location } = record;
    // A row's text is its cells joined by tabs (csv, xlsx, sql): sent once, rebuilt on the other side.
    const joined = cells !== undefined && record.text === cells.join('\t');
    // No tab inside a cell either: the cells are the text split on tabs, and only the text is sent.
    const split = joined && tabs(record.text) === (cells as string[]).length - 1 && cells.length > 0;
    layout[at] = (joined ? 1 : 0) | (record.ocr ? 2 : 0) | (split ? 4 : 0);
    layout[at + 1] = cells ? cells.length : NONE;
    layout[at + 2] = headersOf(record.headers);
    layout[at + 3] = documentOf(location.document);
    layout[at + 4] = location.row ?? NONE;
    layout[at + 5] = location.page ?? NONE;
    layout[at + 6] = location.line ?? NONE;
    layout[at + 7] = sheetOf(location.sheet);
    if (!joined || split) add(record.text);
    else if (cells) for (const cell of cells) add(cell);
    if (!joined && cells) for (const cell of cells) add(cell);
  });
  return { strings: parts.join(''), lengths: Int32Array.from(lengths), layout, documents, sheets, headers };
}

export function unpack(packed: PackedRecords): TextRecord[] {
  const { strings, lengths, layout, documents, sheets, headers } = packed;
  const records: TextRecord[] = new Array(layout.length / FIELDS);
  let offset = 0;
  let next = 0;
  const take = () => {
    const end = offset + (lengths[next++] as number);
    const text = strings.slice(offset, end);
    offset = end;
    return text;
  };
  for (let i = 0; i < records.length; i++) {
    const at = i * FIELDS;
    const flags = layout[at] as number;
    const cellCount = layout[at + 1] as number;
    const text = flags & 1 && !(flags & 4) ? undefined : take();
    let cells: string[] | undefined;
    if (flags & 4) cells = (text as string).split('\t');
    else if (cellCount !== NONE) {
      cells = new Array(cellCount);
      for (let c = 0; c < cellCount; c++) cells[c] = take();
    }
    const location: RecordLocation = { document: documents[layout[at + 3] as number] as string };
    if (layout[at + 7] !== NONE) location.sheet = sheets[layout[at + 7] as number] as string;
    if (layout[at + 4] !== NONE) location.row = layout[at + 4] as number;
    if (layout[at + 5] !== NONE) location.page = layout[at + 5] as number;
    if (layout[at + 6] !== NONE) location.line = layout[at + 6] as number;
    const record: TextRecord = { text: text ?? (cells as string[]).join('\t'), location };
    if (cells) record.cells = cells;
    if (layout[at + 2] !== NONE) record.headers = headers[layout[at + 2] as number] as string[];
    if (flags & 2) record.ocr = true;
    records[i] = record;
  }
  return records;
}
