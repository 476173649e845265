/**
 * match.hmac_ns: the keyed hashing of identifiers alone, in ns of CPU time per identifier: 2 000 000 e-mails and phone
 * numbers with their namespaces (`acct:`, `tel:`), hashed in batches of 512 as the matcher hashes its candidates
 * (IdentifierLookup). The figure is the median of several passes over the same identifiers (this host's CPU time
 * for the same work varies from run to run); node:crypto's createHmac, per identifier, is measured on a sample for
 * comparison.
 */
import { createHmac } from 'node:crypto';
import { loadavg } from 'node:os';
import { createHasher } from '../../src/match/hasher.ts';
import { NAMESPACE } from '../../src/match/identifiers/normalise.ts';
import { deriveKey } from '../../src/shared/keys.ts';
import type { Benchmark } from '../registry.ts';
import { median } from '../support/stats.ts';
import { person } from './people.ts';

const IDENTIFIERS = 2_000_000;
const BATCH = 512;
const PASSES = 7;
const MATERIAL = 'benchmark-key-material-0123456789abcdef0123';

export const hmacBench: Benchmark = {
  name: 'match.hmac_ns',
  unit: 'ns/identifier',
  goal: 'a tenth of node:crypto createHmac per identifier or less: hashing stays a small part of matching',
  async run() {
    const batches: { values: string[]; namespaces: string[] }[] = [];
    for (let from = 0; from < IDENTIFIERS; from += BATCH) {
      const values: string[] = [];
      const namespaces: string[] = [];
      for (let i = from; i < from + BATCH; i += 2) {
        const p = person(i >> 1);
        values.push(p.email, `+33${p.phone.slice(1)}`);
        namespaces.push(NAMESPACE.email, NAMESPACE.phone);
      }
      batches.push({ values, namespaces });
    }
    const hasher = createHasher(MATERIAL);
    const passes: number[] = [];
    for (let pass = 0; pass < PASSES; pass++) {
      const started = process.cpuUsage();
      for (const { values, namespaces } of batches) hasher.hashMany(values, namespaces);
      const used = process.cpuUsage(started);
      passes.push(((used.user + used.system) * 1000) / IDENTIFIERS);
    }
    const key = deriveKey(MATERIAL, 'identifier-hash');
    const sample = batches
      .slice(0, 200)
      .flatMap(({ values, namespaces }) => values.map((v, i) => namespaces[i] + v));
    const started = process.cpuUsage();
    for (const value of sample) createHmac('sha256', key).update(value, 'utf8').digest();
    const used = process.cpuUsage(started);
    return {
      value: median(passes),
      detail: {
        identifiers: IDENTIFIERS,
        batch: BATCH,
        passes_ns: passes.map((ns) => Math.round(ns)),
        node_crypto_ns: Math.round(((used.user + used.system) * 1000) / sample.length),
        load_average_1m: loadavg()[0],
      },
    };
  },
};
