import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LocalEvidenceStore } from '../store/evidence-store.ts';
import { type ExtractContext, ExtractionProblem } from './context.ts';

/** Random access to bytes (a stored blob, a buffer, a spooled archive entry). */
export interface RandomAccess {
  size: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Buffer>;
  stream?(start?: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * What an extractor reads: a document or an entry of an archive. Streams are single use; random access is given
 * directly by stored blobs and made for stream-only entries (kept in memory when small, else spooled to a temp file
 * encrypted under a throw-away key — no leaked byte is ever written in plaintext).
 */
export interface ExtractInput {
  /** The location name: the document's name, or its path inside archives (`dump.tar.gz/reports.zip/b.pdf`). */
  name: string;
  size: number | undefined;
  /** The first bytes (up to 64 KiB), for sniffing. */
  head: Buffer;
  /** Archive nesting depth (0: the document itself). */
  depth: number;
  /** The name whose extension the content is compared with (x.csv for the inside of x.csv.gz). */
  typeName?: string;
  stream(): AsyncIterable<Buffer>;
  randomAccess(ctx: ExtractContext): Promise<RandomAccess>;
  /** All of it in memory, refused past `max` bytes. */
  buffer(max: number, what: string): Promise<Buffer>;
}

const HEAD_BYTES = 64 * 1024;

export function bufferAccess(bytes: Buffer): RandomAccess {
  return {
    size: bytes.length,
    read: async (start, end) => bytes.subarray(start, Math.min(end, bytes.length)),
    stream: async function* (start = 0) {
      for (let at = start; at < bytes.length; at += HEAD_BYTES) yield bytes.subarray(at, at + HEAD_BYTES);
    },
    close: async () => undefined,
  };
}

function tooLarge(name: string, what: string, max: number): ExtractionProblem {
  return new ExtractionProblem(
    'too_large',
    `${name}: ${what} larger than ${max} bytes are not read into memory`,
  );
}

async function* rangeStream(access: RandomAccess, chunk = 256 * 1024): AsyncGenerator<Buffer> {
  if (access.stream) {
    yield* access.stream(0);
    return;
  }
  for (let at = 0; at < access.size; at += chunk) yield await access.read(at, at + chunk);
}

export async function inputFromAccess(
  name: string,
  access: RandomAccess,
  depth: number,
): Promise<ExtractInput> {
  const head = await access.read(0, HEAD_BYTES);
  return {
    name,
    size: access.size,
    head,
    depth,
    stream: () => rangeStream(access),
    // The caller owns the access: what extractors close is a view of it.
    randomAccess: async () => ({
      size: access.size,
      read: (start, end) => access.read(start, end),
      ...(access.stream
        ? { stream: (start?: number) => (access.stream as NonNullable<RandomAccess['stream']>)(start) }
        : {}),
      close: async () => undefined,
    }),
    buffer: async (max, what) => {
      if (access.size > max) throw tooLarge(name, what, max);
      return access.read(0, access.size);
    },
  };
}

export function inputFromBuffer(name: string, bytes: Buffer, depth: number): Promise<ExtractInput> {
  return inputFromAccess(name, bufferAccess(bytes), depth);
}

/** An input over a one-pass stream (an archive entry): the head is peeked and replayed. */
export async function inputFromStream(
  name: string,
  source: AsyncIterable<Buffer>,
  size: number | undefined,
  depth: number,
): Promise<ExtractInput> {
  const iterator = source[Symbol.asyncIterator]();
  const peeked: Buffer[] = [];
  let peekedBytes = 0;
  let ended = false;
  while (peekedBytes < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    peeked.push(next.value);
    peekedBytes += next.value.length;
  }
  let used = false;
  const stream = async function* (): AsyncGenerator<Buffer> {
    if (used) throw new Error(`${name}: a stream-only input can be read once`);
    used = true;
    yield* peeked;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  const collect = async (max: number, what: string): Promise<Buffer> => {
    if (size !== undefined && size > max) throw tooLarge(name, what, max);
    const parts: Buffer[] = [];
    let total = 0;
    for await (const part of stream()) {
      total += part.length;
      if (total > max) throw tooLarge(name, what, max);
      parts.push(part);
    }
    return Buffer.concat(parts);
  };
  return {
    name,
    size,
    head: Buffer.concat(peeked).subarray(0, HEAD_BYTES),
    depth,
    stream,
    buffer: collect,
    randomAccess: async (ctx) => {
      if (size !== undefined && size <= ctx.limits.maxInMemoryBytes)
        return bufferAccess(await collect(ctx.limits.maxInMemoryBytes, 'entries'));
      const spool = new LocalEvidenceStore(join(ctx.tempDir, 'spool'), randomBytes(32));
      const { sha256 } = await spool.putStream(stream());
      const reader = await spool.openReader(sha256);
      return {
        size: reader.size,
        read: (start, end) => reader.read(start, end),
        stream: (start) => reader.stream(start),
        close: async () => {
          await reader.close();
          await spool.delete(sha256);
        },
      };
    },
  };
}
