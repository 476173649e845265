import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey } from '../../src/shared/keys.ts';
import { claimDocuments, listDocuments } from '../../src/store/documents.repository.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { documents, postDocuments } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { makeTar, makeZip } from '../support/documents/archive-writers.ts';
import { apacheIndex, fileRoute, lighttpdIndex, nginxIndex } from '../support/documents/file-routes.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';
import { pipelineHarness, seedPost } from '../support/documents/pipeline-harness.ts';
import {
  fixtureSite,
  type OnionHarness,
  randomOnionHost,
  startOnionHarness,
} from '../support/onion-harness/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

let harness: OnionHarness;
let agents: SocksAgentPool;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
});
afterAll(async () => {
  agents.close();
  await harness.stop();
});

const CSV = Buffer.from(
  'Email;Mot de passe;Nom\nhelene.dupont@example.fr;Soleil2019;Hélène Dupont\n',
  'latin1',
);
const report = makePdf([
  { lines: ['Laboratoire — compte rendu'] },
  { lines: ['Patiente : Hélène Dupont', 'NIR : 2 84 05 2A 123 456 78'] },
]);

function blobs(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.lwe'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe.each(DRIVERS)('document pipeline on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.close());

  it('follows a directory listing two levels deep (same host only) and reads a ZIP of PDFs inside a TAR.GZ', async () => {
    const archive = gzipSync(
      await makeTar([{ name: 'rapports.zip', data: makeZip([{ name: 'bilan_07.pdf', data: report }]) }]),
    );
    const elsewhere = randomOnionHost();
    const host = harness.serve(
      fixtureSite({
        '/leak/': { body: apacheIndex('/leak/', ['clients.csv', 'archives/']) },
        '/leak/clients.csv': fileRoute(CSV).route,
        '/leak/archives/': {
          body: `${nginxIndex('/leak/archives/', ['dump.tar.gz', 'old/'])}<a href="http://${elsewhere}/x.csv">mirror</a>`,
        },
        '/leak/archives/dump.tar.gz': fileRoute(archive).route,
        '/leak/archives/old/': { body: lighttpdIndex('/leak/archives/old/', ['notes.txt']) },
        '/leak/archives/old/notes.txt': {
          body: 'mot de passe du serveur : hunter2\n',
          contentType: 'text/plain',
        },
      }),
    );
    const postId = await seedPost(test.database.db, 'listing-site', host, [`http://${host}/leak/`]);
    const run = pipelineHarness(test.database.db, agents);
    await run.drain();
    const rows = await listDocuments(test.database.db, { postId });
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect([...byName.keys()].sort()).toEqual([
      'archives',
      'clients.csv',
      'dump.tar.gz',
      'leak',
      'notes.txt',
      'old',
    ]);
    expect(byName.get('leak')).toMatchObject({
      status: 'extracted',
      sniffedType: 'directory_listing',
      listingDepth: 0,
      counts: { files: 1, directories: 1, added: 2 },
    });
    expect(byName.get('old')).toMatchObject({ sniffedType: 'directory_listing', listingDepth: 2 });
    expect(byName.get('notes.txt')).toMatchObject({
      status: 'extracted',
      sniffedType: 'text',
      listingDepth: 3,
    });
    expect(
      rows.every((row) =>
        row.sources.every((source) => source.postId === postId && source.siteId === 'listing-site'),
      ),
    ).toBe(true);
    expect(harness.requests.some((request) => request.host === elsewhere)).toBe(false);

    const csv = byName.get('clients.csv');
    expect(csv).toMatchObject({ status: 'extracted', sniffedType: 'csv', counts: { records: 1, rows: 1 } });
    expect(run.consumer.records.get(csv?.id as number)?.[0]).toMatchObject({
      cells: ['helene.dupont@example.fr', 'Soleil2019', 'Hélène Dupont'],
      headers: ['Email', 'Mot de passe', 'Nom'],
      location: { document: 'clients.csv', row: 2 },
    });
    const dump = byName.get('dump.tar.gz');
    expect(dump).toMatchObject({
      status: 'extracted',
      sniffedType: 'gzip',
      counts: { pages: 2, entries: 2 },
    });
    const page2 = run.consumer.records.get(dump?.id as number)?.find((record) => record.location.page === 2);
    expect(page2?.location.document).toBe('dump.tar.gz/rapports.zip/bilan_07.pdf');
    expect(page2?.text).toContain('NIR : 2 84 05 2A 123 456 78');
    expect(dump?.timings).toMatchObject({ downloadMs: expect.any(Number), extractMs: expect.any(Number) });
  });

  it('does not follow a listing one level deeper than documents.listingDepth, and says so on the listing', async () => {
    const site = fixtureSite({
      '/leak/': { body: apacheIndex('/leak/', ['top.txt', 'deeper/']) },
      '/leak/top.txt': { body: 'top level\n', contentType: 'text/plain' },
      '/leak/deeper/': { body: nginxIndex('/leak/deeper/', ['too-deep.txt']) },
      '/leak/deeper/too-deep.txt': { body: 'one level too deep\n', contentType: 'text/plain' },
    });
    const host = harness.serve(site);
    const postId = await seedPost(test.database.db, 'depth-site', host, [`http://${host}/leak/`]);
    const run = pipelineHarness(test.database.db, agents, { listingDepth: 1 });
    await run.drain();
    const byName = new Map((await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]));
    expect([...byName.keys()].sort()).toEqual(['deeper', 'leak', 'top.txt']);
    expect(byName.get('top.txt')).toMatchObject({ status: 'extracted', listingDepth: 1 });
    expect(byName.get('deeper')).toMatchObject({
      status: 'extracted',
      sniffedType: 'directory_listing',
      listingDepth: 1,
      counts: { files: 1, directories: 0, added: 0 },
      warnings: ['1 entries not followed: the listing is 1 levels deep (documents.listingDepth)'],
    });
    expect(site.hits).toContain('/leak/deeper/');
    expect(site.hits).not.toContain('/leak/deeper/too-deep.txt');
  });

  it('stores a file posted on two sites once, links it to both posts, and keeps it unreadable without the key', async () => {
    const secret = Buffer.from(
      `nom;nir\nDupont;2 84 05 2A 123 456 78\n${'Martin;1 75 12 75 987 654 32\n'.repeat(2000)}`,
    );
    const hostA = harness.serve(fixtureSite({ '/files/patients.csv': fileRoute(secret).route }));
    const hostB = harness.serve(fixtureSite({ '/dl/copie.csv': fileRoute(secret).route }));
    const postA = await seedPost(test.database.db, 'site-a', hostA, [`http://${hostA}/files/patients.csv`]);
    const postB = await seedPost(test.database.db, 'site-b', hostB, [`http://${hostB}/dl/copie.csv`]);
    const run = pipelineHarness(test.database.db, agents);
    await run.drain();
    const [a] = await listDocuments(test.database.db, { postId: postA });
    const [b] = await listDocuments(test.database.db, { postId: postB });
    expect(a?.id).toBe(b?.id);
    expect(a?.status).toBe('extracted');
    expect(a?.sources.map((source) => [source.siteId, source.url])).toEqual([
      ['site-a', `http://${hostA}/files/patients.csv`],
      ['site-b', `http://${hostB}/dl/copie.csv`],
    ]);
    const links = await test.database.db
      .select()
      .from(postDocuments)
      .where(eq(postDocuments.documentId, a?.id as number));
    expect(links).toHaveLength(2);
    const stored = blobs(run.evidenceDir);
    expect(stored).toHaveLength(1);
    const raw = readFileSync(stored[0] as string);
    expect(raw.includes(Buffer.from('2 84 05 2A'))).toBe(false);
    expect(raw.includes(Buffer.from('Dupont'))).toBe(false);
    const otherKey = new LocalEvidenceStore(
      run.evidenceDir,
      deriveKey('q'.repeat(40), 'evidence-encryption'),
    );
    await expect(otherKey.get(a?.sha256 as string)).rejects.toThrow(/cannot be decrypted/);
    expect((await run.deps.evidence.get(a?.sha256 as string)).equals(secret)).toBe(true);
    // Read as soon as the first copy was stored, and again once the second post linked it (or once, with both).
    expect(run.consumer.calls.get(a?.id as number)?.at(-1)).toEqual([postA, postB]);
    const callsBefore = run.consumer.calls.get(a?.id as number)?.length ?? 0;

    // Posted again later on a third site, after it was read: linked, and — this consumer keeps no findings to pass on
    // (no `linked`; the matcher has one, see shared-document.test.ts) — handed to matching again with all three.
    const hostC = harness.serve(fixtureSite({ '/again.csv': fileRoute(secret).route }));
    const postC = await seedPost(test.database.db, 'site-c', hostC, [`http://${hostC}/again.csv`]);
    await run.drain();
    const [c] = await listDocuments(test.database.db, { postId: postC });
    expect(c).toMatchObject({ id: a?.id, status: 'extracted' });
    expect(run.consumer.calls.get(a?.id as number)?.slice(callsBefore)).toEqual([[postA, postB, postC]]);
    expect(blobs(run.evidenceDir)).toHaveLength(1);
  });

  it('resumes a truncated download in a later pass from the bytes already stored', async () => {
    const big = Buffer.from(
      Array.from({ length: 30_000 }, (_, i) => `client${i}@example.fr;pass${i}\n`).join(''),
    );
    const file = fileRoute(big, { cutAfter: 400_000 });
    const host = harness.serve(fixtureSite({ '/dump.csv': file.route }));
    const postId = await seedPost(test.database.db, 'cut-site', host, [`http://${host}/dump.csv`]);
    const run = pipelineHarness(test.database.db, agents);
    run.deps.settings.download = { ...run.deps.settings.download, maxResumes: 0 };
    await run.drain();
    const [waiting] = await listDocuments(test.database.db, { postId });
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, downloadedBytes: 400_000 });
    expect(waiting?.error).toMatch(/transfer cut at 400000 of \d+ bytes/);
    run.now.value = new Date(run.now.value.getTime() + 3_600_000);
    await run.drain();
    const [done] = await listDocuments(test.database.db, { postId });
    expect(done).toMatchObject({ status: 'extracted', sizeBytes: big.length, counts: { rows: 30_000 } });
    expect(file.ranges).toEqual(['', 'bytes=393216-']);
  });

  it('claims fairly across sites: a site with many files does not hold back the others', async () => {
    const many = randomOnionHost();
    const one = randomOnionHost();
    await seedPost(
      test.database.db,
      'busy-site',
      many,
      [1, 2, 3, 4, 5].map((n) => `http://${many}/f${n}.csv`),
    );
    await seedPost(test.database.db, 'quiet-site', one, [`http://${one}/only.csv`]);
    const claims = await claimDocuments(test.database.db, 'download', {
      worker: 'w1',
      leaseMs: 60_000,
      limit: 2,
      perSite: 1,
    });
    expect(claims.map((claim) => claim.siteId).sort()).toEqual(['busy-site', 'quiet-site']);
    const more = await claimDocuments(test.database.db, 'download', {
      worker: 'w2',
      leaseMs: 60_000,
      limit: 5,
      perSite: 1,
    });
    expect(more).toEqual([]); // each site already has its one download in progress
    await test.database.db
      .update(documents)
      .set({ status: 'failed', leaseOwner: null })
      .where(eq(documents.status, 'downloading'));
    await test.database.db.update(documents).set({ status: 'failed' }).where(eq(documents.status, 'pending'));
  });
});
