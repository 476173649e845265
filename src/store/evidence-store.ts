import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OperatorError } from '../shared/errors.ts';

/**
 * Evidence (page captures, screenshots, posted files) stored by content: the sha256 of the plaintext names the blob,
 * so the same file posted twice is stored once. Blobs are encrypted at rest with AES-256-GCM; without the key a stolen
 * disk or backup reveals nothing. An S3-compatible store can implement the same interface.
 */
export interface EvidenceStore {
  /** Stores the bytes (once) and returns their sha256 in hex. */
  put(bytes: Buffer): Promise<{ sha256: string; stored: boolean }>;
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
}

const MAGIC = Buffer.from('LWE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (await this.has(sha256)) return { sha256, stored: false };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The content hash is bound as associated data: a blob moved to another name fails authentication.
    cipher.setAAD(Buffer.from(sha256));
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    await rename(temporary, path);
    return { sha256, stored: true };
  }

  async get(sha256: string): Promise<Buffer> {
    const blob = await readFile(this.pathOf(sha256));
    if (!blob.subarray(0, 4).equals(MAGIC))
      throw new OperatorError('evidence.corrupt', `evidence ${sha256} is not a leakwatch blob`);
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
}
