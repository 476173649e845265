import { existsSync, readdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPendingDocuments } from '../../src/documents/queue.ts';
import { pruneRawFiles } from '../../src/documents/retention.ts';
import { createOcrEngine, DEFAULT_OCR_OPTIONS } from '../../src/extract/ocr.ts';
import { claimDocuments, listDocuments } from '../../src/store/documents.repository.ts';
import { documents } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { makeZip } from '../support/documents/archive-writers.ts';
import { gzipBomb } from '../support/documents/bombs.ts';
import { fileRoute } from '../support/documents/file-routes.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';
import { pipelineHarness, seedPost } from '../support/documents/pipeline-harness.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
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

const MB = 1024 * 1024;

describe.each(DRIVERS)('hostile posted files on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.close());

  it('gives each hostile file a status with a clear error, and the worker goes on with the others', async () => {
    const files: Record<string, Buffer> = {
      'bomb.zip': makeZip([{ name: 'zeros.bin', data: Buffer.alloc(12 * MB) }]),
      'traversal.zip': makeZip([
        { name: '../../../../etc/cron.d/evil', data: 'x' },
        { name: 'clients.txt', data: 'helene@example.fr' },
      ]),
      'locked.zip': makeZip([{ name: 'patients.csv', data: 'nom;nir', encrypted: true }]),
      'setup.pdf': Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2000, 1)]),
      'huge.csv': Buffer.alloc(3 * MB, 0x61),
      'scan.pdf': makePdf([{ image: { width: 16, height: 16, gray: Buffer.alloc(256, 0) } }]),
      'good.csv': Buffer.from('email,password\nzoe@example.fr,azerty\n'),
    };
    const routes = Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [`/f/${name}`, fileRoute(bytes).route]),
    );
    const host = harness.serve(fixtureSite(routes));
    const urls = [
      ...Object.keys(files).map((name) => `http://${host}/f/${name}`),
      `http://${host}/f/missing.csv`,
      'http://example.com/dump.csv',
    ];
    const postId = await seedPost(test.database.db, 'hostile-site', host, urls);
    const run = pipelineHarness(test.database.db, agents, { maxFileBytes: 2 * MB, maxAttempts: 1 });
    run.deps.ocr = createOcrEngine({ ...DEFAULT_OCR_OPTIONS, tesseract: '/nonexistent/tesseract' });
    await run.drain();
    const rows = new Map((await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]));
    const outcome = (name: string) => ({ status: rows.get(name)?.status, error: rows.get(name)?.error });
    expect(outcome('bomb.zip')).toEqual({
      status: 'rejected',
      error: expect.stringMatching(/^zip bomb: bomb\.zip\/zeros\.bin declares 12582912 bytes/),
    });
    expect(outcome('traversal.zip')).toEqual({ status: 'extracted', error: null });
    expect(rows.get('traversal.zip')?.warnings).toEqual([
      'traversal.zip: entry skipped, path traversal "../../../../etc/cron.d/evil"',
    ]);
    expect(outcome('locked.zip')).toEqual({
      status: 'password_protected',
      error: 'locked.zip: 1 of 1 entries are encrypted, a password is needed to read them',
    });
    expect(outcome('setup.pdf')).toEqual({
      status: 'rejected',
      error: expect.stringMatching(
        /setup\.pdf: executable program \(PE\/ELF\/Mach-O\): not extracted \(not downloaded\)$/,
      ),
    });
    expect(outcome('huge.csv')).toEqual({
      status: 'too_large',
      error: expect.stringMatching(/huge\.csv is 3145728 bytes or more, past the 2097152-byte limit/),
    });
    expect(outcome('scan.pdf')).toEqual({
      status: 'needs_ocr',
      error: expect.stringMatching(/scan\.pdf: page\(s\) 1 have no text layer .*Tesseract is not installed/),
    });
    expect(outcome('missing.csv')).toEqual({
      status: 'failed',
      error: expect.stringMatching(/missing\.csv answered HTTP 404/),
    });
    expect(outcome('dump.csv')).toEqual({
      status: 'rejected',
      error: expect.stringMatching(/only \.onion links are downloaded/),
    });
    expect(outcome('good.csv')).toMatchObject({ status: 'extracted' });
    expect(run.consumer.records.get(rows.get('good.csv')?.id as number)?.[0]?.cells).toEqual([
      'zoe@example.fr',
      'azerty',
    ]);
    // Refused and failed downloads leave no partial file behind.
    expect(readdirSync(`${run.evidenceDir}/uploads`)).toEqual([]);
  });

  it('rejects a gzip bomb and goes on with the next file (finding 14.1)', async () => {
    const host = harness.serve(
      fixtureSite({
        '/clients.csv.gz': fileRoute(await gzipBomb(256 * MB, 0x20)).route,
        '/good.csv': fileRoute(Buffer.from('email\nbomb-neighbour@example.fr\n')).route,
      }),
    );
    const postId = await seedPost(test.database.db, 'gzip-bomb-site', host, [
      `http://${host}/clients.csv.gz`,
      `http://${host}/good.csv`,
    ]);
    const run = pipelineHarness(test.database.db, agents, { maxAttempts: 1 });
    run.deps.settings.extract = { ...run.deps.settings.extract, ratioFloorBytes: MB, maxRatio: 100 };
    await run.drain();
    const rows = new Map((await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]));
    expect(rows.get('clients.csv.gz')).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/^decompression bomb: clients\.csv\.gz inflates more than 100 times/),
    });
    expect(rows.get('good.csv')).toMatchObject({ status: 'extracted', error: null });
  });

  it('rejects a file whose extractions never finished (workers killed), and never claims it again', async () => {
    const host = harness.serve(
      fixtureSite({ '/poison.csv': fileRoute(Buffer.from('a,b\npoison,2\n')).route }),
    );
    const postId = await seedPost(test.database.db, 'poison-site', host, [`http://${host}/poison.csv`]);
    const run = pipelineHarness(test.database.db, agents, { maxAttempts: 1 });
    await processPendingDocuments(run.deps, { extractLimit: 0 });
    // Three workers take it in turn and die (OOM-killed): nothing is recorded, only their leases run out.
    for (let killed = 0; killed < run.deps.settings.budget.maxAttempts; killed++) {
      const claims = await claimDocuments(test.database.db, 'extract', {
        worker: `doomed-${killed}`,
        leaseMs: 1000,
        limit: 1,
        perSite: 1,
        now: run.now.value,
      });
      expect(claims).toMatchObject([{ extractAttempts: killed + 1 }]);
      run.now.value = new Date(run.now.value.getTime() + 2000);
    }
    await run.drain();
    const [row] = await listDocuments(test.database.db, { postId });
    expect(row).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(
        /^extraction started 3 times and never finished \(the worker crashed or was killed/,
      ),
    });
    expect(run.consumer.records.has(row?.id as number)).toBe(false);
    run.now.value = new Date(run.now.value.getTime() + 86_400_000);
    const again = await claimDocuments(test.database.db, 'extract', {
      worker: 'later',
      leaseMs: 1000,
      limit: 10,
      perSite: 10,
      now: run.now.value,
    });
    expect(again.map((claim) => claim.id)).not.toContain(row?.id);
  });

  it('stops an extraction past its time budget, rejects the file, and reads the next (budget)', async () => {
    const rows = Buffer.from('helene.dupont@example.fr;Soleil2019;Dupont\n');
    const host = harness.serve(
      fixtureSite({
        '/endless.csv.gz': fileRoute(await gzipBomb(512 * MB, rows)).route,
        '/after.csv': fileRoute(Buffer.from('email\nafter-the-slow-one@example.fr\n')).route,
      }),
    );
    const postId = await seedPost(test.database.db, 'slow-file-site', host, [
      `http://${host}/endless.csv.gz`,
      `http://${host}/after.csv`,
    ]);
    const run = pipelineHarness(test.database.db, agents, { maxAttempts: 1 });
    // Not a bomb by ratio: only the time budget can stop it (about a minute of work).
    run.deps.settings.extract = { ...run.deps.settings.extract, maxRatio: 100_000 };
    run.deps.settings.budget = { ...run.deps.settings.budget, wallMs: 3000 };
    await run.drain();
    const byName = new Map((await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]));
    expect(byName.get('endless.csv.gz')).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(
        /^endless\.csv\.gz: extraction stopped, past its time budget of 3 s \(documents\.budget\.extractSeconds\) \(at endless\.csv\.gz row \d+\)$/,
      ),
    });
    expect(byName.get('after.csv')).toMatchObject({ status: 'extracted', error: null });
  });

  // One driver: the budget does not depend on it, and a thread dying at its heap limit takes a while (GC).
  it.runIf(driver === 'pglite')(
    'stops an extraction past its memory budget (an XLSX of 800 000 distinct strings), and reads the next',
    async () => {
      // The workbook's strings are held on the heap while its sheets are read: ~100 MB of them from a ~5 MB file.
      const strings = Array.from(
        { length: 1_500_000 },
        (_, i) => `<si><t>${String(i).padStart(60, 'x')}</t></si>`,
      );
      const workbook = makeZip([
        { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types/>' },
        {
          name: 'xl/workbook.xml',
          data: '<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
        },
        {
          name: 'xl/_rels/workbook.xml.rels',
          data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        },
        {
          name: 'xl/worksheets/sheet1.xml',
          data: '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
        },
        { name: 'xl/sharedStrings.xml', data: Buffer.from(`<sst>${strings.join('')}</sst>`) },
      ]);
      const host = harness.serve(
        fixtureSite({
          '/strings.xlsx': fileRoute(workbook).route,
          '/after-xlsx.csv': fileRoute(Buffer.from('email\nafter-the-big-workbook@example.fr\n')).route,
        }),
      );
      const postId = await seedPost(test.database.db, 'heavy-xlsx-site', host, [
        `http://${host}/strings.xlsx`,
        `http://${host}/after-xlsx.csv`,
      ]);
      const run = pipelineHarness(test.database.db, agents, { maxAttempts: 1 });
      run.deps.settings.budget = { ...run.deps.settings.budget, memoryMb: 64 };
      await run.drain();
      const byName = new Map(
        (await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]),
      );
      expect(byName.get('strings.xlsx')).toMatchObject({
        status: 'rejected',
        error: expect.stringMatching(
          /^strings\.xlsx: extraction stopped, past its memory budget of 64 MB of heap \(documents\.budget\.memoryMegabytes\)/,
        ),
      });
      expect(byName.get('after-xlsx.csv')).toMatchObject({ status: 'extracted', error: null });
    },
  );

  it('refuses a kind left out of documents.kinds with a clear status, and reads the allowed ones', async () => {
    const host = harness.serve(
      fixtureSite({
        '/report.pdf': fileRoute(makePdf([{ lines: ['Compte rendu'] }])).route,
        '/clients.csv': fileRoute(Buffer.from('email\nzoe@example.fr\n')).route,
      }),
    );
    const postId = await seedPost(test.database.db, 'kinds-site', host, [
      `http://${host}/report.pdf`,
      `http://${host}/clients.csv`,
    ]);
    const run = pipelineHarness(test.database.db, agents, { maxAttempts: 1 });
    const kinds = new Set(run.deps.settings.kinds);
    expect(kinds.delete('pdf')).toBe(true);
    run.deps.settings.kinds = kinds;
    await run.drain();
    const rows = new Map((await listDocuments(test.database.db, { postId })).map((row) => [row.name, row]));
    expect(rows.get('report.pdf')).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/report\.pdf: pdf files are not in documents\.kinds \(not downloaded\)$/),
    });
    expect(rows.get('clients.csv')).toMatchObject({ status: 'extracted', error: null });
  });

  it('keeps a post under its total size cap', async () => {
    const host = harness.serve(
      fixtureSite({
        '/a.csv': fileRoute(Buffer.alloc(600_000, 0x62)).route,
        '/b.csv': fileRoute(Buffer.alloc(600_000, 0x63)).route,
      }),
    );
    const postId = await seedPost(test.database.db, 'capped-site', host, [
      `http://${host}/a.csv`,
      `http://${host}/b.csv`,
    ]);
    const run = pipelineHarness(test.database.db, agents, { maxPostBytes: 1_000_000 });
    await run.drain();
    const rows = await listDocuments(test.database.db, { postId });
    expect(rows.map((row) => row.status).sort()).toEqual(['extracted', 'too_large']);
    expect(rows.find((row) => row.status === 'too_large')?.error).toMatch(
      /is 600000 bytes or more, past the 400000-byte limit for a file \(the post's other files already take 600000 of the 1000000 bytes allowed for one post\)/,
    );
  });

  it('deletes raw files after the retention period, keeping the document and its counts', async () => {
    const host = harness.serve(fixtureSite({ '/old.csv': fileRoute(Buffer.from('a,b\n1,2\n')).route }));
    const postId = await seedPost(test.database.db, 'retention-site', host, [`http://${host}/old.csv`]);
    const run = pipelineHarness(test.database.db, agents, { retentionDays: 30 });
    await run.drain();
    const [stored] = await listDocuments(test.database.db, { postId });
    const blob = `${run.evidenceDir}/${stored?.sha256?.slice(0, 2)}/${stored?.sha256?.slice(2, 4)}/${stored?.sha256}.lwe`;
    expect(existsSync(blob)).toBe(true);
    expect(await pruneRawFiles(run.deps)).toBe(0);
    run.now.value = new Date(Date.now() + 31 * 86_400_000);
    expect(await pruneRawFiles(run.deps)).toBeGreaterThanOrEqual(1);
    expect(existsSync(blob)).toBe(false);
    const [row] = await test.database.db
      .select()
      .from(documents)
      .where(eq(documents.id, stored?.id as number));
    expect(row).toMatchObject({ status: 'extracted', storageKey: null, counts: { rows: 1 } });
    expect(row?.rawDeletedAt).toBeInstanceOf(Date);
  });
});
