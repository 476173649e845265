import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { makeTar, makeZip } from '../support/documents/archive-writers.ts';
import { deflateBomb, gzipBomb } from '../support/documents/bombs.ts';
import { extractAll } from '../support/documents/collect.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';

const report = (n: number) =>
  makePdf([
    { lines: [`Bilan ${n}`] },
    { lines: [`Patient ${n} : Hélène Dupont`, 'NIR 2 84 05 2A 123 456 78'] },
  ]);
const SMALL_LIMITS = { ratioFloorBytes: 1024 * 1024, maxRatio: 100 };

function files(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('nested archives', () => {
  it('reads a ZIP of PDFs inside a TAR.GZ, each page located by its path in the archives', async () => {
    const zip = makeZip([
      { name: 'bilans/bilan_07.pdf', data: report(7) },
      { name: 'bilans/bilan_08.pdf', data: report(8), method: 'store' },
    ]);
    const tgz = gzipSync(
      await makeTar([
        { name: 'leak/', type: 'directory' },
        { name: 'leak/rapports.zip', data: zip },
        { name: 'leak/clients.csv', data: 'email;nom\nhelene@example.fr;Dupont\n' },
      ]),
    );
    const { records, summary } = await extractAll({ name: 'dump.tar.gz', bytes: tgz });
    expect(summary.status).toBe('extracted');
    expect(summary.kind).toBe('gzip');
    expect(summary.kinds).toEqual(['gzip', 'tar', 'zip', 'pdf', 'pdf', 'csv']);
    expect(summary.counts).toMatchObject({ entries: 4, pages: 4, rows: 1 });
    expect(records.map((record) => record.location)).toEqual([
      { document: 'dump.tar.gz/leak/rapports.zip/bilans/bilan_07.pdf', page: 1 },
      { document: 'dump.tar.gz/leak/rapports.zip/bilans/bilan_07.pdf', page: 2 },
      { document: 'dump.tar.gz/leak/rapports.zip/bilans/bilan_08.pdf', page: 1 },
      { document: 'dump.tar.gz/leak/rapports.zip/bilans/bilan_08.pdf', page: 2 },
      { document: 'dump.tar.gz/leak/clients.csv', row: 2 },
    ]);
    expect(records[1]?.text).toContain('Patient 7 : Hélène Dupont');
  });

  it('spools a large entry that needs random access encrypted, and leaves nothing behind', async () => {
    const marker = 'PLAINTEXT-MARKER-helene.dupont@example.fr';
    const csv = Array.from({ length: 20_000 }, (_, i) => `${marker}-${i};x`).join('\n');
    const tar = await makeTar([
      { name: 'inner.zip', data: makeZip([{ name: 'big.csv', data: csv, method: 'store' }]) },
    ]);
    const parent = mkdtempSync(join(tmpdir(), 'lw-extract-test-'));
    const extraction = extractDocument(
      { name: 'x.tar', bytes: tar },
      { tempDir: parent, limits: { maxInMemoryBytes: 64 * 1024 } },
    );
    let checked = false;
    let rows = 0;
    for await (const _ of extraction.records) {
      rows++;
      if (checked) continue;
      checked = true;
      const spooled = files(parent);
      expect(spooled.length).toBeGreaterThan(0); // the ZIP went to the spool, not to memory
      for (const file of spooled)
        expect(readFileSync(file).includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    }
    expect(rows).toBe(20_000);
    expect(files(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('hostile archives', () => {
  it('rejects a zip bomb by its declared compression ratio before inflating it', async () => {
    const bomb = makeZip([
      { name: 'zeros.bin', data: Buffer.alloc(8 * 1024 * 1024) },
      { name: 'a.txt', data: 'hello' },
    ]);
    expect(bomb.length).toBeLessThan(100_000);
    const { records, summary } = await extractAll(
      { name: 'bomb.zip', bytes: bomb },
      { limits: SMALL_LIMITS },
    );
    expect(summary.status).toBe('rejected');
    expect(summary.error).toMatch(
      /zip bomb: bomb\.zip\/zeros\.bin declares 8388608 bytes from \d+ \(ratio over 100:1\)/,
    );
    expect(records).toEqual([]);
    expect(summary.counts.inflatedBytes).toBe(0);
  });

  it('stops an entry whose real size exceeds what it declared, and a gzip bomb while inflating', async () => {
    const liar = makeZip([
      { name: 'small.txt', data: Buffer.alloc(4 * 1024 * 1024, 0x61), declaredSize: 100 },
      { name: 'ok.txt', data: 'fine' },
    ]);
    const lying = await extractAll({ name: 'liar.zip', bytes: liar }, { limits: SMALL_LIMITS });
    expect(lying.records.map((record) => record.text)).toEqual(['fine']);
    expect(lying.summary.warnings.join('\n')).toMatch(/liar\.zip\/small\.txt: .*too many bytes/);
    expect(lying.summary.counts.inflatedBytes).toBeLessThan(1024 * 1024);

    const gz = await extractAll(
      { name: 'zeros.gz', bytes: gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)) },
      { limits: SMALL_LIMITS },
    );
    expect(gz.summary.status).toBe('rejected');
    expect(gz.summary.error).toMatch(/decompression bomb: zeros\.gz inflates more than 100 times/);
    expect(gz.summary.counts.inflatedBytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('rejects a gzip bomb whose inflater is still being fed, and returns (finding 14.1)', async () => {
    // 256 MB in ~250 KB: the feeder is parked on the inflater's drain when the reader gives up and destroys it.
    const zeros = await extractAll(
      { name: 'zeros.csv.gz', bytes: await gzipBomb(256 * 1024 * 1024) },
      { limits: SMALL_LIMITS },
    );
    expect(zeros.summary).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/zeros\.csv\.gz/),
    });
    const spaces = await gzipBomb(256 * 1024 * 1024, 0x20);
    const { summary } = await extractAll({ name: 'clients.csv.gz', bytes: spaces }, { limits: SMALL_LIMITS });
    expect(summary.status).toBe('rejected');
    expect(summary.error).toMatch(/decompression bomb: clients\.csv\.gz inflates more than 100 times/);
    const inTar = await makeTar([{ name: 'dump.csv.gz', data: spaces }]);
    const nested = await extractAll({ name: 'x.tar', bytes: inTar }, { limits: SMALL_LIMITS });
    expect(nested.summary.error).toMatch(/decompression bomb: x\.tar\/dump\.csv\.gz inflates more than 100/);
  });

  it('rejects a PDF whose content stream is a decompression bomb before pdf.js inflates it (finding 14.2)', async () => {
    const bomb = makePdf([{ lines: ['Bilan'] }, { deflatedContent: await deflateBomb(64 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200_000);
    const { records, summary } = await extractAll(
      { name: 'bilan.pdf', bytes: bomb },
      { limits: SMALL_LIMITS },
    );
    expect(summary.status).toBe('rejected');
    expect(summary.error).toMatch(
      /^PDF stream bomb: bilan\.pdf object \d+ inflates more than 100 times its compressed size$/,
    );
    expect(records).toEqual([]);
    const big = await extractAll(
      { name: 'big.pdf', bytes: bomb },
      { limits: { ...SMALL_LIMITS, maxRatio: 100_000, maxPdfBytes: 8 * 1024 * 1024 } },
    );
    expect(big.summary.error).toMatch(/^PDF stream bomb: big\.pdf object \d+ inflates past 8388608 bytes/);
    // A PDF with ordinary compressed streams is read as before.
    const fine = makePdf([
      { lines: ['Patient Hélène'] },
      { deflatedContent: deflateSync('BT /F1 11 Tf 50 700 Td (NIR 284) Tj ET') },
    ]);
    const read = await extractAll({ name: 'ok.pdf', bytes: fine }, { limits: SMALL_LIMITS });
    expect(read.summary.status).toBe('extracted');
    expect(read.records.map((record) => record.text)).toEqual(['Patient Hélène', 'NIR 284']);
  });

  it('returns from a TAR given up half-read (too many entries) while its parser is still being fed', async () => {
    const entry = Buffer.alloc(200_000, 0x61);
    const tar = await makeTar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.txt`, data: entry })));
    const { summary } = await extractAll({ name: 'many.tar', bytes: tar }, { limits: { maxEntries: 3 } });
    expect(summary).toMatchObject({
      status: 'rejected',
      error: 'archive bomb: more than 3 entries (at many.tar/f3.txt)',
    });
  });

  it('enforces the total size, entry count and nesting depth limits', async () => {
    const chunk = Buffer.from(
      Array.from({ length: 60_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join(''),
    );
    const heavy = makeZip([1, 2, 3].map((n) => ({ name: `part${n}.txt`, data: chunk })));
    const total = await extractAll(
      { name: 'heavy.zip', bytes: heavy },
      { limits: { maxUncompressedBytes: 100_000 } },
    );
    expect(total.summary).toMatchObject({ status: 'rejected' });
    expect(total.summary.error).toMatch(
      /heavy\.zip declares 180000 bytes uncompressed, past the 100000-byte limit/,
    );

    const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.txt`, data: `line ${i}` })));
    const count = await extractAll({ name: 'many.zip', bytes: many }, { limits: { maxEntries: 20 } });
    expect(count.summary.error).toBe('archive bomb: many.zip holds 30 entries (limit 20)');

    let nested = makeZip([{ name: 'deep.txt', data: 'bottom' }]);
    for (let level = 4; level >= 1; level--)
      nested = makeZip([
        { name: `level${level}.zip`, data: nested },
        { name: `note${level}.txt`, data: `level ${level}` },
      ]);
    const deep = await extractAll({ name: 'nested.zip', bytes: nested }, { limits: { maxDepth: 3 } });
    expect(deep.records.map((record) => record.text)).toEqual(['level 3', 'level 2', 'level 1']);
    expect(deep.summary.warnings.join('\n')).toMatch(
      /archive nesting deeper than 3 levels at nested\.zip\/level1\.zip\/level2\.zip\/level3\.zip: not extracted/,
    );
  });

  it('skips traversal, absolute and symlink entries by name, and extracts the rest', async () => {
    const zip = makeZip([
      { name: '../../../etc/cron.d/evil', data: 'pwned' },
      { name: '/root/.ssh/authorized_keys', data: 'ssh-rsa AAA' },
      { name: 'C:\\Windows\\evil.txt', data: 'x' },
      { name: 'docs/link', data: '/etc/shadow', symlink: true },
      { name: 'docs/clients.txt', data: 'helene@example.fr' },
    ]);
    const { records, summary } = await extractAll({ name: 'mixed.zip', bytes: zip });
    expect(records).toEqual([
      { text: 'helene@example.fr', location: { document: 'mixed.zip/docs/clients.txt', line: 1 } },
    ]);
    expect(summary.status).toBe('extracted');
    expect(summary.counts.skippedEntries).toBe(4);
    expect(summary.warnings).toEqual([
      'mixed.zip: entry skipped, path traversal "../../../etc/cron.d/evil"',
      'mixed.zip: entry skipped, absolute path "/root/.ssh/authorized_keys"',
      'mixed.zip: entry skipped, absolute path "C:/Windows/evil.txt"',
      'mixed.zip: entry skipped, symbolic link "docs/link"',
    ]);

    const tar = await makeTar([
      { name: '../escape.txt', data: 'no' },
      { name: 'passwd', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'ok.txt', data: 'yes' },
    ]);
    const fromTar = await extractAll({ name: 'x.tar', bytes: tar });
    expect(fromTar.records.map((record) => record.text)).toEqual(['yes']);
    expect(fromTar.summary.warnings).toEqual([
      'x.tar: entry skipped, path traversal "../escape.txt"',
      'x.tar: entry skipped, symbolic link "passwd" → /etc/passwd',
    ]);
  });

  it('records encrypted ZIPs as password_protected, still reading what is not encrypted', async () => {
    const locked = makeZip([{ name: 'patients.csv', data: 'nom;nir\nDupont;2840', encrypted: true }]);
    const all = await extractAll({ name: 'locked.zip', bytes: locked });
    expect(all.summary).toMatchObject({
      status: 'password_protected',
      error: 'locked.zip: 1 of 1 entries are encrypted, a password is needed to read them',
    });
    const mixed = makeZip([
      { name: 'secret.txt', data: 'x', encrypted: true },
      { name: 'readme.txt', data: 'password is on the forum' },
    ]);
    const partly = await extractAll({ name: 'mixed.zip', bytes: mixed });
    expect(partly.summary.status).toBe('password_protected');
    expect(partly.records.map((record) => record.text)).toEqual(['password is on the forum']);
  });

  it('records truncated archives as failed, and files that lie about their type by what they are', async () => {
    const zip = makeZip([{ name: 'a.txt', data: 'a'.repeat(5000), method: 'store' }]);
    const truncated = await extractAll({ name: 'cut.zip', bytes: zip.subarray(0, 3000) });
    expect(truncated.summary.status).toBe('failed');
    expect(truncated.summary.error).toMatch(/cut\.zip: not a readable ZIP archive, truncated or corrupt/);
    const tgz = gzipSync(await makeTar([{ name: 'a.txt', data: 'x'.repeat(10_000) }]));
    const cutGzip = await extractAll({ name: 'cut.tgz', bytes: tgz.subarray(0, tgz.length - 30) });
    expect(cutGzip.summary.status).toBe('failed');
    expect(cutGzip.summary.error).toMatch(
      /cut\.tgz: (truncated or corrupt gzip data|truncated or corrupt TAR)/,
    );

    const disguised = makeZip([{ name: 'clients.csv', data: 'email,password\na@b.fr,123\n' }]);
    const liar = await extractAll({ name: 'facture.pdf', bytes: disguised });
    expect(liar.summary).toMatchObject({ status: 'extracted', kind: 'zip' });
    expect(liar.summary.warnings).toEqual(['facture.pdf is named .pdf but its content is zip (read as zip)']);
    expect(liar.records[0]?.cells).toEqual(['a@b.fr', '123']);
    const exe = await extractAll({
      name: 'readme.txt',
      bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(500)]),
    });
    expect(exe.summary).toMatchObject({
      status: 'rejected',
      error: 'readme.txt: executable program (PE/ELF/Mach-O): not extracted',
    });
  });
});
