import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'leakwatch-eval-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writePage(name: string, truth: unknown, body: string): void {
  mkdirSync(join(root, name));
  writeFileSync(join(root, name, 'truth.json'), JSON.stringify(truth));
  writeFileSync(join(root, name, 'page.html'), body);
}

// Pages written for this test, in two shipped layouts (pay2key articles, Money Message JSON) and one unknown group.
const article = (file: string, title: string) =>
  `<div class="article"><a href="./${file}.html"><img src="x.png"></a><div class="inner"><h3><a href="./${file}.html">${title}</a></h3></div></div>`;
writePage(
  'p2k',
  {
    group: 'pay2key',
    posts: [{ title: 'Azur - Analyses Médicales' }, { title: 'Bois - Scierie' }, { title: 'Lait - Coop' }],
  },
  `<html><body><h3>Leak Directory!</h3><div class="articles">${article('azur', 'Azur - Analyses Médicales')}${article('bois', 'Bois - Scierie')}</div></body></html>`,
);
writePage(
  'mm',
  { group: 'moneymessage', posts: [{ title: 'Clinique du Lac', date: '2024.05.16' }] },
  JSON.stringify([
    { incidentDate: '2024.06.18', data: {} },
    { incidentDate: '2024.05.16', data: { name: 'Clinique du Lac' } },
  ]),
);
writePage('wall', { group: 'nobody', posts: [] }, '<html><body>Human verify</body></html>');

describe('leakwatch eval-parsers', () => {
  it('prints the per-page table and ends with the TOTAL line, exit 0', async () => {
    const result = await runCli(['eval-parsers', root]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^page +group +definition +expected +returned +matched +precision +recall +notes$/,
    );
    expect(lines.find((line) => line.startsWith('p2k '))).toMatch(
      /p2k +pay2key +pay2key +3 +2 +2 +1\.000 +0\.667 +missed 1: "Lait - Coop"/,
    );
    expect(lines.find((line) => line.startsWith('mm '))).toMatch(/moneymessage +1 +1 +1 +1\.000 +1\.000/);
    expect(lines.find((line) => line.startsWith('wall '))).toMatch(/no definition for group "nobody"/);
    expect(lines.filter((line) => line.startsWith('TOTAL'))).toEqual([
      'TOTAL pages=2 precision=1.000 recall=0.750',
    ]);
    expect(lines.at(-1)).toBe('TOTAL pages=2 precision=1.000 recall=0.750');
  });

  it('--json prints one JSON document with pages and total', async () => {
    const result = await runCli(['eval-parsers', root, '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.total).toEqual({ pages: 2, precision: 1, recall: 0.75, walls_with_posts: 0 });
    expect(
      document.pages.map((page: { page: string; outcome: string }) => [page.page, page.outcome]),
    ).toEqual([
      ['mm', 'scored'],
      ['p2k', 'scored'],
      ['wall', 'no_definition'],
    ]);
  });

  it('--generic reads every page with the generic extractor, walls included, and counts walls with posts', async () => {
    const result = await runCli(['eval-parsers', root, '--generic']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.find((line) => line.startsWith('wall '))).toMatch(
      /^wall +nobody +- +0 +0 +0 +1\.000 +1\.000$/,
    );
    expect(lines.find((line) => line.startsWith('p2k '))).toMatch(
      /p2k +pay2key +pay2key +3 +2 +2 +1\.000 +0\.667/,
    );
    expect(lines.at(-1)).toBe('TOTAL pages=3 precision=1.000 recall=0.750 walls_with_posts=0');
    const json = JSON.parse((await runCli(['eval-parsers', root, '--generic', '--json'])).stdout);
    expect(json.total).toEqual({ pages: 3, precision: 1, recall: 0.75, walls_with_posts: 0 });
  });

  it('says so when the folder does not exist', async () => {
    const result = await runCli(['eval-parsers', join(root, 'nope')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/nope is not a folder of saved pages/);
  });
});
