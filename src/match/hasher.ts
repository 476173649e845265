/**
 * Keyed hashing of normalised identifiers: HMAC-SHA256 under the `identifier-hash` key derived from the secret key
 * (src/shared/keys.ts). Only these hashes are stored; the key is never in the database, so a database dump cannot be
 * brute-forced for phone numbers or NIRs. The key's fingerprint is stored with each import so that a rotated key is
 * noticed (see README, "Rotating the secret key").
 */
import { createHmac } from 'node:crypto';
import { deriveKey, keyFingerprint } from '../shared/keys.ts';

export interface IdentifierHasher {
  /** Short, non-reversible name of the key in use. */
  readonly fingerprint: string;
  /** HMAC-SHA256 of a namespaced normalised value (`acct:jean.dupont@orange.fr`). */
  hash(namespaced: string): Buffer;
}

export function createHasher(secretKeyMaterial: string): IdentifierHasher {
  const key = deriveKey(secretKeyMaterial, 'identifier-hash');
  return {
    fingerprint: keyFingerprint(key),
    hash: (namespaced) => createHmac('sha256', key).update(namespaced, 'utf8').digest(),
  };
}
