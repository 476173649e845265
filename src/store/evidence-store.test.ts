import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKey } from '../shared/keys.ts';
import { LocalEvidenceStore } from './evidence-store.ts';

function files(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('LocalEvidenceStore', () => {
  it('stores by content once, encrypted, and reads back', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lw-evidence-'));
    const store = new LocalEvidenceStore(directory, deriveKey('k'.repeat(40), 'evidence-encryption'));
    const report = Buffer.from('Bilan sanguin — Hélène Dupont, NIR 2 84 05 2A 123 456 78');
    const first = await store.put(report);
    const second = await store.put(report);
    expect(first.stored).toBe(true);
    expect(second).toEqual({ sha256: first.sha256, stored: false });
    expect(files(directory)).toHaveLength(1);
    const raw = readFileSync(files(directory)[0] as string);
    expect(raw.includes(Buffer.from('Hélène'))).toBe(false);
    expect(raw.includes(Buffer.from('NIR'))).toBe(false);
    expect(await store.get(first.sha256)).toEqual(report);
  });

  it('cannot be read with another key', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lw-evidence-'));
    const { sha256 } = await new LocalEvidenceStore(
      directory,
      deriveKey('a'.repeat(40), 'evidence-encryption'),
    ).put(Buffer.from('secret dump'));
    const other = new LocalEvidenceStore(directory, deriveKey('b'.repeat(40), 'evidence-encryption'));
    await expect(other.get(sha256)).rejects.toThrow(/cannot be decrypted/);
  });

  it('derives independent keys per purpose', () => {
    expect(
      deriveKey('m'.repeat(40), 'evidence-encryption').equals(deriveKey('m'.repeat(40), 'identifier-hash')),
    ).toBe(false);
  });
});

describe('LocalEvidenceStore: streams, random access and resumable uploads', () => {
  const key = deriveKey('s'.repeat(40), 'evidence-encryption');
  const pattern = (size: number) =>
    Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 9)) & 0xff));

  const same = (a: Buffer, b: Buffer) => a.length === b.length && a.equals(b);

  async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part);
    return Buffer.concat(parts);
  }

  it('round-trips streams of any length, whole chunks and empty included', async () => {
    const store = new LocalEvidenceStore(await mkdtemp(join(tmpdir(), 'lw-evidence-')), key);
    for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 300_001]) {
      const bytes = pattern(size);
      const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000, 70_000), bytes.subarray(70_000)];
      const { sha256, size: stored } = await store.putStream(pieces);
      expect(stored).toBe(size);
      expect(same(await collect(store.getStream(sha256)), bytes)).toBe(true);
      expect(same(await store.get(sha256), bytes)).toBe(true);
    }
  });

  it('reads any byte range without decrypting the rest', async () => {
    const store = new LocalEvidenceStore(await mkdtemp(join(tmpdir(), 'lw-evidence-')), key);
    const bytes = pattern(500_000);
    const { sha256 } = await store.put(bytes);
    const reader = await store.openReader(sha256);
    expect(reader.size).toBe(500_000);
    for (const [start, end] of [
      [0, 10],
      [65_530, 65_600],
      [131_072, 262_144],
      [499_990, 600_000],
      [10, 10],
    ] as const)
      expect(same(await reader.read(start, end), bytes.subarray(start, end))).toBe(true);
    expect(same(await collect(reader.stream(200_000)), bytes.subarray(200_000))).toBe(true);
    await reader.close();
  });

  it('resumes an upload in a later session from the last whole chunk', async () => {
    const store = new LocalEvidenceStore(await mkdtemp(join(tmpdir(), 'lw-evidence-')), key);
    const bytes = pattern(400_000);
    const first = await store.openUpload('doc-1');
    await first.write(bytes.subarray(0, 150_000));
    await first.setMeta({ etag: '"abc"' });
    await first.close();
    const second = await store.openUpload('doc-1');
    expect(second.offset).toBe(131_072); // two whole 64 KiB chunks survived; the rest is written again
    expect(second.meta).toEqual({ etag: '"abc"' });
    expect(same(second.head, bytes.subarray(0, 65_536))).toBe(true);
    await second.write(bytes.subarray(second.offset));
    const committed = await second.commit();
    expect(committed.size).toBe(400_000);
    expect(same(await store.get(committed.sha256), bytes)).toBe(true);
    // A third session of the same id starts from nothing: the finished upload is gone.
    expect((await store.openUpload('doc-1')).offset).toBe(0);
  });

  it('detects a truncated blob, a blob renamed to another hash, and a partial upload under another key', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lw-evidence-'));
    const store = new LocalEvidenceStore(directory, key);
    const a = await store.put(pattern(200_000));
    const b = await store.put(pattern(100));
    const pathOf = (sha: string) => join(directory, sha.slice(0, 2), sha.slice(2, 4), `${sha}.lwe`);
    const blob = readFileSync(pathOf(a.sha256));
    // Cut at a chunk boundary: what remains still looks like whole chunks, but the last is not sealed as final.
    writeFileSync(pathOf(a.sha256), blob.subarray(0, 24 + 2 * (65_536 + 16)));
    await expect(store.get(a.sha256)).rejects.toThrow(/truncated/);
    writeFileSync(pathOf(a.sha256), blob.subarray(0, 24 + 65_536 + 16 + 100));
    await expect(store.get(a.sha256)).rejects.toThrow(/cannot be decrypted/);
    writeFileSync(pathOf(b.sha256), blob);
    await expect(store.get(b.sha256)).rejects.toThrow(/cannot be decrypted/);

    const upload = await store.openUpload('doc-2');
    await upload.write(pattern(200_000));
    await upload.close();
    const other = new LocalEvidenceStore(directory, deriveKey('t'.repeat(40), 'evidence-encryption'));
    expect((await other.openUpload('doc-2')).offset).toBe(0);
  });

  it('still reads blobs of the first format (one GCM message)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lw-evidence-'));
    const bytes = Buffer.from('capture stored before streaming');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(sha256));
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const path = join(directory, sha256.slice(0, 2), sha256.slice(2, 4));
    mkdirSync(path, { recursive: true });
    writeFileSync(
      join(path, `${sha256}.lwe`),
      Buffer.concat([Buffer.from('LWE1'), iv, cipher.getAuthTag(), body]),
    );
    expect(same(await new LocalEvidenceStore(directory, key).get(sha256), bytes)).toBe(true);
  });
});
