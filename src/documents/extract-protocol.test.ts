import { describe, expect, it } from 'vitest';
import type { TextRecord } from '../extract/text-record.ts';
import { pack, unpack } from './extract-protocol.ts';

describe('records packed for the thread boundary', () => {
  it('come back as they were: text, cells, shared headers, every kind of location, OCR', () => {
    const headers = ['email', 'nom'];
    const records: TextRecord[] = [
      {
        text: 'a@b.fr\tDupont',
        cells: ['a@b.fr', 'Dupont'],
        headers,
        location: { document: 'x.csv', row: 2 },
      },
      { text: 'z@b.fr\t', cells: ['z@b.fr', ''], headers, location: { document: 'x.csv', row: 3 } },
      { text: 'tab\tin\tcell', cells: ['tab\tin', 'cell'], location: { document: 'x.csv', row: 4 } },
      { text: '', cells: [''], location: { document: 'x.csv', row: 5 } },
      { text: '', cells: [], location: { document: 'x.csv', row: 6 } },
      {
        text: 'not the cells',
        cells: ['nul\u0000inside', 'é€😀'],
        location: { document: 'd.sql', sheet: 'users', row: 1 },
      },
      { text: 'Page de garde', location: { document: 'r.zip/b.pdf', page: 4 }, ocr: true },
      { text: '', location: { document: 'notes.txt', line: 9 } },
      { text: 'cell', cells: [], location: { document: 't.docx', sheet: 'table 1', row: 1 } },
    ];
    const back = unpack(pack(records));
    expect(back).toEqual(records);
    expect(back[0]?.headers).toBe(back[1]?.headers);
    expect(Object.keys(back[7] as object)).toEqual(['text', 'location']);
  });
});
