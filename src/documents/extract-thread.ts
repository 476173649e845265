/**
 * The extraction thread (started by extract-budget.ts): runs extractDocument on bytes and OCR it asks the parent
 * for, and sends the records back in batches, so a file that eats memory or never ends kills this thread only.
 * It is kept for the next document when one ends normally.
 */
import { parentPort } from 'node:worker_threads';
import { extractDocument } from '../extract/extract-document.ts';
import type { OcrEngine } from '../extract/ocr.ts';
import type { RandomAccess } from '../extract/source.ts';
import type { TextRecord } from '../extract/text-record.ts';
import { pack, type ThreadJob, type ToParent, type ToThread } from './extract-protocol.ts';

const port = parentPort;
if (!port) throw new Error('extract-thread.ts runs as a worker thread');

const READ_BYTES = 1024 * 1024;
let nextCall = 0;
const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
const pages = new Map<number, { push(page: { page: number; image: Buffer } | null, error?: string): void }>();
let credit = 0;
let wakeCredit: (() => void) | undefined;

const post = (message: ToParent, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function call<T>(request: Extract<ToParent, { type: 'call' }>['request']): Promise<T> {
  const id = nextCall++;
  return new Promise<T>((resolve, reject) => {
    calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
    post({ type: 'call', id, request });
  });
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The stored file, read through the parent (which holds the key), 1 MiB at a time. */
function remoteAccess(size: number): RandomAccess {
  const read = async (start: number, end: number) =>
    asBuffer(await call<Uint8Array>({ op: 'read', start, end: Math.min(end, size) }));
  return {
    size,
    read,
    stream: async function* (start = 0) {
      // Four reads ahead: each is a round trip to the parent, which a loaded machine may be slow to schedule.
      const ahead: Array<Promise<Buffer>> = [];
      let next = start;
      const fill = () => {
        while (ahead.length < 4 && next < size) {
          ahead.push(read(next, next + READ_BYTES));
          next += READ_BYTES;
        }
      };
      fill();
      while (ahead.length > 0) {
        const chunk = await (ahead.shift() as Promise<Buffer>);
        fill();
        yield chunk;
      }
    },
    close: async () => undefined,
  };
}

/** OCR runs in the parent's pool (Tesseract processes), asked for page by page. */
function remoteOcr(workers: number): OcrEngine {
  return {
    workers,
    unavailable: (target) => call<string | undefined>({ op: 'ocr.unavailable', target }),
    recognise: async (image) => call<string>({ op: 'ocr.recognise', image: new Uint8Array(image) }),
    rasterise: async function* (pdf, first, last) {
      const id = nextCall++;
      const queue: Array<{ page: number; image: Buffer } | null> = [];
      let failure: string | undefined;
      let wake: (() => void) | undefined;
      pages.set(id, {
        push: (page, error) => {
          if (error !== undefined) failure = error;
          queue.push(page);
          wake?.();
        },
      });
      post({ type: 'call', id, request: { op: 'ocr.rasterise', pdf: new Uint8Array(pdf), first, last } });
      try {
        for (;;) {
          if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          const page = queue.shift();
          if (failure !== undefined) throw new Error(failure);
          if (!page) return;
          yield page;
        }
      } finally {
        pages.delete(id);
      }
    },
  };
}

async function run(job: ThreadJob): Promise<void> {
  const extraction = extractDocument(
    { name: job.name, access: remoteAccess(job.size) },
    {
      limits: job.limits,
      ocr: remoteOcr(job.ocrWorkers),
      ...(job.allowedKinds ? { allowedKinds: new Set(job.allowedKinds) } : {}),
      ...(job.tempDir ? { tempDir: job.tempDir } : {}),
    },
  );
  credit = job.batchesInFlight;
  let out: TextRecord[] = [];
  const flush = async () => {
    if (credit === 0) await new Promise<void>((resolve) => (wakeCredit = resolve));
    credit--;
    const packed = pack(out);
    post({ type: 'batch', records: packed }, [
      packed.lengths.buffer as ArrayBuffer,
      packed.layout.buffer as ArrayBuffer,
    ]);
    out = [];
  };
  try {
    for await (const batch of extraction.batches) {
      for (const record of batch) out.push(record);
      if (out.length >= job.batchRecords) await flush();
    }
    if (out.length > 0) await flush();
    post({ type: 'done', summary: extraction.summary() });
  } catch (error) {
    // Only operator errors get here (evidence that cannot be read): the parent has the original.
    post({ type: 'fatal', message: (error as Error).message });
  }
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'job':
      void run(message.job);
      break;
    case 'credit':
      credit++;
      wakeCredit?.();
      wakeCredit = undefined;
      break;
    case 'reply': {
      const pending = calls.get(message.id);
      calls.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value);
      break;
    }
    case 'page': {
      const image = message.image ? asBuffer(message.image) : undefined;
      pages
        .get(message.id)
        ?.push(image && message.page !== undefined ? { page: message.page, image } : null, message.error);
      break;
    }
  }
});
