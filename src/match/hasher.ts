/**
 * Keyed hashing of normalised identifiers: HMAC-SHA256 under the `identifier-hash` key derived from the secret key
 * (src/shared/keys.ts). Only these hashes are stored; the key is never in the database, so a database dump cannot be
 * brute-forced for phone numbers or NIRs. The key's fingerprint is stored with each import so that a rotated key is
 * noticed (see README, "Rotating the secret key"). Hashing runs in WebAssembly with precomputed key pads, four
 * messages at a time in SIMD lanes (wasm-sha256.ts), in batches: the same bytes as node:crypto's createHmac, over ten
 * times faster (bench match.hmac_ns).
 */
import { deriveKey, keyFingerprint } from '../shared/keys.ts';
import { FastHmac } from './wasm-sha256.ts';

export interface IdentifierHasher {
  /** Short, non-reversible name of the key in use. */
  readonly fingerprint: string;
  /** HMAC-SHA256 of a namespaced normalised value (`acct:jean.dupont@orange.fr`). */
  hash(namespaced: string): Buffer;
  /**
   * The HMACs of many values, 32 bytes each, concatenated in order; with `prefixes`, of `prefixes[i] + values[i]`
   * (a namespace and a value, hashed without building the concatenated string).
   */
  hashMany(values: readonly string[], prefixes?: readonly string[]): Uint8Array;
}

export function createHasher(secretKeyMaterial: string): IdentifierHasher {
  const key = deriveKey(secretKeyMaterial, 'identifier-hash');
  const hmac = new FastHmac(key);
  return {
    fingerprint: keyFingerprint(key),
    hash: (namespaced) => hmac.hash(namespaced),
    hashMany: (values, prefixes) => hmac.hashMany(values, prefixes),
  };
}
