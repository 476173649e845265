import { createHash, hkdfSync } from 'node:crypto';

/** What a derived key is for. Each purpose gets an independent key, so one leaking does not expose the others. */
export type KeyPurpose =
  | 'identifier-hash'
  | 'evidence-encryption'
  | 'channel-secrets'
  | 'api-tokens'
  | 'web-forms';

/** A 32-byte key for one purpose, derived from the secret key material with HKDF-SHA256. */
export function deriveKey(material: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), `leakwatch ${purpose} v1`, 32),
  );
}

/** A short, non-reversible name for a key, stored beside what it protected so a key change is detected. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update('leakwatch key fingerprint').update(key).digest('hex').slice(0, 16);
}
