import { hostname } from 'node:os';
import type { AppContext } from '../app/context.ts';
import { moduleLogger } from '../shared/logger.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import { SocksAgentPool } from '../tor/socks-agent.ts';
import type { DocumentConsumer, DocumentDeps } from './deps.ts';
import { type DownloadOutcome, downloadDocument } from './download-document.ts';
import { type ExtractOutcome, extractStoredDocument } from './extract-stored.ts';
import { type ProcessSummary, processPendingDocuments } from './queue.ts';
import { pruneRawFiles } from './retention.ts';
import { documentSettings, ocrEngine } from './settings.ts';

export interface DocumentPipeline {
  deps: DocumentDeps;
  /** One pass of the queue (what the documents job runs). */
  processPending(options?: {
    limit?: number;
    extractLimit?: number;
    signal?: AbortSignal;
  }): Promise<ProcessSummary>;
  download(documentId: number): Promise<DownloadOutcome>;
  extract(documentId: number): Promise<ExtractOutcome>;
  /** Deletes raw files past the retention period (what the maintenance job runs). */
  pruneRawFiles(): Promise<number>;
  close(): void;
}

/**
 * The document pipeline of one process, from the application context. `consumer` is the matcher
 * (app/leak-pipeline.ts builds it so for every entry point): a document is `extracted` only once it returned.
 */
export function createDocumentPipeline(
  ctx: AppContext,
  options: { consumer: DocumentConsumer; progress?: (message: string) => void; clock?: () => Date },
): DocumentPipeline {
  const settings = documentSettings(ctx.config);
  const agents = new SocksAgentPool(ctx.config.tor.socks, settings.download.connectTimeoutMs);
  const deps: DocumentDeps = {
    db: ctx.database.db,
    evidence: openEvidenceStore(ctx.config.dataDir, ctx.secretKey.material),
    agents,
    settings,
    ocr: ocrEngine(ctx.config),
    consumer: options.consumer,
    logger: moduleLogger(ctx.logger, 'documents'),
    worker: `${hostname()}:${process.pid}`,
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  return {
    deps,
    processPending: (pass) => processPendingDocuments(deps, pass),
    download: (id) => downloadDocument(deps, id),
    extract: (id) => extractStoredDocument(deps, id),
    pruneRawFiles: () => pruneRawFiles(deps),
    close: () => agents.close(),
  };
}
