/**
 * The contract between extraction (src/extract) and matching (src/match): a document is read as a stream of text
 * records, each with where it came from, so evidence can say "row 8 412 of clients.csv" or "page 2 of bilan_07.pdf"
 * without the whole text being kept in plaintext anywhere.
 */
export interface RecordLocation {
  /** Name of the document, or the path inside an archive (`dump.zip/2024/clients.csv`). */
  document: string;
  /** 1-based row of a table (CSV/TSV/XLSX sheet row, SQL INSERT tuple, NDJSON line). */
  row?: number;
  /** 1-based page of a PDF or scanned document. */
  page?: number;
  /** Sheet of a spreadsheet, table of an SQL dump. */
  sheet?: string;
  /** 1-based line of a plain text file. */
  line?: number;
}

export interface TextRecord {
  /** The record's text (a row's cells joined with tabs, a page's text, a line). */
  text: string;
  /** A table row's cells, when the source is tabular: detectors pair name + birth date, login + password by cell. */
  cells?: string[];
  /** Column headers of a tabular source, when known (same order as cells). */
  headers?: string[];
  location: RecordLocation;
  /** The text came from OCR of an image (lower confidence, different error profile). */
  ocr?: boolean;
}

/** Extractors yield records lazily; a consumer that stops early stops the extraction. */
export type TextRecordStream = AsyncIterable<TextRecord>;
