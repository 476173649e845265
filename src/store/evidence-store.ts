import { createDecipheriv, randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OperatorError } from '../shared/errors.ts';
import { deriveKey } from '../shared/keys.ts';
import { BlobRandomAccess, HEADER_BYTES, LEGACY_MAGIC, parseHeader } from './evidence-blob.ts';
import { type EvidenceUpload, LocalEvidenceUpload } from './evidence-upload.ts';

export type { EvidenceUpload } from './evidence-upload.ts';

/** Random access to a stored blob's plaintext (ZIP central directories, PDF cross-references). */
export interface EvidenceReader {
  size: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Buffer>;
  /** The plaintext from `start` on, in order. */
  stream(start?: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * Evidence (page captures, screenshots, posted files) stored by content: the sha256 of the plaintext names the blob,
 * so the same file posted twice is stored once. Blobs are encrypted at rest with AES-256-GCM; without the key a stolen
 * disk or backup reveals nothing. Large files go through streams and resumable uploads, never whole into memory.
 * An S3-compatible store can implement the same interface (uploads as multipart uploads, readers as range GETs).
 */
export interface EvidenceStore {
  /** Stores the bytes (once) and returns their sha256 in hex. */
  put(bytes: Buffer): Promise<{ sha256: string; stored: boolean }>;
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  /** Stores a stream of any size (once) without holding it in memory. */
  putStream(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number; stored: boolean }>;
  /** The plaintext, chunk by chunk; a damaged or truncated blob fails when reached. */
  getStream(sha256: string): AsyncIterable<Buffer>;
  openReader(sha256: string): Promise<EvidenceReader>;
  /** A resumable upload named by the caller (a document id): opening it again continues where it stopped. */
  openUpload(uploadId: string): Promise<EvidenceUpload>;
  /** Removes a blob (retention); false when it was not there. */
  delete(sha256: string): Promise<boolean>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

function bufferReader(bytes: Buffer): EvidenceReader {
  return {
    size: bytes.length,
    read: async (start, end) => bytes.subarray(start, Math.min(end, bytes.length)),
    stream: async function* (start = 0) {
      for (let at = start; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    },
    close: async () => undefined,
  };
}

export class LocalEvidenceStore implements EvidenceStore {
  constructor(
    private readonly directory: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('evidence key must be 32 bytes');
  }

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.directory, sha256.slice(0, 2), sha256.slice(2, 4), `${sha256}.lwe`);
  }

  async put(bytes: Buffer): Promise<{ sha256: string; stored: boolean }> {
    const { sha256, stored } = await this.putStream([bytes]);
    return { sha256, stored };
  }

  async putStream(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<{ sha256: string; size: number; stored: boolean }> {
    const upload = await this.openUpload(`put-${process.pid}-${randomUUID()}`);
    try {
      for await (const chunk of source)
        await upload.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      return await upload.commit();
    } catch (error) {
      await upload.discard().catch(() => undefined);
      throw error;
    }
  }

  async openUpload(uploadId: string): Promise<EvidenceUpload> {
    if (!/^[A-Za-z0-9_-]{1,120}$/.test(uploadId)) throw new Error(`invalid upload id: ${uploadId}`);
    return LocalEvidenceUpload.open(
      join(this.directory, 'uploads', `${uploadId}.part`),
      this.key,
      async (sha256) => ({
        path: this.pathOf(sha256),
        exists: await this.has(sha256),
      }),
    );
  }

  async get(sha256: string): Promise<Buffer> {
    const reader = await this.openReader(sha256);
    try {
      return await reader.read(0, reader.size);
    } finally {
      await reader.close();
    }
  }

  async *getStream(sha256: string): AsyncGenerator<Buffer> {
    const reader = await this.openReader(sha256);
    try {
      yield* reader.stream();
    } finally {
      await reader.close();
    }
  }

  async openReader(sha256: string): Promise<EvidenceReader> {
    const path = this.pathOf(sha256);
    const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw new OperatorError('evidence.missing', `evidence ${sha256} is not in the store`);
      throw error;
    });
    try {
      const { size } = await file.stat();
      const raw = Buffer.alloc(Math.min(HEADER_BYTES, size));
      await file.read(raw, 0, raw.length, 0);
      if (raw.subarray(0, 4).equals(LEGACY_MAGIC)) {
        await file.close();
        return bufferReader(this.openLegacy(sha256, await readFile(path)));
      }
      return new BlobRandomAccess(file, parseHeader(raw, this.key, sha256), size, sha256);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  /** Blobs written before streaming (format 1): one AES-256-GCM message with the sha256 as associated data. */
  private openLegacy(sha256: string, blob: Buffer): Buffer {
    const iv = blob.subarray(4, 4 + IV_BYTES);
    const tag = blob.subarray(4 + IV_BYTES, 4 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(sha256));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(4 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new OperatorError('evidence.undecryptable', `evidence ${sha256} cannot be decrypted`, {
        hint: 'the secret key differs from the one the evidence was stored with, or the blob was altered',
      });
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    const existed = await this.has(sha256);
    await rm(this.pathOf(sha256), { force: true });
    return existed;
  }
}

/** The application's evidence store: <dataDir>/evidence under the key derived for evidence from the secret key. */
export function openEvidenceStore(dataDir: string, keyMaterial: string): LocalEvidenceStore {
  return new LocalEvidenceStore(join(dataDir, 'evidence'), deriveKey(keyMaterial, 'evidence-encryption'));
}
