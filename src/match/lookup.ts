/**
 * Candidates → registry: a record's candidates are hashed in one batch (HMAC-SHA256 in WebAssembly) and looked up in
 * the in-memory registry. No cache across records: in a dump nearly every identifier is new, and a cache of hundreds
 * of thousands of strings cost more (memory, collection) than hashing again the few that repeat.
 */
import type { Candidate } from './detect/candidate.ts';
import type { HashSet, RegistryHit } from './hash-set.ts';
import type { IdentifierHasher } from './hasher.ts';

export interface Registered {
  /** Hex of the identifier's hash: what match records count (distinct per kind), never the identifier. */
  hex: string;
  hits: RegistryHit[];
}

export class IdentifierLookup {
  constructor(
    private readonly hasher: IdentifierHasher,
    private readonly set: HashSet,
  ) {}

  /** For each candidate, its registrations (null when nobody registered it). */
  lookup(candidates: readonly Candidate[]): Array<Registered | null> {
    const keys: string[] = new Array(candidates.length);
    for (let i = 0; i < candidates.length; i++) keys[i] = (candidates[i] as Candidate).key;
    const hashes = this.hasher.hashMany(keys);
    const results: Array<Registered | null> = new Array(candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const hash = hashes.subarray(i * 32, i * 32 + 32);
      results[i] = this.set.has(hash)
        ? { hex: Buffer.from(hash.buffer, hash.byteOffset, 32).toString('hex'), hits: this.set.lookup(hash) }
        : null;
    }
    return results;
  }
}
