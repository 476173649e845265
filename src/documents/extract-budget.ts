/**
 * A budget for every document, enforced from outside the extractor: the extraction runs in a worker thread with a
 * heap cap, watched for wall time and for the process's memory growth (pdf.js and zlib buffers live outside the
 * heap), and is terminated on overrun. Records cross in batches (one structured clone per few hundred records).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ExtractLimits, noCounts } from '../extract/context.ts';
import type { ExtractionSummary } from '../extract/extract-document.ts';
import type { OcrEngine } from '../extract/ocr.ts';
import type { RecordLocation, TextRecord, TextRecordStream } from '../extract/text-record.ts';
import { isAppError } from '../shared/errors.ts';
import type { EvidenceReader } from '../store/evidence-store.ts';
import { type ThreadCall, type ToParent, type ToThread, unpack } from './extract-protocol.ts';
import type { ExtractBudget } from './settings.ts';

const MB = 1024 * 1024;
const BATCH_RECORDS = 2048;
const BATCHES_IN_FLIGHT = 16;
const MEMORY_CHECK_MS = 100;
/**
 * The heap is capped by V8 at the budget; buffers (pdf.js streams, zlib) are not, so the process's resident memory
 * may grow by the budget plus this much (the thread's code: pdf.js alone is ~250 MB under tsx) before it is stopped.
 */
const BUFFER_SLACK_MB = 512;

export interface BudgetedExtraction {
  records: TextRecordStream;
  /** How it went (a stop for the budget is `rejected` with the limit and the place); final once records ended. */
  summary(): ExtractionSummary;
  /** Why the thread died other than for its budget (a crash): the document is tried again, and counted. */
  crash(): string | undefined;
}

export interface BudgetOptions {
  limits: ExtractLimits;
  ocr: OcrEngine;
  allowedKinds?: ReadonlySet<string>;
  tempDir?: string;
}

// Source checkouts run TypeScript through tsx, which a new thread must register for itself.
const here = import.meta.url;
const fromSource = here.endsWith('.ts');
/** tsx's ESM api (require.resolve gives its CommonJS twin, which cannot register from a thread). */
function tsxApi(): string {
  const required = createRequire(here).resolve('tsx/esm/api');
  const esm = required.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(esm) ? esm : required).href;
}
const THREAD_DATA = {
  entry: new URL(fromSource ? './extract-thread.ts' : './extract-thread.js', here).href,
  tsx: fromSource ? tsxApi() : undefined,
};
const BOOT = `const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) { const tsx = await import(workerData.tsx); (tsx.register ?? tsx.default.register)(); }
  await import(workerData.entry);
})().catch((error) => setImmediate(() => { throw error; }));`;

/** One idle thread is kept for the next document (starting one under tsx costs a few hundred ms). */
let idle: { worker: Worker; memoryMb: number } | undefined;

function takeThread(memoryMb: number): Worker {
  const kept = idle;
  idle = undefined;
  if (kept?.worker && kept.memoryMb === memoryMb) {
    kept.worker.ref();
    return kept.worker;
  }
  void kept?.worker.terminate();
  return new Worker(BOOT, {
    eval: true,
    workerData: THREAD_DATA,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 },
  });
}

function keepThread(worker: Worker, memoryMb: number): void {
  worker.unref();
  if (idle) void worker.terminate();
  else idle = { worker, memoryMb };
}

function place(location: RecordLocation | undefined): string {
  if (!location) return 'before its first record';
  const at = [
    location.sheet !== undefined ? `sheet ${location.sheet}` : '',
    location.page !== undefined ? `page ${location.page}` : '',
    location.row !== undefined ? `row ${location.row}` : '',
    location.line !== undefined ? `line ${location.line}` : '',
  ].filter(Boolean);
  return `at ${location.document}${at.length ? ` ${at.join(' ')}` : ''}`;
}

/** The summary of an extraction the thread could not report on (stopped for its budget, or abandoned). */
function outsideSummary(error: string | undefined, records: number, durationMs: number): ExtractionSummary {
  return {
    status: error ? 'rejected' : 'extracted',
    ...(error ? { error } : {}),
    kind: 'unknown',
    kinds: [],
    counts: { ...noCounts(), records },
    warnings: [],
    durationMs,
  };
}

/** Extracts a stored document in a thread of its own under `budget`; what the file does never throws here. */
export function extractWithinBudget(
  source: { name: string; access: EvidenceReader },
  options: BudgetOptions,
  budget: ExtractBudget,
): BudgetedExtraction {
  const started = performance.now();
  const batches: TextRecord[][] = [];
  let batch: TextRecord[] = [];
  let index = 0;
  let delivered = 0;
  let last: RecordLocation | undefined;
  let summary: ExtractionSummary | undefined;
  let crashed: string | undefined;
  let operatorError: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  let worker: Worker | undefined;
  let timers: Array<ReturnType<typeof setInterval>> = [];
  // Removed one by one: removeAllListeners() would also drop the Worker's own, and a kept thread would go deaf.
  // biome-ignore lint/suspicious/noExplicitAny: the Worker's events carry different arguments
  type Listener = (...args: any[]) => void;
  const listeners: Array<[string, Listener]> = [];
  const listen = (event: string, listener: Listener) => {
    listeners.push([event, listener]);
    worker?.on(event, listener);
  };

  const finish = (keep: boolean) => {
    if (ended) return;
    ended = true;
    for (const timer of timers) clearInterval(timer);
    timers = [];
    if (worker) {
      for (const [event, listener] of listeners) worker.off(event, listener);
      if (keep) keepThread(worker, budget.memoryMb);
      else {
        worker.on('error', () => undefined);
        void worker.terminate();
      }
    }
    wake?.();
  };
  const stop = (limit: string) => {
    if (ended) return;
    summary = outsideSummary(
      `${source.name}: extraction stopped, ${limit} (${place(last)})`,
      delivered,
      Math.round(performance.now() - started),
    );
    finish(false);
  };
  const send = (message: ToThread) => worker?.postMessage(message);

  const answer = async (id: number, request: ThreadCall) => {
    try {
      if (request.op === 'ocr.rasterise') {
        const pdf = Buffer.from(request.pdf.buffer, request.pdf.byteOffset, request.pdf.byteLength);
        for await (const { page, image } of options.ocr.rasterise(pdf, request.first, request.last)) {
          if (ended) return;
          send({ type: 'page', id, page, image: new Uint8Array(image) });
        }
        send({ type: 'page', id });
        return;
      }
      let value: unknown;
      if (request.op === 'read') value = new Uint8Array(await source.access.read(request.start, request.end));
      else if (request.op === 'ocr.unavailable') value = await options.ocr.unavailable(request.target);
      else value = await options.ocr.recognise(Buffer.from(request.image));
      if (!ended) send({ type: 'reply', id, value });
    } catch (error) {
      if (isAppError(error) && error.disposition === 'tell_operator') operatorError = error;
      const message = (error as Error).message;
      if (ended) return;
      if (request.op === 'ocr.rasterise') send({ type: 'page', id, error: message });
      else send({ type: 'reply', id, error: message });
    }
  };

  const start = () => {
    worker = takeThread(budget.memoryMb);
    listen('message', (message: ToParent) => {
      if (message.type === 'call') void answer(message.id, message.request);
      else if (message.type === 'batch') {
        batches.push(unpack(message.records));
        wake?.();
      } else if (message.type === 'done') {
        summary = message.summary;
        finish(true);
      } else {
        if (!operatorError) crashed = `the extraction thread failed: ${message.message}`;
        finish(false);
      }
    });
    listen('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
        stop(`past its memory budget of ${budget.memoryMb} MB of heap (documents.budget.memoryMegabytes)`);
      else {
        crashed = `the extraction thread crashed: ${error.message}`;
        finish(false);
      }
    });
    listen('exit', (code: number) => {
      if (ended) return;
      crashed = `the extraction thread exited (code ${code})`;
      finish(false);
    });
    const baseline = process.memoryUsage.rss();
    timers = [
      setInterval(() => {
        if (process.memoryUsage.rss() - baseline > (budget.memoryMb + BUFFER_SLACK_MB) * MB)
          stop(
            `past its memory budget: the process grew by more than ${budget.memoryMb} + ${BUFFER_SLACK_MB} MB (documents.budget.memoryMegabytes)`,
          );
      }, MEMORY_CHECK_MS),
      setTimeout(
        () => stop(`past its time budget of ${budget.wallMs / 1000} s (documents.budget.extractSeconds)`),
        budget.wallMs,
      ) as unknown as ReturnType<typeof setInterval>,
    ];
    send({
      type: 'job',
      job: {
        name: source.name,
        size: source.access.size,
        limits: options.limits,
        ...(options.allowedKinds ? { allowedKinds: [...options.allowedKinds] } : {}),
        ...(options.tempDir ? { tempDir: options.tempDir } : {}),
        ocrWorkers: options.ocr.workers,
        batchRecords: BATCH_RECORDS,
        batchesInFlight: BATCHES_IN_FLIGHT,
      },
    });
  };

  const nextBatch = async (): Promise<boolean> => {
    if (!worker) start();
    for (;;) {
      const next = batches.shift();
      if (next) {
        if (!ended) send({ type: 'credit' });
        batch = next;
        index = 0;
        return true;
      }
      if (ended) return false;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };
  const take = (): IteratorResult<TextRecord> => {
    const record = batch[index++] as TextRecord;
    delivered++;
    last = record.location;
    return { done: false, value: record };
  };
  const records: AsyncIterableIterator<TextRecord> = {
    [Symbol.asyncIterator]: () => records,
    next: () => {
      if (index < batch.length) return Promise.resolve(take());
      return (async (): Promise<IteratorResult<TextRecord>> => {
        while (index >= batch.length) if (!(await nextBatch())) break;
        if (index < batch.length) return take();
        if (operatorError) throw operatorError;
        return { done: true, value: undefined };
      })();
    },
    return: async () => {
      summary ??= outsideSummary(undefined, delivered, Math.round(performance.now() - started));
      finish(false);
      return { done: true, value: undefined };
    },
  };

  return {
    records,
    summary: () => summary ?? outsideSummary(undefined, delivered, Math.round(performance.now() - started)),
    crash: () => crashed,
  };
}
