import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HashSet } from '../../src/match/hash-set.ts';
import { HealthClassifier } from '../../src/match/health.ts';
import { readCsv } from '../../src/match/import/csv.ts';
import { bands, MinHasher, similarity } from '../../src/match/minhash.ts';
import { severityOf } from '../../src/match/severity.ts';

const signature = (lines: string[]) => {
  const m = new MinHasher();
  for (const line of lines) m.add(line);
  return m.signature() as Uint32Array;
};
const dump = (from: number, to: number, suffix = '') =>
  Array.from(
    { length: to - from },
    (_, i) =>
      `${from + i};client${from + i}@example.fr;Dupont${(from + i) % 97};rue ${i % 50} Paris${suffix}`,
  );

describe('near-duplicate fingerprints', () => {
  it('sees a re-posted dump with a few rows changed as near-identical, and another dump as different', () => {
    const original = signature(dump(0, 2000));
    const repost = signature([...dump(0, 1900), ...dump(5000, 5100)]);
    const other = signature(dump(10_000, 12_000));
    expect(similarity(original, signature(dump(0, 2000)))).toBe(1);
    expect(similarity(original, repost)).toBeGreaterThan(0.8);
    expect(similarity(original, other)).toBeLessThan(0.2);
    const shared = (a: Uint32Array, b: Uint32Array) =>
      bands(a).filter((band, i) => band === bands(b)[i]).length;
    expect(shared(original, repost)).toBeGreaterThan(0);
    expect(shared(original, other)).toBe(0);
  });

  it('has no signature for too little text', () => {
    const m = new MinHasher();
    m.add('three words only');
    expect(m.signature()).toBeNull();
  });
});

describe('health-data classifier', () => {
  it('recognises French and English lab reports, not ordinary business text', () => {
    const fr = new HealthClassifier();
    fr.add('HÉMATOLOGIE — Numération formule sanguine');
    fr.add('Hémoglobine 13,2 g/dL (12,0 – 16,0)   Plaquettes 250 G/L   Leucocytes 6,1 G/L');
    expect(fr.isHealth()).toBe(true);
    const en = new HealthClassifier();
    en.add('Lab results: HIV serology negative, hepatitis B surface antigen negative; glucose 5.4 mmol/L');
    expect(en.isHealth()).toBe(true);
    const business = new HealthClassifier();
    business.add(
      'Invoices, payroll and contracts of the logistics department; treatment of customer claims 2023',
    );
    expect(business.isHealth()).toBe(false);
  });
});

describe('severity rules', () => {
  const base = {
    termKinds: new Set<string>(),
    identifierCounts: {},
    credentialsMatched: 0,
    categories: new Set<never>(),
    verdict: null,
  };
  it('ranks health data of registered people critical, a name on a leak site medium, a keyword low', () => {
    expect(
      severityOf({ ...base, identifierCounts: { email: 2 }, categories: new Set(['health'] as const) })
        .severity,
    ).toBe('critical');
    expect(severityOf({ ...base, identifierCounts: { nir: 1 } }).severity).toBe('critical');
    expect(
      severityOf({
        ...base,
        identifierCounts: { email: 150 },
        verdict: { recordsMatched: 150, recordsTotal: 200 },
      }).severity,
    ).toBe('critical');
    expect(severityOf({ ...base, identifierCounts: { email: 3 }, credentialsMatched: 3 }).severity).toBe(
      'high',
    );
    expect(severityOf({ ...base, identifierCounts: { email: 3 } }).severity).toBe('medium');
    expect(severityOf({ ...base, termKinds: new Set(['phrase']) }).severity).toBe('medium');
    expect(severityOf({ ...base, termKinds: new Set(['keyword']) }).severity).toBe('low');
  });
});

describe('in-memory registry', () => {
  it('finds every added hash under each organisation and kind, and no other', () => {
    const set = new HashSet(4);
    const hashes = Array.from({ length: 5000 }, () => randomBytes(32));
    hashes.forEach((hash, i) => {
      set.add(hash, (i % 3) + 1, i % 2 ? 'email' : 'phone');
    });
    expect(set.add(hashes[0] as Buffer, 1, 'phone')).toBe(false);
    expect(set.add(hashes[0] as Buffer, 9, 'login')).toBe(true);
    expect(set.size).toBe(5001);
    expect(set.lookup(hashes[0] as Buffer)).toEqual([
      { orgId: 1, kind: 'phone' },
      { orgId: 9, kind: 'login' },
    ]);
    expect(hashes.every((hash, i) => set.lookup(hash).some((hit) => hit.orgId === (i % 3) + 1))).toBe(true);
    expect(Array.from({ length: 1000 }, () => randomBytes(32)).some((hash) => set.has(hash))).toBe(false);
    expect(set.kindCounts.get('email')).toBe(2500);
  });

  it('loads concatenated hashes as adding them one by one would', () => {
    const hashes = randomBytes(3000 * 32);
    const one = new HashSet(4);
    const many = new HashSet(4);
    for (let at = 0; at < hashes.length; at += 32) one.add(hashes.subarray(at, at + 32), 1, 'email');
    expect(many.addMany(hashes, 1, 'email')).toBe(3000);
    expect(many.addMany(hashes.subarray(0, 64 * 32), 1, 'email')).toBe(0);
    expect(many.addMany(hashes.subarray(0, 64 * 32), 2, 'login')).toBe(64);
    expect(many.size).toBe(3064);
    expect(one.size).toBe(3000);
    expect(many.kindCounts).toEqual(
      new Map([
        ['email', 3000],
        ['login', 64],
      ]),
    );
    for (let at = 0; at < hashes.length; at += 32 * 7) {
      const hash = hashes.subarray(at, at + 32);
      expect(many.lookup(hash)).toEqual(
        at < 64 * 32 ? [...one.lookup(hash), { orgId: 2, kind: 'login' }] : one.lookup(hash),
      );
    }
    expect(() => many.addMany(hashes.subarray(0, 33), 1, 'email')).toThrow();
  });

  it('answers a batch of lookups (findMany) as one findAt per hash would, colliding slots and checks included', () => {
    const set = new HashSet(4);
    const stored: Buffer[] = [];
    for (let i = 0; i < 4000; i++) {
      const hash = randomBytes(32);
      // Every third hash shares its first 8 bytes (slot and check) with an earlier one and differs further on; some
      // share the first 4 only (the same home slot): long probes, and check matches that are not the hash.
      if (i % 3 === 0 && stored.length > 0) (stored[(i * 7) % stored.length] as Buffer).copy(hash, 0, 0, 8);
      else if (i % 5 === 0 && stored.length > 0)
        (stored[(i * 11) % stored.length] as Buffer).copy(hash, 0, 0, 4);
      stored.push(hash);
      set.add(hash, (i % 4) + 1, i % 2 ? 'email' : 'phone');
      if (i % 9 === 0) set.add(hash, 99, 'login'); // a chained second entry of the same hash
    }
    // Asked: stored hashes, strangers, and strangers that share a stored hash's first 8 or 31 bytes.
    const asked: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const roll = i % 4;
      if (roll === 0) asked.push(stored[(i * 13) % stored.length] as Buffer);
      else if (roll === 1) asked.push(randomBytes(32));
      else {
        const near = Buffer.from(stored[(i * 17) % stored.length] as Buffer);
        const at = roll === 2 ? 8 + (i % 24) : 31;
        near[at] = (near[at] as number) ^ (1 + (i % 255));
        asked.push(near);
      }
    }
    const bytes = Buffer.concat(asked);
    const into = new Int32Array(asked.length + 5).fill(12345);
    set.findMany(bytes, asked.length, into);
    const expected = asked.map((_, i) => set.findAt(bytes, i * 32));
    expect(Array.from(into.subarray(0, asked.length))).toEqual(expected);
    expect(Array.from(into.subarray(asked.length))).toEqual([12345, 12345, 12345, 12345, 12345]);
    expect(expected.filter((e) => e >= 0).length).toBe(750);
    expect(set.findMany(bytes, 0, into)).toBe(into);
  });
});

describe('content analysis counts', () => {
  it('counts distinct registered identifiers per organisation and kind, however often and wherever they appear', async () => {
    const { ContentAnalysis } = await import('../../src/match/analyse.ts');
    const { createHasher } = await import('../../src/match/hasher.ts');
    const { CompiledTerms } = await import('../../src/match/terms.ts');
    const hasher = createHasher('analysis-test-key-material-0123456789abcdef');
    const set = new HashSet(16);
    const people = Array.from({ length: 400 }, (_, i) => `client${i}@example.fr`);
    // Org 1 registered everyone as e-mails; org 2 the first hundred as logins; nobody the others below.
    people.forEach((email, i) => {
      const hash = hasher.hash(`acct:${email}`);
      set.add(hash, 1, 'email');
      if (i < 100) set.add(hash, 2, 'login');
    });
    const analysis = new ContentAnalysis({
      terms: new CompiledTerms([]),
      registry: { set, wanted: new Set(['email', 'login']), patientPatterns: [], otherKeyOrgs: [] },
      hasher,
      detect: { regions: ['FR'], dateOrder: 'dmy' },
      samples: 3,
      locations: 5,
    });
    // Every registered address three times (once upper-cased, once with a password), and strangers: more than one
    // lookup batch of candidates.
    let line = 0;
    for (const round of [0, 1, 2]) {
      for (const email of people) {
        const text =
          round === 0 ? email : round === 1 ? `${email.toUpperCase()} ` : `${email}:Secret${line}!`;
        analysis.addRecord({ text, location: { document: 'combo.txt', line: ++line } });
        analysis.addRecord({
          text: `stranger${line}@example.fr`,
          location: { document: 'combo.txt', line: ++line },
        });
      }
    }
    const result = analysis.result();
    const byOrg = new Map(result.orgs.map((org) => [org.orgId, org]));
    expect(result.records).toBe(2400);
    expect(byOrg.get(1)?.identifiers.get('email')?.size).toBe(400);
    expect(byOrg.get(1)?.credentials.size).toBe(400);
    expect(byOrg.get(1)?.recordsMatched).toBe(1200);
    expect(byOrg.get(2)?.identifiers.get('login')?.size).toBe(100);
    expect(byOrg.get(2)?.identifiers.has('email')).toBe(false);
    expect(byOrg.get(2)?.credentials.size).toBe(100);
    expect(byOrg.get(2)?.recordsMatched).toBe(300);
    const { maskIdentifier } = await import('../../src/match/mask.ts');
    expect(byOrg.get(1)?.samples).toEqual(
      people.slice(0, 3).map((email) => maskIdentifier('email', `acct:${email}`)),
    );
    expect(byOrg.get(1)?.locations).toHaveLength(5);
  });
});

describe('CSV reader', () => {
  it('handles quotes, separators and line breaks split across chunks, and reports starting lines', async () => {
    const chunks = ['email;nom\r\n"a@b.fr";"Du', 'pont ""X"""\r\nc@d.fr;"multi\nline"\n\n', 'e@f.fr;last'];
    const rows = [];
    for await (const row of readCsv(Readable.from(chunks.map((c) => Buffer.from(c))))) rows.push(row);
    expect(rows).toEqual([
      { line: 1, cells: ['email', 'nom'] },
      { line: 2, cells: ['a@b.fr', 'Dupont "X"'] },
      { line: 3, cells: ['c@d.fr', 'multi\nline'] },
      { line: 6, cells: ['e@f.fr', 'last'] },
    ]);
  });

  it('reads Windows-1252 files', async () => {
    const rows = [];
    for await (const row of readCsv(
      Readable.from([Buffer.from([0x6e, 0x6f, 0x6d, 0x0a, 0x48, 0xe9, 0x6c, 0xe8, 0x6e, 0x65, 0x0a])]),
    ))
      rows.push(row);
    expect(rows.map((r) => r.cells[0])).toEqual(['nom', 'Hélène']);
  });
});
