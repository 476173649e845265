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
import { NAMESPACE } from './identifiers/normalise.ts';

export class IdentifierLookup {
  private values: string[] = [];
  private namespaces: string[] = [];
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
    const { values, namespaces } = this;
    values.length = count;
    namespaces.length = count;
    for (let i = 0; i < count; i++) {
      const candidate = candidates[i] as Candidate;
      values[i] = candidate.value;
      namespaces[i] = NAMESPACE[candidate.kind];
    }
    const hashes = this.hasher.hashMany(values, namespaces);
    values.length = 0; // identifiers: not kept beyond the call
    if (this.entries.length < count) this.entries = new Int32Array(count * 2);
    const entries = this.entries;
    return this.set.findMany(hashes, count, entries);
  }
}
