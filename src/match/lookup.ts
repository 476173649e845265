/**
 * Candidates → registry: the candidates of several records are hashed in one batch (HMAC-SHA256 in WebAssembly) and
 * looked up in the in-memory registry. The answer is the registry entry of each hash (a small integer, -1 when nobody
 * registered it): no hex string or hit object per candidate, and an entry counts a distinct hash compactly.
 * No cache across records: in a dump nearly every identifier is new, and a cache of hundreds of thousands of strings
 * cost more (memory, collection) than hashing again the few that repeat.
 */
import type { Candidate } from './detect/candidate.ts';
import type { HashSet } from './hash-set.ts';
import type { IdentifierHasher } from './hasher.ts';

export class IdentifierLookup {
  private keys: string[] = [];
  private entries = new Int32Array(1024);

  constructor(
    private readonly hasher: IdentifierHasher,
    readonly set: HashSet,
  ) {}

  /**
   * For each of the first `count` candidates, the registry entry of its hash (see HashSet.findAt), -1 when nobody
   * registered it. The array is reused by the next call.
   */
  lookup(candidates: readonly Candidate[], count = candidates.length): Int32Array {
    const keys = this.keys;
    keys.length = count;
    for (let i = 0; i < count; i++) keys[i] = (candidates[i] as Candidate).key;
    const hashes = this.hasher.hashMany(keys);
    keys.length = 0; // the keys are identifiers: not kept beyond the call
    if (this.entries.length < count) this.entries = new Int32Array(count * 2);
    const entries = this.entries;
    return this.set.findMany(hashes, count, entries);
  }
}
