import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { OperatorError } from '../shared/errors.ts';

/**
 * The on-disk format of evidence blobs (version 2): chunked AES-256-GCM, so a 1 GB dump is encrypted and decrypted
 * as a stream and any byte range can be read without decrypting the rest (ZIP and PDF readers need random access).
 *
 *   header  = "LWE2" | chunk size (u32 BE) | salt (16 bytes)
 *   chunk i = AES-256-GCM(subkey, nonce(i, final), plaintext[i*C .. (i+1)*C]) | tag (16 bytes)
 *
 * The subkey is HKDF(evidence key, salt), one per blob, so nonces (a chunk counter) never repeat under one key.
 * Every chunk but the last holds exactly C bytes; the last holds 0..C-1 bytes and is sealed with a "final" nonce
 * flag and the blob's sha256 as associated data: a truncated blob, reordered chunks, or a blob renamed to another
 * hash all fail authentication (the STREAM construction, as in age and Tink).
 */
export const BLOB_MAGIC = Buffer.from('LWE2');
export const LEGACY_MAGIC = Buffer.from('LWE1');
export const CHUNK_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
const SALT_BYTES = 16;
export const HEADER_BYTES = BLOB_MAGIC.length + 4 + SALT_BYTES;

export interface BlobHeader {
  raw: Buffer;
  chunkBytes: number;
  subkey: Buffer;
}

function subkeyOf(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, 'leakwatch evidence blob v2', 32));
}

export function newHeader(key: Buffer, chunkBytes = CHUNK_BYTES): BlobHeader {
  const salt = randomBytes(SALT_BYTES);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkBytes);
  return { raw: Buffer.concat([BLOB_MAGIC, size, salt]), chunkBytes, subkey: subkeyOf(key, salt) };
}

export function parseHeader(raw: Buffer, key: Buffer, name: string): BlobHeader {
  if (raw.length < HEADER_BYTES || !raw.subarray(0, 4).equals(BLOB_MAGIC)) {
    throw new OperatorError('evidence.corrupt', `evidence ${name} is not a leakwatch blob`);
  }
  const chunkBytes = raw.readUInt32BE(4);
  if (chunkBytes < 1024 || chunkBytes > 16 * 1024 * 1024) {
    throw new OperatorError('evidence.corrupt', `evidence ${name} declares an invalid chunk size`);
  }
  const header = Buffer.from(raw.subarray(0, HEADER_BYTES));
  return { raw: header, chunkBytes, subkey: subkeyOf(key, header.subarray(8, HEADER_BYTES)) };
}

function nonce(index: number, final: boolean): Buffer {
  const value = Buffer.alloc(12);
  value.writeBigUInt64BE(BigInt(index), 3);
  value[11] = final ? 1 : 0;
  return value;
}

function aad(header: BlobHeader, final: boolean, sha256: string | undefined): Buffer {
  return final ? Buffer.concat([header.raw, Buffer.from(sha256 ?? '', 'ascii')]) : header.raw;
}

export function sealChunk(
  header: BlobHeader,
  index: number,
  plaintext: Buffer,
  final?: { sha256: string },
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', header.subkey, nonce(index, final !== undefined));
  cipher.setAAD(aad(header, final !== undefined, final?.sha256));
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function openChunk(
  header: BlobHeader,
  index: number,
  sealed: Buffer,
  final: boolean,
  sha256: string | undefined,
  name: string,
): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', header.subkey, nonce(index, final));
    decipher.setAAD(aad(header, final, sha256));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new OperatorError('evidence.undecryptable', `evidence ${name} cannot be decrypted`, {
      hint: 'the secret key differs from the one the evidence was stored with, or the blob was altered or truncated',
    });
  }
}

/** Chunk layout of a complete blob of `fileBytes` bytes. */
export function layoutOf(fileBytes: number, chunkBytes: number, name: string) {
  const body = fileBytes - HEADER_BYTES;
  const sealedChunk = chunkBytes + TAG_BYTES;
  const fullChunks = Math.floor(body / sealedChunk);
  const finalSealed = body - fullChunks * sealedChunk;
  if (body < TAG_BYTES || finalSealed < TAG_BYTES) {
    throw new OperatorError('evidence.corrupt', `evidence ${name} is truncated`);
  }
  return { fullChunks, finalIndex: fullChunks, size: fullChunks * chunkBytes + finalSealed - TAG_BYTES };
}

/**
 * Reads any byte range of a complete blob, decrypting only the chunks it touches (a few recent chunks are kept, as
 * ZIP and PDF readers go back and forth over neighbouring bytes).
 */
export class BlobRandomAccess {
  readonly size: number;
  private readonly layout: ReturnType<typeof layoutOf>;
  private readonly cache = new Map<number, Buffer>();

  constructor(
    private readonly file: FileHandle,
    private readonly header: BlobHeader,
    fileBytes: number,
    private readonly sha256: string,
  ) {
    this.layout = layoutOf(fileBytes, header.chunkBytes, sha256);
    this.size = this.layout.size;
  }

  private async chunk(index: number): Promise<Buffer> {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const sealedChunk = this.header.chunkBytes + TAG_BYTES;
    const final = index === this.layout.finalIndex;
    const length = final ? this.size - index * this.header.chunkBytes + TAG_BYTES : sealedChunk;
    const sealed = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(sealed, 0, length, HEADER_BYTES + index * sealedChunk);
    if (bytesRead !== length)
      throw new OperatorError('evidence.corrupt', `evidence ${this.sha256} is truncated`);
    const plain = openChunk(this.header, index, sealed, final, this.sha256, this.sha256);
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(index, plain);
    return plain;
  }

  /** Bytes [start, end) of the plaintext. */
  async read(start: number, end: number): Promise<Buffer> {
    const stop = Math.min(end, this.size);
    if (start >= stop) return Buffer.alloc(0);
    const size = this.header.chunkBytes;
    const parts: Buffer[] = [];
    for (let index = Math.floor(start / size); index * size < stop; index++) {
      const plain = await this.chunk(index);
      const from = Math.max(start - index * size, 0);
      parts.push(plain.subarray(from, Math.min(stop - index * size, plain.length)));
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Sealed chunks [first, last] in one read. */
  private async span(first: number, last: number): Promise<Buffer> {
    const sealedChunk = this.header.chunkBytes + TAG_BYTES;
    const start = HEADER_BYTES + first * sealedChunk;
    const end =
      last === this.layout.finalIndex
        ? HEADER_BYTES +
          this.layout.fullChunks * sealedChunk +
          (this.size - this.layout.fullChunks * this.header.chunkBytes) +
          TAG_BYTES
        : HEADER_BYTES + (last + 1) * sealedChunk;
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, start);
    if (bytesRead !== buffer.length)
      throw new OperatorError('evidence.corrupt', `evidence ${this.sha256} is truncated`);
    return buffer;
  }

  /**
   * The plaintext from `start`, in order, chunk by chunk (authenticity checked chunk by chunk). Reads 1 MiB at a
   * time and the next MiB while the current one is decrypted and consumed.
   */
  async *stream(start = 0): AsyncGenerator<Buffer> {
    const size = this.header.chunkBytes;
    const sealedChunk = size + TAG_BYTES;
    const perSpan = Math.max(1, Math.floor((1024 * 1024) / sealedChunk));
    const final = this.layout.finalIndex;
    let first = Math.floor(start / size);
    const read = (from: number) => this.span(from, Math.min(from + perSpan - 1, final));
    let pending: Promise<Buffer> | undefined = read(first);
    while (pending) {
      const sealed = await pending;
      const last = Math.min(first + perSpan - 1, final);
      pending = last < final ? read(last + 1) : undefined;
      pending?.catch(() => undefined);
      for (let index = first; index <= last; index++) {
        const offset = (index - first) * sealedChunk;
        const piece = sealed.subarray(offset, index === final ? sealed.length : offset + sealedChunk);
        const plain = openChunk(this.header, index, piece, index === final, this.sha256, this.sha256);
        const from = Math.max(start - index * size, 0);
        if (from < plain.length) yield from === 0 ? plain : plain.subarray(from);
      }
      first = last + 1;
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
