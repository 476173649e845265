import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { sniffKind } from '../../src/extract/sniff.ts';
import { makeDocx, makeXlsx } from '../support/documents/archive-writers.ts';
import { extractAll } from '../support/documents/collect.ts';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('plain text and CSV', () => {
  it('reads a Latin-1 credential CSV separated by ";" with its header, quotes and a line break in a cell', async () => {
    const csv = latin1(
      'Email;Mot de passe;Nom;Date de naissance\r\n' +
        'helene.dupont@example.fr;Soleil2019!;Hélène Dupont;12/03/1984\r\n' +
        'francois.leger@example.fr;"pa;ss""word";"François\nLéger";01/02/1990\r\n' +
        ';;;\r\n' +
        'zoe@example.fr;azerty;Zoé Müller;30/11/1975\r\n',
    );
    const { records, summary } = await extractAll({ name: 'clients.csv', bytes: csv });
    expect(summary).toMatchObject({ status: 'extracted', kind: 'csv', encoding: 'windows-1252' });
    expect(summary.dialect).toBe('semicolon-separated, with a header row');
    expect(summary.counts.rows).toBe(3);
    expect(records.map((record) => record.location)).toEqual([
      { document: 'clients.csv', row: 2 },
      { document: 'clients.csv', row: 3 },
      { document: 'clients.csv', row: 5 },
    ]);
    expect(records[0]?.headers).toEqual(['Email', 'Mot de passe', 'Nom', 'Date de naissance']);
    expect(records[0]?.cells).toEqual([
      'helene.dupont@example.fr',
      'Soleil2019!',
      'Hélène Dupont',
      '12/03/1984',
    ]);
    expect(records[1]?.cells).toEqual([
      'francois.leger@example.fr',
      'pa;ss"word',
      'François\nLéger',
      '01/02/1990',
    ]);
    expect(records[2]?.text).toBe('zoe@example.fr\tazerty\tZoé Müller\t30/11/1975');
  });

  it('tells a header from data, and reads tab-separated UTF-8 with a BOM', async () => {
    const noHeader = await extractAll({
      name: 'combo.csv',
      bytes: Buffer.from('a@x.fr,123456\nb@y.fr,password1\n'),
    });
    expect(noHeader.records[0]).toMatchObject({ cells: ['a@x.fr', '123456'], location: { row: 1 } });
    expect(noHeader.records[0]?.headers).toBeUndefined();
    const tsv = await extractAll({
      name: 'x.tsv',
      bytes: Buffer.from('\uFEFFlogin\tphone\njdupont\t+33 6 12 34 56 78\n'),
    });
    expect(tsv.summary.encoding).toBe('utf-8');
    expect(tsv.records).toEqual([
      {
        text: 'jdupont\t+33 6 12 34 56 78',
        cells: ['jdupont', '+33 6 12 34 56 78'],
        headers: ['login', 'phone'],
        location: { document: 'x.tsv', row: 2 },
      },
    ]);
  });

  it('detects UTF-16 and Windows-1251, and numbers the lines of plain text', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('Patient : Hélène\r\n\r\nNIR 2 84 05 2A 123 456 78\n', 'utf16le'),
    ]);
    const { records, summary } = await extractAll({ name: 'notes.txt', bytes: utf16 });
    expect(summary.encoding).toBe('utf-16le');
    expect(records).toEqual([
      { text: 'Patient : Hélène', location: { document: 'notes.txt', line: 1 } },
      { text: 'NIR 2 84 05 2A 123 456 78', location: { document: 'notes.txt', line: 3 } },
    ]);
    const cp1251 = Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xee, 0xe2, 0x20, 0xc8, 0xe2, 0xe0, 0xed, 0x0a]);
    const cyrillic = await extractAll({ name: 'ru.txt', bytes: cp1251 });
    expect(cyrillic.summary.encoding).toBe('windows-1251');
    expect(cyrillic.records[0]?.text).toBe('Иванов Иван');
  });

  it('cuts a never-closed quote at the record limit instead of reading the rest of the file into one cell', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `user${i}@x.fr,secret${i}`).join('\n');
    const csv = Buffer.from(`email,password\nfirst@x.fr,"unclosed\n${rows}\n`);
    const { records, summary } = await extractAll(
      { name: 'bad.csv', bytes: csv },
      { limits: { maxRecordChars: 500 } },
    );
    expect(summary.status).toBe('extracted');
    expect(summary.warnings.join('\n')).toMatch(/unclosed quote/);
    expect(records.some((record) => record.cells?.[0] === 'user199@x.fr')).toBe(true);
  });

  it('stops reading when the consumer stops', async () => {
    const big = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n'));
    const extraction = extractDocument({ name: 'big.txt', bytes: big });
    let seen = 0;
    for await (const _ of extraction.records) if (++seen === 10) break;
    // Records are made a chunk at a time: the rest of the file was never read.
    expect(extraction.summary().counts.records).toBeLessThan(10_000);
  });
});

describe('JSON, SQL, HTML and office files', () => {
  it('reads the rows of a JSON export under its top-level keys, and NDJSON line by line', async () => {
    const json = JSON.stringify({
      exported: '2024-05-01',
      patients: [
        { nom: 'Dupont', prenom: 'Hélène', nir: '2 84 05 2A 123 456 78', adresse: { ville: 'Lyon' } },
        { nom: 'Martin', prenom: 'Paul', nir: null },
      ],
    });
    const { records } = await extractAll({ name: 'export.json', bytes: Buffer.from(json) });
    expect(records).toEqual([
      {
        text: 'exported: 2024-05-01',
        cells: ['2024-05-01'],
        location: { document: 'export.json', sheet: 'exported' },
      },
      {
        text: 'Dupont\tHélène\t2 84 05 2A 123 456 78\tLyon',
        cells: ['Dupont', 'Hélène', '2 84 05 2A 123 456 78', 'Lyon'],
        headers: ['nom', 'prenom', 'nir', 'adresse.ville'],
        location: { document: 'export.json', sheet: 'patients', row: 1 },
      },
      {
        text: 'Martin\tPaul\t',
        cells: ['Martin', 'Paul', ''],
        headers: ['nom', 'prenom', 'nir'],
        location: { document: 'export.json', sheet: 'patients', row: 2 },
      },
    ]);
    const ndjson = await extractAll({
      name: 'x.jsonl',
      bytes: Buffer.from('{"email":"a@b.fr"}\n{"email":"c@d.fr"}\n'),
    });
    expect(ndjson.summary.kind).toBe('ndjson');
    expect(ndjson.records.map((record) => [record.cells, record.location.row])).toEqual([
      [['a@b.fr'], 1],
      [['c@d.fr'], 2],
    ]);
  });

  it('reads INSERT tuples (with CREATE TABLE column names) and COPY blocks of SQL dumps', async () => {
    const sql = [
      '-- MySQL dump 10.13',
      '/*!40101 SET NAMES utf8 */;',
      'CREATE TABLE `customers` (',
      '  `id` int(11) NOT NULL AUTO_INCREMENT,',
      '  `email` varchar(255) DEFAULT NULL,',
      '  `password` char(60),',
      '  PRIMARY KEY (`id`), KEY `email` (`email`)',
      ') ENGINE=InnoDB;',
      "INSERT INTO `customers` VALUES (1,'helene@example.fr','$2y$10$abc;def'),(2,'o''brien@example.fr',NULL);",
      "INSERT INTO `customers` (`id`, `email`) VALUES (3, 'x\\'y@example.fr');",
      'COPY public.patients (nom, nir) FROM stdin;',
      'Dupont\t2 84 05 2A 123 456 78',
      'Martin\t\\N',
      '\\.',
      '',
    ].join('\n');
    const { records, summary } = await extractAll({ name: 'shop.sql', bytes: Buffer.from(sql) });
    expect(summary.kind).toBe('sql');
    expect(
      records.map((record) => [record.location.sheet, record.location.row, record.cells, record.headers]),
    ).toEqual([
      ['customers', 1, ['1', 'helene@example.fr', '$2y$10$abc;def'], ['id', 'email', 'password']],
      ['customers', 2, ['2', "o'brien@example.fr", ''], ['id', 'email', 'password']],
      ['customers', 3, ['3', "x'y@example.fr"], ['id', 'email']],
      ['public.patients', 1, ['Dupont', '2 84 05 2A 123 456 78'], ['nom', 'nir']],
      ['public.patients', 2, ['Martin', ''], ['nom', 'nir']],
    ]);
    expect(records[0]?.location.line).toBe(9);
  });

  it('reads HTML tables as rows and the rest as lines, without scripts', async () => {
    const html =
      '<!doctype html><html><head><meta charset="windows-1252"><script>var x="hidden"</script></head><body><h1>R\xe9sultats</h1><table><tr><th>Nom</th><th>NIR</th></tr><tr><td>Dupont</td><td>2 84 05 2A 123 456 78</td></tr></table></body></html>';
    const { records } = await extractAll({ name: 'page.html', bytes: latin1(html) });
    expect(records.map((record) => record.text)).toEqual(['Dupont\t2 84 05 2A 123 456 78', 'Résultats']);
    expect(records[0]).toMatchObject({ headers: ['Nom', 'NIR'], location: { sheet: 'table 1', row: 2 } });
  });

  it('reads DOCX paragraphs and table rows, XLSX rows with dates as dates', async () => {
    const docx = makeDocx(
      ['Compte rendu', 'Patiente : Hélène Dupont'],
      [
        ['Nom', 'NIR'],
        ['Dupont', '2 84 05 2A 123 456 78'],
      ],
    );
    const word = await extractAll({ name: 'cr.docx', bytes: docx });
    expect(word.summary.kind).toBe('docx');
    expect(word.records.map((record) => [record.text, record.location])).toEqual([
      ['Compte rendu', { document: 'cr.docx', line: 1 }],
      ['Patiente : Hélène Dupont', { document: 'cr.docx', line: 2 }],
      ['Nom\tNIR', { document: 'cr.docx', sheet: 'table 1', row: 1 }],
      ['Dupont\t2 84 05 2A 123 456 78', { document: 'cr.docx', sheet: 'table 1', row: 2 }],
    ]);
    const xlsx = makeXlsx('Patients', [
      ['Nom', 'Prénom', 'Naissance', 'Dossier'],
      ['Dupont', 'Hélène', { date: 31_118 }, 4021],
      ['Martin', 'Paul', { date: 25_569 }, 4022],
    ]);
    const sheet = await extractAll({ name: 'patients.xlsx', bytes: xlsx });
    expect(sheet.summary.kind).toBe('xlsx');
    expect(sheet.records.map((record) => [record.cells, record.location])).toEqual([
      [['Dupont', 'Hélène', '1985-03-12', '4021'], { document: 'patients.xlsx', sheet: 'Patients', row: 2 }],
      [['Martin', 'Paul', '1970-01-01', '4022'], { document: 'patients.xlsx', sheet: 'Patients', row: 3 }],
    ]);
    expect(sheet.records[0]?.headers).toEqual(['Nom', 'Prénom', 'Naissance', 'Dossier']);
  });

  it('sniffs kinds from bytes, not names', () => {
    expect(sniffKind(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffKind(Buffer.from('MZ\x90\x00', 'latin1'))).toBe('executable');
    expect(sniffKind(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniffKind(Buffer.from('Rar!\x1a\x07\x00', 'latin1'))).toBe('rar');
    expect(sniffKind(Buffer.from('just a note\nwith two lines\n'))).toBe('text');
    expect(sniffKind(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 9, 200, 3, 1, 0]))).toBe('binary');
  });
});
