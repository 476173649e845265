import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'cheerio';
import { afterAll, describe, expect, it } from 'vitest';
import { onionAddressFor } from '../tor/onion-address.ts';
import { definitionStrategy, evaluateFolder, type ParseStrategy } from './evaluate.ts';
import { formatReport, reportJson } from './evaluate-report.ts';
import { defineSite } from './site-definition.ts';
import { SiteRegistry } from './site-registry.ts';

const cards = defineSite({
  id: 'cards',
  name: 'Cards',
  group: 'Cards',
  mirrors: [`http://${onionAddressFor(Buffer.alloc(32, 9))}`],
  listing: { posts: 'div.card', fields: { title: 'h2' } },
});
const registry = new SiteRegistry([cards]);

const html = (...titles: string[]) =>
  `<html><body><nav><a href="/">Home</a></nav>${titles.map((t) => `<div class="card"><h2>${t}</h2></div>`).join('')}</body></html>`;

const root = mkdtempSync(join(tmpdir(), 'leakwatch-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writePage(name: string, truth: unknown, body: string): void {
  mkdirSync(join(root, name));
  writeFileSync(join(root, name, 'truth.json'), JSON.stringify(truth));
  writeFileSync(join(root, name, 'page.html'), body);
}

// Pages written for this test.
writePage(
  'a-perfect',
  { group: 'cards', posts: [{ title: 'Azur Analyses Médicales' }, { title: 'Bois' }] },
  html('Azur  Analyses MÉDICALES', 'Bois'),
);
writePage(
  'b-missed',
  { group: 'cards', posts: [{ title: 'Rotor' }, { title: 'Clinique du Lac' }, { title: 'Scierie' }] },
  html('Rotor', 'Clinique du Lac', 'Contact us'),
);
writePage(
  'c-announcement',
  {
    group: 'CARDS',
    posts: [
      { title: 'Vins' },
      { title: 'Our rules', non_victim: true },
      { title: 'Tarifs', non_victim: true },
      { title: 'Lait' },
    ],
  },
  html('Vins', 'Our rules', 'Lait'),
);
writePage('d-wall', { group: 'cards', posts: [] }, html('Human verification'));
writePage('e-unknown', { group: 'nobody', posts: [{ title: 'Somewhere' }] }, html('Somewhere'));
writePage('f-empty-wall', { group: 'cards', posts: [] }, '<html><body><div id="root"></div></body></html>');

describe('evaluateFolder with the site definitions', () => {
  const report = evaluateFolder(root, { registry, strategy: definitionStrategy });
  const page = (name: string) => report.pages.find((p) => p.page === name);

  it('scores a perfect page 1/1 with case and whitespace folded', () => {
    expect(page('a-perfect')).toMatchObject({
      definition: 'cards',
      expected: 2,
      returned: 2,
      matched: 2,
      precision: 1,
      recall: 1,
    });
  });

  it('names the missed and the extra titles', () => {
    expect(page('b-missed')).toMatchObject({
      expected: 3,
      returned: 3,
      matched: 2,
      missed: ['Scierie'],
      extra: ['Contact us'],
    });
    expect(page('b-missed')?.precision).toBeCloseTo(2 / 3);
  });

  it('ignores announcements whether returned or not, and matches groups case-insensitively', () => {
    expect(page('c-announcement')).toMatchObject({
      expected: 2,
      returned: 2,
      matched: 2,
      ignored: 1,
      missed: [],
    });
  });

  it('lists a page without a definition without scoring it', () => {
    expect(page('e-unknown')).toMatchObject({ outcome: 'no_definition', definition: null, precision: null });
  });

  it('micro-averages over titles and counts walls that produced posts', () => {
    // matched 2+2+2+0+0 = 6, returned 2+3+2+1+0 = 8, expected 2+3+2+0+0 = 7
    expect(report.total).toMatchObject({
      pages: 5,
      matched: 6,
      returned: 8,
      expected: 7,
      walls_with_posts: 1,
    });
    expect(report.total.precision).toBeCloseTo(0.75);
    expect(report.total.recall).toBeCloseTo(6 / 7);
  });

  it('prints a table ending with exactly one TOTAL line, without the walls figure', () => {
    const text = formatReport(report, { showWalls: false });
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('TOTAL'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('TOTAL pages=5 precision=0.750 recall=0.857');
    expect(text).toMatch(/b-missed .* 0\.667 +0\.667 +missed 1: "Scierie"; extra 1: "Contact us"/);
    expect(text).toMatch(/e-unknown +nobody +- .*no definition for group "nobody"/);
    expect(reportJson(report).total).toEqual({
      pages: 5,
      precision: 0.75,
      recall: 6 / 7,
      walls_with_posts: 1,
    });
  });
});

describe('evaluateFolder with another strategy', () => {
  // Stands in for a generic extractor: reads every <h2>, with or without a definition.
  const everyHeading: ParseStrategy = (page) => ({
    posts: load(page.body)('h2')
      .map((_, node) => ({ title: load(node).text() }))
      .get(),
    nextPages: [],
  });

  it('scores pages without a definition too, and the TOTAL line can carry walls_with_posts', () => {
    const report = evaluateFolder(root, { registry, strategy: everyHeading });
    expect(report.pages.find((p) => p.page === 'e-unknown')).toMatchObject({ outcome: 'scored', matched: 1 });
    expect(report.total.pages).toBe(6);
    expect(formatReport(report, { showWalls: true }).trimEnd().split('\n').at(-1)).toBe(
      'TOTAL pages=6 precision=0.778 recall=0.875 walls_with_posts=1',
    );
  });

  it('records a parser that throws as an empty answer with the error, not a crash', () => {
    const failing: ParseStrategy = () => {
      throw new Error('layout changed');
    };
    const report = evaluateFolder(root, { registry, strategy: failing });
    expect(report.pages.find((p) => p.page === 'a-perfect')).toMatchObject({
      returned: 0,
      recall: 0,
      error: 'parser failed: layout changed',
    });
  });

  it('refuses a path that is not a folder', () => {
    expect(() => evaluateFolder(join(root, 'missing'), { registry })).toThrow(
      /is not a folder of saved pages/,
    );
  });
});
