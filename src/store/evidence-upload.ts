import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type BlobHeader,
  HEADER_BYTES,
  newHeader,
  openChunk,
  parseHeader,
  sealChunk,
  TAG_BYTES,
} from './evidence-blob.ts';

/**
 * A blob being written, possibly over several sessions: a download cut at 700 MB resumes from there, even in another
 * process. Only whole encrypted chunks reach the disk, so nothing is ever stored in plaintext, and a partial upload
 * is re-read (and re-hashed) when it is opened again.
 */
export interface EvidenceUpload {
  /** Plaintext bytes accepted so far (including those resumed from an earlier session). */
  readonly offset: number;
  /** Up to the first 64 KiB of the content, for sniffing its type. */
  readonly head: Buffer;
  /** The writer's own notes kept beside the upload (a download's validators: ETag, Last-Modified, size). */
  readonly meta: Record<string, unknown>;
  setMeta(meta: Record<string, unknown>): Promise<void>;
  write(bytes: Buffer): Promise<void>;
  /** Starts again from byte 0 (the server ignored the range, or the file changed). */
  restart(): Promise<void>;
  /** Seals the blob and stores it under its sha256; `stored: false` when that content was already there. */
  commit(): Promise<{ sha256: string; size: number; stored: boolean }>;
  /** Keeps what was written for a later session. */
  close(): Promise<void>;
  /** Throws the partial upload away. */
  discard(): Promise<void>;
}

const HEAD_BYTES = 64 * 1024;
const FLUSH_BYTES = 1024 * 1024;

export class LocalEvidenceUpload implements EvidenceUpload {
  offset = 0;
  head = Buffer.alloc(0);
  meta: Record<string, unknown> = {};
  private hash: Hash = createHash('sha256');
  private header!: BlobHeader;
  private file!: FileHandle;
  private chunkIndex = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private sealed: Buffer[] = [];
  private sealedBytes = 0;
  private fileBytes = 0;
  private finished = false;

  private constructor(
    private readonly path: string,
    private readonly key: Buffer,
    private readonly place: (sha256: string) => Promise<{ path: string; exists: boolean }>,
  ) {}

  static async open(
    path: string,
    key: Buffer,
    place: (sha256: string) => Promise<{ path: string; exists: boolean }>,
  ): Promise<LocalEvidenceUpload> {
    const upload = new LocalEvidenceUpload(path, key, place);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      upload.meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as Record<string, unknown>;
    } catch {
      upload.meta = {};
    }
    const existing = await stat(path).catch(() => undefined);
    upload.file = await open(path, existing ? 'r+' : 'w+', 0o600);
    if (!existing || !(await upload.resume(existing.size))) await upload.reset();
    return upload;
  }

  /** Re-reads the whole chunks of an earlier session; false when they cannot be used (other key, damage). */
  private async resume(fileBytes: number): Promise<boolean> {
    if (fileBytes < HEADER_BYTES) return false;
    const raw = Buffer.alloc(HEADER_BYTES);
    await this.file.read(raw, 0, HEADER_BYTES, 0);
    try {
      this.header = parseHeader(raw, this.key, this.path);
      const sealedChunk = this.header.chunkBytes + TAG_BYTES;
      const chunks = Math.floor((fileBytes - HEADER_BYTES) / sealedChunk);
      const buffer = Buffer.alloc(sealedChunk);
      for (let index = 0; index < chunks; index++) {
        await this.file.read(buffer, 0, sealedChunk, HEADER_BYTES + index * sealedChunk);
        const plain = openChunk(this.header, index, buffer, false, undefined, this.path);
        this.hash.update(plain);
        this.remember(plain);
      }
      this.chunkIndex = chunks;
      this.offset = chunks * this.header.chunkBytes;
      this.fileBytes = HEADER_BYTES + chunks * sealedChunk;
      await this.file.truncate(this.fileBytes);
      return true;
    } catch {
      return false;
    }
  }

  private async reset(): Promise<void> {
    this.header = newHeader(this.key);
    this.hash = createHash('sha256');
    this.head = Buffer.alloc(0);
    this.offset = 0;
    this.chunkIndex = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.sealed = [];
    this.sealedBytes = 0;
    await this.file.truncate(0);
    await this.file.write(this.header.raw, 0, HEADER_BYTES, 0);
    this.fileBytes = HEADER_BYTES;
  }

  private remember(plain: Buffer): void {
    if (this.head.length < HEAD_BYTES)
      this.head = Buffer.concat([this.head, plain.subarray(0, HEAD_BYTES - this.head.length)]);
  }

  async setMeta(meta: Record<string, unknown>): Promise<void> {
    this.meta = meta;
    await writeFile(`${this.path}.json`, JSON.stringify(meta), { mode: 0o600 });
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.finished) throw new Error('upload already finished');
    if (bytes.length === 0) return;
    this.hash.update(bytes);
    this.remember(bytes);
    this.offset += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const size = this.header.chunkBytes;
    if (this.pendingBytes < size) return;
    let all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    while (all.length >= size) {
      this.seal(sealChunk(this.header, this.chunkIndex++, all.subarray(0, size)));
      all = all.subarray(size);
    }
    this.pending = all.length > 0 ? [all] : [];
    this.pendingBytes = all.length;
    if (this.sealedBytes >= FLUSH_BYTES) await this.flush();
  }

  private seal(chunk: Buffer): void {
    this.sealed.push(chunk);
    this.sealedBytes += chunk.length;
  }

  private async flush(): Promise<void> {
    if (this.sealedBytes === 0) return;
    const batch = Buffer.concat(this.sealed);
    this.sealed = [];
    this.sealedBytes = 0;
    await this.file.write(batch, 0, batch.length, this.fileBytes);
    this.fileBytes += batch.length;
  }

  async restart(): Promise<void> {
    await this.reset();
  }

  async commit(): Promise<{ sha256: string; size: number; stored: boolean }> {
    const sha256 = this.hash.digest('hex');
    const rest = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.seal(sealChunk(this.header, this.chunkIndex, rest, { sha256 }));
    await this.flush();
    await this.file.sync();
    await this.file.close();
    this.finished = true;
    const size = this.offset;
    const target = await this.place(sha256);
    if (target.exists) {
      await this.discard();
      return { sha256, size, stored: false };
    }
    await mkdir(dirname(target.path), { recursive: true, mode: 0o700 });
    await rename(this.path, target.path);
    await rm(`${this.path}.json`, { force: true });
    return { sha256, size, stored: true };
  }

  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.flush();
    await this.file.close();
  }

  async discard(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      await this.file.close();
    }
    await rm(this.path, { force: true });
    await rm(`${this.path}.json`, { force: true });
  }
}
