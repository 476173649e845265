import type { OcrEngine } from '../extract/ocr.ts';
import type { TextRecordStream } from '../extract/text-record.ts';
import type { Logger } from '../shared/logger.ts';
import type { Db } from '../store/db.ts';
import type { DocumentSource } from '../store/documents.repository.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { SocksAgentPool } from '../tor/socks-agent.ts';
import type { DocumentSettings } from './settings.ts';

/** A document handed to matching: its id, name, content hash and where it was posted. */
export interface ExtractedDocument {
  id: number;
  name: string;
  sha256: string;
  sources: DocumentSource[];
}

/**
 * What reads a document's text records: the matcher. It is called once per extraction and must consume (or abandon)
 * the stream; a throw is recorded as the document's error and the extraction is retried later.
 */
export interface DocumentConsumer {
  consume(document: ExtractedDocument, records: TextRecordStream): Promise<void>;
  /**
   * Posts linked the document after it was read (same sha256): record for them what was found for the earlier posts,
   * without reading it. Resolves false when that is not possible (then the document is read again, with every post).
   * Idempotent. A consumer without it has every re-linked document read again.
   */
  linked?(document: ExtractedDocument): Promise<boolean>;
}

/** Everything the document pipeline needs; built once per process (see createDocumentPipeline). */
export interface DocumentDeps {
  db: Db;
  evidence: EvidenceStore;
  agents: SocksAgentPool;
  settings: DocumentSettings;
  ocr: OcrEngine;
  consumer: DocumentConsumer;
  logger: Logger;
  /** Identifies this worker in claims. */
  worker: string;
  /** Parent of extraction temp directories (only encrypted spools are written there). */
  tempDir?: string;
  /** Progress lines for a person watching (`leakwatch documents process`). */
  progress?: (message: string) => void;
  clock?: () => Date;
}

/** Counts records and nothing else: the consumer until matching is wired, and in benchmarks. */
export function countingConsumer(): DocumentConsumer & { records: number; documents: number } {
  const consumer = {
    records: 0,
    documents: 0,
    async consume(_document: ExtractedDocument, records: TextRecordStream) {
      consumer.documents++;
      for await (const _record of records) consumer.records++;
    },
  };
  return consumer;
}
