import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchDeps, matchPost } from '../../src/match/match-service.ts';
import { retroHunt, startRetroHunt } from '../../src/match/retro-hunt.ts';
import { storedDocumentReader } from '../../src/match/stored-documents.ts';
import { deriveKey } from '../../src/shared/keys.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { clearIdentifiers, identifierStatus, streamHashes } from '../../src/store/identifiers.repository.ts';
import { addWatchTerms, createOrganisation } from '../../src/store/organisations.repository.ts';
import { getRetroHunt } from '../../src/store/retro-hunts.repository.ts';
import { identifierHashes, identifierImports, matches } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createPost, SECRET, testDeps } from './support.ts';

describe.each(DRIVERS)('registry and retro-hunt on %s', (driver) => {
  let testDb: TestDatabase;
  let deps: MatchDeps;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    deps = testDeps(testDb.database).deps;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('imports atomically: rejected values are reported by line, column and reason, never by value', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('imp'), name: 'Import test' });
    const file = [
      'Courriel,Portable,N° sécu',
      'ana.lopez@example.org,06 12 34 56 78,1 85 07 75 123 456 08',
      'not-an-address,0612,1 85 07 75 123 456 09',
      '"quoted@example.org",,',
      ',,',
    ].join('\r\n');
    const result = await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'people.csv',
      input: Readable.from([file]),
      columns: [
        { role: 'email', column: 'courriel' },
        { role: 'phone', column: 'Portable' },
        { role: 'nir', column: 'N° SÉCU' },
      ],
    });
    expect(result).toMatchObject({
      rowsTotal: 3,
      rowsAccepted: 2,
      rowsRejected: 1,
      identifiers: { email: 2, phone: 1, nir: 1 },
      inserted: 4,
    });
    expect(result.rejections).toEqual([
      { line: 3, column: 'Courriel', reason: 'not an e-mail address' },
      { line: 3, column: 'Portable', reason: 'not a valid phone number' },
      { line: 3, column: 'N° sécu', reason: 'NIR key does not match' },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/not-an-address|0612|456 09/);
    const [status] = await identifierStatus(db, org.id);
    expect(status?.counts).toEqual({ email: 2, phone: 1, nir: 1 });
    expect(status?.fingerprints).toEqual([deps.hasher.fingerprint]);

    // A failure half-way leaves nothing behind, and the import says it failed.
    const before = await db.$count(identifierHashes);
    const broken = Readable.from(
      (async function* () {
        yield 'email\nfirst@example.org\n';
        throw new Error('disk read error');
      })(),
    );
    await expect(
      importIdentifiers(db, deps.hasher, { orgId: org.id, fileName: 'broken.csv', input: broken }),
    ).rejects.toThrow('disk read error');
    expect(await db.$count(identifierHashes)).toBe(before);
    const imports = await db.select().from(identifierImports);
    expect(imports.find((i) => i.fileName === 'broken.csv')?.status).toBe('failed');
  });

  it('streams every hash once, in chunks, across organisations and kinds', async () => {
    const { db } = testDb.database;
    const orgs = [
      await createOrganisation(db, { slug: uniqueId('s1'), name: 'S1' }),
      await createOrganisation(db, { slug: uniqueId('s2'), name: 'S2' }),
    ];
    for (const org of orgs) {
      const csv = `email;tel\n${Array.from({ length: 7 }, (_, i) => `p${i}@s${org.id}.example;06 12 34 56 ${10 + i}`).join('\n')}\n`;
      await importIdentifiers(db, deps.hasher, {
        orgId: org.id,
        fileName: 'p.csv',
        input: Readable.from([csv]),
      });
    }
    const seen: string[] = [];
    for await (const groups of streamHashes(db, { batch: 3 })) {
      for (const g of groups)
        for (let at = 0; at < g.hashes.length; at += 32)
          seen.push(`${g.orgId}:${g.kind}:${g.hashes.subarray(at, at + 32).toString('hex')}`);
    }
    const all = await db.select().from(identifierHashes);
    expect(seen.sort()).toEqual(
      all.map((row) => `${row.orgId}:${row.kind}:${row.hash.toString('hex')}`).sort(),
    );
  });

  it('inserts each (organisation, kind, hash) once: repeats in a file, a re-import, batches past one statement', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('dup'), name: 'Repeat test' });
    // 25 000 rows (50 000 identifiers: ten insert statements); the first address again at the end, in another case.
    const lines = Array.from(
      { length: 25_000 },
      (_, i) => `client${i}@example.org,06 12 ${String(i).padStart(6, '0')}`,
    );
    const file = ['email,telephone', ...lines, 'CLIENT0@EXAMPLE.ORG,'].join('\n');
    const first = await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'many.csv',
      input: Readable.from([file]),
    });
    expect(first).toMatchObject({ rowsAccepted: 25_001, inserted: 50_000 });
    const again = await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'many.csv',
      input: Readable.from([file]),
    });
    expect(again).toMatchObject({ rowsAccepted: 25_001, inserted: 0 });
    const stored = await db
      .select({ kind: identifierHashes.kind })
      .from(identifierHashes)
      .where(eq(identifierHashes.orgId, org.id));
    expect(stored.filter((row) => row.kind === 'email')).toHaveLength(25_000);
    expect(stored.filter((row) => row.kind === 'phone')).toHaveLength(25_000);
  });

  it('the in-memory registry follows imports and deletions', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('reg'), name: 'Registry test' });
    const post = await createPost(db, { title: 'dump', bodyText: 'contact: zoe.roux@example.net' });
    expect((await matchPost(deps, post.id)).changes).toEqual([]);
    await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'a.csv',
      input: Readable.from(['email\nzoe.roux@example.net\n']),
    });
    expect((await matchPost(deps, post.id)).changes[0]?.match.identifierCounts).toEqual({ email: 1 });
    await clearIdentifiers(db, org.id);
    expect((await deps.registry.current()).set.lookup(deps.hasher.hash('acct:zoe.roux@example.net'))).toEqual(
      [],
    );
  });

  it('a retro-hunt finds an old post when a term is added, in the background, with progress', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('hunt'), name: 'Hunted' });
    const old = await createPost(db, {
      title: 'Clinique Sainte-Bérénice',
      bodyText: 'patients files, 40 GB',
    });
    expect((await matchPost(deps, old.id)).changes).toEqual([]);
    await addWatchTerms(db, org.id, [{ kind: 'phrase', pattern: 'clinique sainte berenice' }]);
    const progress: number[] = [];
    const result = await retroHunt(deps, {
      orgId: org.id,
      reason: 'terms added',
      onProgress: (p) => progress.push(p.postsDone),
    });
    expect(result.status).toBe('succeeded');
    expect(result.created).toBe(1);
    expect(progress.at(-1)).toBe(result.postsTotal);
    const found = await db.select().from(matches);
    expect(found.filter((m) => m.orgId === org.id).map((m) => m.postId)).toEqual([old.id]);
    const hunt = await getRetroHunt(db, result.huntId);
    expect(hunt).toMatchObject({
      status: 'succeeded',
      postsDone: result.postsTotal,
      changes: { created: 1, grown: 0 },
    });

    // Started in the background: the row exists at once and can be cancelled.
    const controller = new AbortController();
    controller.abort();
    const started = await startRetroHunt(deps, { orgId: org.id, signal: controller.signal });
    expect((await getRetroHunt(db, started.hunt.id))?.status).toBe('running');
    expect(await started.done).toBe('cancelled');
  });

  it('re-reads stored documents from the evidence store (decrypted, extracted again) during a retro-hunt', async () => {
    const { db } = testDb.database;
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-hunt-'));
    const config = loadConfig({ env: { LEAKWATCH_DATA_DIR: dataDir } }).config;
    const secretKey = { material: SECRET, source: 'configuration' as const };
    const evidence = new LocalEvidenceStore(
      join(dataDir, 'evidence'),
      deriveKey(SECRET, 'evidence-encryption'),
    );
    const { sha256 } = await evidence.put(
      Buffer.from('email;nom\nmarie.curie@radium.example;Curie\nother@x.example;X\n'),
    );
    const org = await createOrganisation(db, { slug: uniqueId('ev'), name: 'Radium' });
    const [clock] = await testDb.database.query<{ now: Date }>('select now() as now');
    const post = await createPost(db, { title: 'old dump' });
    const { createDocument } = await import('./support.ts');
    await createDocument(db, post.id, 'people.csv', sha256);
    await createDocument(db, post.id, 'pruned.csv', 'f'.repeat(64)); // its raw file is no longer stored
    await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'r.csv',
      input: Readable.from(['email\nmarie.curie@radium.example\n']),
    });
    const result = await retroHunt(deps, {
      orgId: org.id,
      since: new Date(clock?.now as Date),
      readDocument: storedDocumentReader({ config, secretKey }),
    });
    expect(result).toMatchObject({ documentsDone: 1, documentsSkipped: 1, created: 1 });
    const [match] = (await db.select().from(matches)).filter((m) => m.orgId === org.id);
    expect(match).toMatchObject({
      identifierCounts: { email: 1 },
      verdict: { recordsMatched: 1, recordsTotal: 2 },
    });
  });

  it('re-reads documents through the extractor callback, and counts the ones it cannot read', async () => {
    const { db } = testDb.database;
    const org = await createOrganisation(db, { slug: uniqueId('docs'), name: 'Docs' });
    const [clock] = await testDb.database.query<{ now: Date }>('select now() as now');
    const post = await createPost(db, { title: 'files' });
    const { createDocument } = await import('./support.ts');
    const readable = await createDocument(db, post.id, 'list.txt');
    await createDocument(db, post.id, 'gone.zip');
    await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'Quetzalcoatl' }]);
    const result = await retroHunt(deps, {
      orgId: org.id,
      since: new Date(clock?.now as Date), // only this test's post: other tests store documents too
      readDocument: (doc) =>
        doc.documentId === readable
          ? [{ text: 'QUETZALCOATL project', location: { document: doc.name, line: 1 } }]
          : null,
    });
    expect(result).toMatchObject({
      postsTotal: 1,
      documentsTotal: 2,
      documentsDone: 1,
      documentsSkipped: 1,
      created: 1,
    });
  });
});
