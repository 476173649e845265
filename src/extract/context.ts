import type { OcrEngine } from './ocr.ts';
import type { ExtractInput } from './source.ts';
import type { TextRecord } from './text-record.ts';

/** Limits on one document and everything nested in it: leaked files are hostile input. */
export interface ExtractLimits {
  /** Archive entries across all nesting levels. */
  maxEntries: number;
  /** Bytes produced by decompression across all nesting levels (a zip bomb's real size). */
  maxUncompressedBytes: number;
  /** Per compressed entry or stream: uncompressed / compressed, checked once past `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Archives inside archives (a ZIP in a TAR in a GZ is depth 3). */
  maxDepth: number;
  /** A row or line longer than this is cut (a never-closed quote must not swallow a 1 GB dump). */
  maxRecordChars: number;
  /** PDFs (and office files' XML parts) are read into memory up to this size. */
  maxPdfBytes: number;
  maxPdfPages: number;
  /** Pages or images OCR'd per document. */
  maxOcrPages: number;
  /** A nested entry that needs random access (ZIP, PDF) is kept in memory up to this size, else spooled encrypted. */
  maxInMemoryBytes: number;
  /** Distinct strings of an XLSX workbook. */
  maxSharedStrings: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxEntries: 100_000,
  maxUncompressedBytes: 20 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 10 * 1024 ** 2,
  maxDepth: 4,
  maxRecordChars: 1024 ** 2,
  maxPdfBytes: 256 * 1024 ** 2,
  maxPdfPages: 10_000,
  maxOcrPages: 2_000,
  maxInMemoryBytes: 64 * 1024 ** 2,
  maxSharedStrings: 2_000_000,
};

/** How an extraction ended. `extracted` may still carry warnings (entries skipped). */
export type ExtractionStatus =
  | 'extracted'
  | 'needs_ocr'
  | 'password_protected'
  | 'rejected'
  | 'too_large'
  | 'failed';

/** Worse outcomes win when several entries of an archive end differently. */
const SEVERITY: Record<ExtractionStatus, number> = {
  extracted: 0,
  needs_ocr: 1,
  password_protected: 2,
  failed: 3,
  too_large: 4,
  rejected: 5,
};

export interface ExtractionCounts {
  records: number;
  rows: number;
  lines: number;
  pages: number;
  ocrPages: number;
  entries: number;
  skippedEntries: number;
  /** Bytes produced by decompression (archive entries, gzip), across all nesting levels. */
  inflatedBytes: number;
}

/**
 * Why a file (or an entry of an archive) cannot be read, as a document status. Thrown by extractors; archives catch
 * it per entry, except `abortsDocument` problems (limits of the whole document, such as a zip bomb), which end all.
 */
export class ExtractionProblem extends Error {
  constructor(
    readonly status: Exclude<ExtractionStatus, 'extracted'>,
    message: string,
    readonly abortsDocument = false,
  ) {
    super(message);
    this.name = 'ExtractionProblem';
  }
}

/** Counts of an extraction that has read nothing yet. */
export function noCounts(): ExtractionCounts {
  return {
    records: 0,
    rows: 0,
    lines: 0,
    pages: 0,
    ocrPages: 0,
    entries: 0,
    skippedEntries: 0,
    inflatedBytes: 0,
  };
}

/** State shared by every extractor working on one document tree. */
export class ExtractContext {
  readonly counts: ExtractionCounts = noCounts();
  readonly warnings: string[] = [];
  status: ExtractionStatus = 'extracted';
  error: string | undefined;
  /** Kinds met, outermost first ("tar", "zip", "pdf"). */
  readonly kinds: string[] = [];
  /** The document's own kind (a ZIP that is a DOCX says docx). */
  rootKind = 'unknown';
  encoding: string | undefined;
  /** Kinds read (configuration); all when undefined. */
  allowedKinds: ReadonlySet<string> | undefined;
  /** How a tabular text was read (delimiter, header), for the summary. */
  dialect: string | undefined;
  /** Extracts a nested input (an archive entry): set by extractDocument, used by archive extractors. */
  nested!: (input: ExtractInput) => AsyncGenerator<TextRecord[]>;

  constructor(
    readonly limits: ExtractLimits,
    readonly ocr: OcrEngine,
    readonly tempDir: string,
  ) {}

  /** Records an outcome; the most severe one becomes the document's status and error. */
  flag(status: ExtractionStatus, message: string): void {
    if (SEVERITY[status] > SEVERITY[this.status]) {
      this.status = status;
      this.error = message;
    } else if (
      status !== 'extracted' &&
      SEVERITY[status] === SEVERITY[this.status] &&
      this.error !== message
    ) {
      this.warn(message);
    }
  }

  /** Refuses a kind the configuration does not allow. */
  requireAllowed(kind: string, name: string): void {
    if (this.allowedKinds && !this.allowedKinds.has(kind))
      throw new ExtractionProblem(
        'rejected',
        `${name}: ${kind} files are not in the allowed kinds (documents.kinds)`,
      );
  }

  warn(message: string): void {
    if (this.warnings.length < 200) this.warnings.push(message);
    else if (this.warnings.length === 200) this.warnings.push('… more warnings not kept');
  }

  /** Counts bytes produced by decompression; past the document's budget the whole extraction stops (a bomb). */
  addUncompressed(bytes: number, where: string): void {
    this.counts.inflatedBytes += bytes;
    if (this.counts.inflatedBytes > this.limits.maxUncompressedBytes) {
      throw new ExtractionProblem(
        'rejected',
        `decompression bomb: ${where} expands past the ${this.limits.maxUncompressedBytes}-byte limit for one document`,
        true,
      );
    }
  }

  addEntry(where: string): void {
    this.counts.entries++;
    if (this.counts.entries > this.limits.maxEntries) {
      throw new ExtractionProblem(
        'rejected',
        `archive bomb: more than ${this.limits.maxEntries} entries (at ${where})`,
        true,
      );
    }
  }
}
