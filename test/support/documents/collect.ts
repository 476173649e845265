import {
  type ExtractionSummary,
  type ExtractOptions,
  type ExtractSource,
  extractDocument,
} from '../../../src/extract/extract-document.ts';
import type { TextRecord } from '../../../src/extract/text-record.ts';

/** Runs an extraction to the end: its records and its summary. */
export async function extractAll(
  source: ExtractSource,
  options: ExtractOptions = {},
): Promise<{ records: TextRecord[]; summary: ExtractionSummary }> {
  const extraction = extractDocument(source, options);
  const records: TextRecord[] = [];
  for await (const record of extraction.records) records.push(record);
  return { records, summary: extraction.summary() };
}
