import type { ExtractLimits } from '../extract/context.ts';
import type { ExtractionSummary } from '../extract/extract-document.ts';
import type { TextRecord } from '../extract/text-record.ts';

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
  | { type: 'batch'; records: TextRecord[] }
  | { type: 'done'; summary: ExtractionSummary }
  | { type: 'fatal'; message: string };

export type ToThread =
  | { type: 'job'; job: ThreadJob }
  | { type: 'credit' }
  | { type: 'reply'; id: number; value?: unknown; error?: string }
  /** A rasterised page (or, without one, the end of the pages). */
  | { type: 'page'; id: number; page?: number; image?: Uint8Array; error?: string };
