/**
 * match.identifiers_mb_s: identifier detection and registry lookup, in MB of text per second (CPU time), against a
 * registry of 1 000 000 entries (e-mails and phone numbers of 500 000 people, hashed under a test key, held in the
 * in-memory registry the matcher uses). The text: dump rows, customer lists and prose (see people.ts), 30 % of the
 * people in it registered. Each record goes through the detectors, every candidate is hashed (HMAC-SHA256, batched per
 * record, cached per document as in the matcher) and looked up.
 */
import { loadavg } from 'node:os';
import { type DetectOptions, detect } from '../../src/match/detect/index.ts';
import { HashSet } from '../../src/match/hash-set.ts';
import { createHasher } from '../../src/match/hasher.ts';
import { IdentifierLookup } from '../../src/match/lookup.ts';
import type { Benchmark } from '../registry.ts';
import { leakRecords, person, type RecordKind } from './people.ts';

const PEOPLE = 500_000;
const MEGABYTES = 40;

export const identifiersBench: Benchmark = {
  name: 'match.identifiers_mb_s',
  unit: 'MB/s',
  goal: '≥ 30 MB/s: detection + lookup against a 1 M-entry registry',
  async run() {
    const hasher = createHasher('benchmark-key-material-0123456789abcdef0123');
    const set = new HashSet(2 * PEOPLE);
    const built = performance.now();
    for (let from = 0; from < PEOPLE; from += 10_000) {
      const keys: string[] = [];
      for (let i = from; i < from + 10_000; i++) {
        const p = person(i);
        keys.push(`acct:${p.email}`, `tel:+33${p.phone.slice(1)}`);
      }
      const hashes = hasher.hashMany(keys);
      for (const [k, key] of keys.entries()) {
        set.add(hashes.subarray(k * 32, k * 32 + 32), 1 + (k % 7), key.startsWith('tel') ? 'phone' : 'email');
      }
    }
    const buildSeconds = (performance.now() - built) / 1000;
    const records = [...leakRecords(MEGABYTES, PEOPLE)];
    const options: DetectOptions = {
      regions: ['FR'],
      dateOrder: 'dmy',
      wanted: new Set(set.kindCounts.keys()),
      patientPatterns: [],
    };
    const bytes = records.reduce((n, r) => n + Buffer.byteLength(r.text), 0);
    const perKind: Record<RecordKind, { bytes: number; seconds: number }> = {
      rows: { bytes: 0, seconds: 0 },
      lists: { bytes: 0, seconds: 0 },
      prose: { bytes: 0, seconds: 0 },
    };
    let candidates = 0;
    let hits = 0;
    const lookup = new IdentifierLookup(hasher, set);
    const cpu = process.cpuUsage();
    const wall = performance.now();
    for (const record of records) {
      const started = performance.now();
      const found = detect(record, options);
      candidates += found.candidates.length;
      for (const outcome of lookup.lookup(found.candidates)) if (outcome) hits++;
      const entry = perKind[record.kind];
      entry.bytes += record.text.length;
      entry.seconds += (performance.now() - started) / 1000;
    }
    const used = process.cpuUsage(cpu);
    const mbs = (b: number, s: number) => b / 1024 / 1024 / s;
    return {
      value: mbs(bytes, (used.user + used.system) / 1e6),
      detail: {
        registry_entries: set.size,
        registry_build_s: buildSeconds,
        corpus_mb: Math.round(bytes / 1024 / 1024),
        candidates,
        hits,
        wall_mb_s: mbs(bytes, (performance.now() - wall) / 1000),
        by_kind_wall_mb_s: Object.fromEntries(
          Object.entries(perKind).map(([kind, e]) => [kind, mbs(e.bytes, e.seconds)]),
        ),
        load_average_1m: loadavg()[0],
      },
    };
  },
};
