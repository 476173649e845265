import type { Config } from '../config/schema.ts';
import { DEFAULT_EXTRACT_LIMITS, type ExtractLimits } from '../extract/context.ts';
import { createOcrEngine, disabledOcr, type OcrEngine } from '../extract/ocr.ts';
import type { DownloadLimits } from '../fetch/download.ts';

const MB = 1024 * 1024;

/** The documents section of the configuration, in the units the code uses. */
export interface DocumentSettings {
  concurrency: number;
  perSiteConcurrency: number;
  maxFileBytes: number;
  maxPostBytes: number;
  /** Configurable kinds read (see src/extract/kinds.ts). */
  kinds: ReadonlySet<string>;
  listingDepth: number;
  maxListingEntries: number;
  download: DownloadLimits;
  maxAttempts: number;
  retryBaseMs: number;
  retentionDays: number;
  /** How long a claim on a document lasts without renewal (renewed while downloading). */
  leaseMs: number;
  /** A free download slot looks for new work this often while another slot of the pass still downloads. */
  idlePollMs: number;
  extract: ExtractLimits;
  budget: ExtractBudget;
}

/** What one extraction may take, enforced from outside it (src/documents/extract-budget.ts). */
export interface ExtractBudget {
  wallMs: number;
  /** Old-generation heap of the extraction thread. */
  memoryMb: number;
  /** Extractions started that never ended (worker killed, thread crashed) before the document is rejected. */
  maxAttempts: number;
}

export function documentSettings(config: Config): DocumentSettings {
  const documents = config.documents;
  return {
    concurrency: documents.concurrency,
    perSiteConcurrency: documents.perSiteConcurrency,
    maxFileBytes: Math.round(documents.maxFileMegabytes * MB),
    maxPostBytes: Math.round(documents.maxPostMegabytes * MB),
    kinds: new Set(documents.kinds),
    listingDepth: documents.listingDepth,
    maxListingEntries: documents.maxListingEntries,
    download: {
      connectTimeoutMs: config.crawl.connectTimeoutSeconds * 1000,
      firstByteTimeoutMs: config.crawl.firstByteTimeoutSeconds * 1000,
      idleTimeoutMs: documents.idleTimeoutSeconds * 1000,
      maxRedirects: config.crawl.maxRedirects,
      maxResumes: documents.resumeAttempts,
      resumeDelayMs: 2000,
      minBytesPerWindow: Math.round(documents.minKilobytesPerSecond * 1024 * documents.rateWindowSeconds),
      rateWindowMs: documents.rateWindowSeconds * 1000,
      maxDurationMs: Math.round(documents.maxDownloadMinutes * 60_000),
    },
    maxAttempts: documents.maxAttempts,
    retryBaseMs: documents.retryMinutes * 60_000,
    retentionDays: documents.retentionDays,
    leaseMs: 120_000,
    idlePollMs: 5_000,
    budget: {
      wallMs: documents.budget.extractSeconds * 1000,
      memoryMb: documents.budget.memoryMegabytes,
      maxAttempts: documents.budget.maxExtractAttempts,
    },
    extract: {
      ...DEFAULT_EXTRACT_LIMITS,
      maxEntries: documents.archive.maxEntries,
      maxUncompressedBytes: Math.round(documents.archive.maxTotalMegabytes * MB),
      maxRatio: documents.archive.maxRatio,
      maxDepth: documents.archive.maxDepth,
      maxOcrPages: documents.ocr.maxPages,
    },
  };
}

export function ocrEngine(config: Config): OcrEngine {
  const ocr = config.documents.ocr;
  if (!ocr.enabled) return disabledOcr('OCR is switched off (documents.ocr.enabled: false)');
  return createOcrEngine({
    tesseract: ocr.tesseract,
    pdftoppm: ocr.pdftoppm,
    languages: ocr.languages,
    dpi: ocr.dpi,
    workers: ocr.workers,
    timeoutMs: 120_000,
  });
}
