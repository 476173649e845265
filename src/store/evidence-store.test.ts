import { readdirSync, readFileSync } from 'node:fs';
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
