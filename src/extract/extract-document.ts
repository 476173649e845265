import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../shared/errors.ts';
import {
  DEFAULT_EXTRACT_LIMITS,
  ExtractContext,
  type ExtractionCounts,
  ExtractionProblem,
  type ExtractionStatus,
  type ExtractLimits,
} from './context.ts';
import { createOcrEngine, type OcrEngine } from './ocr.ts';
import { ARCHIVE_KINDS, configurableKind, EXTRACTORS, UNSUPPORTED } from './registry.ts';
import { type SniffedKind, type SupportedKind, sniffKind } from './sniff.ts';
import {
  type ExtractInput,
  inputFromAccess,
  inputFromBuffer,
  inputFromStream,
  type RandomAccess,
} from './source.ts';
import type { TextRecord, TextRecordStream } from './text-record.ts';

export type ExtractSource =
  | { name: string; access: RandomAccess }
  | { name: string; bytes: Buffer }
  | { name: string; stream: AsyncIterable<Buffer>; size?: number };

export interface ExtractOptions {
  limits?: Partial<ExtractLimits>;
  ocr?: OcrEngine;
  /** Parent of the extraction's private temp directory (removed when the extraction ends). */
  tempDir?: string;
  /** Kinds read (see CONFIGURABLE_KINDS); entries of other kinds are skipped. All when absent. */
  allowedKinds?: ReadonlySet<string>;
}

export interface ExtractionSummary {
  status: ExtractionStatus;
  error?: string;
  /** The document's kind from its bytes (docx/xlsx for those ZIPs). */
  kind: string;
  /** Every kind met, archives first. */
  kinds: string[];
  encoding?: string;
  dialect?: string;
  counts: ExtractionCounts;
  warnings: string[];
  durationMs: number;
}

export interface Extraction {
  /** The text records, lazily; a consumer that stops early stops the extraction. Input problems end the stream. */
  records: TextRecordStream;
  /**
   * The same records in the batches extractors make (a chunk's rows, a page): for consumers that want one await
   * per batch rather than per record. Read `records` or `batches`, not both.
   */
  batches: AsyncIterable<TextRecord[]>;
  /** How it went: final once `records` has ended (or was abandoned). */
  summary(): ExtractionSummary;
}

const EXTENSION_KINDS: Record<string, readonly string[]> = {
  pdf: ['pdf'],
  zip: ['zip'],
  docx: ['zip'],
  xlsx: ['zip'],
  gz: ['gzip'],
  tgz: ['gzip'],
  tar: ['tar'],
  png: ['image'],
  jpg: ['image'],
  jpeg: ['image'],
  csv: ['csv', 'text'],
  tsv: ['csv', 'text'],
  txt: ['text', 'csv'],
  json: ['json', 'ndjson'],
  sql: ['sql', 'text'],
};

function nameMismatch(name: string, kind: SniffedKind): string | undefined {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
  const expected = extension ? EXTENSION_KINDS[extension] : undefined;
  if (!expected || expected.includes(kind)) return undefined;
  return `${name} is named .${extension} but its content is ${kind} (read as ${kind})`;
}

async function* dispatch(
  input: ExtractInput,
  ctx: ExtractContext,
  allowed?: ReadonlySet<string>,
): AsyncGenerator<TextRecord[]> {
  const kind = sniffKind(input.head);
  if (ctx.kinds.length < 50) ctx.kinds.push(kind);
  if (input.depth === 0) ctx.rootKind = kind;
  const mismatch = nameMismatch(input.typeName ?? input.name, kind);
  if (mismatch) ctx.warn(mismatch);
  if (kind in UNSUPPORTED) {
    const reason = UNSUPPORTED[kind as keyof typeof UNSUPPORTED];
    if (kind === 'empty') ctx.warn(`${input.name}: ${reason}`);
    else throw new ExtractionProblem('rejected', `${input.name}: ${reason}`);
    return;
  }
  // A ZIP may be a DOCX or an XLSX: the ZIP extractor checks which once it has read the directory.
  const zipLike = kind === 'zip' && allowed && ['zip', 'docx', 'xlsx'].some((k) => allowed.has(k));
  if (allowed && !zipLike && !allowed.has(configurableKind(kind)))
    throw new ExtractionProblem(
      'rejected',
      `${input.name}: ${kind} files are not in the allowed kinds (documents.kinds)`,
    );
  if (ARCHIVE_KINDS.has(kind) && input.depth >= ctx.limits.maxDepth)
    throw new ExtractionProblem(
      'rejected',
      `archive nesting deeper than ${ctx.limits.maxDepth} levels at ${input.name}: not extracted`,
    );
  yield* EXTRACTORS[kind as SupportedKind](input, ctx);
}

/**
 * Records one by one from batches, as a plain iterator: an async generator here would cost a second round of
 * promise queueing per record (about a third of the throughput on a CSV dump).
 */
function flatten(stream: AsyncGenerator<TextRecord[]>): AsyncIterableIterator<TextRecord> {
  let batch: TextRecord[] = [];
  let index = 0;
  const iterator: AsyncIterableIterator<TextRecord> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      if (index < batch.length) return Promise.resolve({ done: false, value: batch[index++] as TextRecord });
      return (async (): Promise<IteratorResult<TextRecord>> => {
        while (index >= batch.length) {
          const next = await stream.next();
          if (next.done) return { done: true, value: undefined };
          batch = next.value;
          index = 0;
        }
        return { done: false, value: batch[index++] as TextRecord };
      })();
    },
    return: async () => {
      await stream.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

async function openInput(source: ExtractSource): Promise<ExtractInput> {
  if ('access' in source) return inputFromAccess(source.name, source.access, 0);
  if ('bytes' in source) return inputFromBuffer(source.name, source.bytes, 0);
  return inputFromStream(source.name, source.stream, source.size, 0);
}

/**
 * Reads a document (any supported kind, archives within archives) as a stream of text records. Nothing the file
 * does makes this throw: problems end the stream and are reported by `summary()` as a status with a clear error.
 * Only operator errors (evidence that cannot be decrypted) are thrown.
 */
export function extractDocument(source: ExtractSource, options: ExtractOptions = {}): Extraction {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const ocr = options.ocr ?? createOcrEngine();
  let ctx: ExtractContext | undefined;
  const started = performance.now();
  let finishedMs: number | undefined;
  const batches = async function* (): AsyncGenerator<TextRecord[]> {
    const tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'lw-extract-'));
    const context = new ExtractContext(limits, ocr, tempDir);
    context.allowedKinds = options.allowedKinds;
    ctx = context;
    context.nested = (input) => dispatch(input, context, options.allowedKinds);
    try {
      for await (const batch of dispatch(await openInput(source), context, options.allowedKinds)) {
        context.counts.records += batch.length;
        yield batch;
      }
    } catch (error) {
      if (error instanceof ExtractionProblem) context.flag(error.status, error.message);
      else if (isAppError(error) && error.disposition === 'tell_operator') throw error;
      else context.flag('failed', `${source.name}: ${(error as Error).message}`);
    } finally {
      finishedMs = performance.now() - started;
      await rm(tempDir, { recursive: true, force: true });
    }
  };
  const stream = batches();
  return {
    batches: stream,
    records: flatten(stream),
    summary: () => {
      const context = ctx ?? new ExtractContext(limits, ocr, '');
      return {
        status: context.status,
        ...(context.error ? { error: context.error } : {}),
        kind: context.rootKind,
        kinds: [...context.kinds],
        ...(context.encoding ? { encoding: context.encoding } : {}),
        ...(context.dialect ? { dialect: context.dialect } : {}),
        counts: { ...context.counts },
        warnings: [...context.warnings],
        durationMs: Math.round(finishedMs ?? performance.now() - started),
      };
    },
  };
}
