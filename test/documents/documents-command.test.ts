import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.ts';
import { makeZip } from '../support/documents/archive-writers.ts';
import { fileRoute } from '../support/documents/file-routes.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';
import { type FixturePost, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';

let harness: OnionHarness;
beforeAll(async () => {
  harness = await startOnionHarness();
});
afterAll(() => harness.stop());

describe('leakwatch documents', () => {
  it('lists the files a crawl found, downloads and extracts them with `documents process`, and filters', async () => {
    const posts: FixturePost[] = [
      {
        slug: 'labo',
        title: 'Laboratoire Azur',
        status: 'published',
        date: '2026-05-01',
        files: ['clients.csv', 'bilans.zip'],
      },
      {
        slug: 'other',
        title: 'Other Victim',
        status: 'published',
        date: '2026-05-02',
        files: ['locked.zip'],
      },
    ];
    const site = serveLeakSite(posts, 1);
    site.routes.set(
      '/files/clients.csv',
      fileRoute(Buffer.from('Email;Nom\nhelene@example.fr;Hélène Dupont\n', 'latin1')).route,
    );
    site.routes.set(
      '/files/bilans.zip',
      fileRoute(makeZip([{ name: 'bilan_07.pdf', data: makePdf([{ lines: ['Patiente : Hélène Dupont'] }]) }]))
        .route,
    );
    site.routes.set(
      '/files/locked.zip',
      fileRoute(makeZip([{ name: 'secret.csv', data: 'x', encrypted: true }])).route,
    );
    const host = harness.serve(site);
    const sitesDir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    writeFileSync(
      join(sitesDir, 'azur.yaml'),
      stringify({
        id: 'azur',
        name: 'Azur leaks',
        group: 'azur',
        mirrors: [`http://${host}/`],
        listing: {
          posts: 'div.card',
          fields: { title: 'h3.title', link: { selector: 'h3 a', attr: 'href' }, date: 'span.date' },
        },
        detail: { description: 'div.content', attachments: 'a.file' },
      }),
    );
    const env = {
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-data-')),
      LEAKWATCH_SITES_DIR: sitesDir,
      LEAKWATCH_TOR_SOCKS: harness.url,
    };

    expect((await runCli(['crawl', 'azur', '--crawl-only', '--json'], { env })).code).toBe(0);
    const waiting = JSON.parse((await runCli(['documents', '--json'], { env })).stdout);
    expect(waiting.documents.map((d: { name: string; status: string }) => [d.name, d.status]).sort()).toEqual(
      [
        ['bilans.zip', 'pending'],
        ['clients.csv', 'pending'],
        ['locked.zip', 'pending'],
      ],
    );

    const processed = await runCli(['documents', 'process', '--json'], { env });
    expect(processed.code).toBe(0);
    const summary = JSON.parse(processed.stdout);
    expect(summary.downloads).toHaveLength(3);
    expect(summary.extractions.map((e: { status: string }) => e.status).sort()).toEqual([
      'extracted',
      'extracted',
      'password_protected',
    ]);

    const listed = JSON.parse((await runCli(['documents', '--json'], { env })).stdout).documents;
    const csv = listed.find((d: { name: string }) => d.name === 'clients.csv');
    expect(csv).toMatchObject({
      status: 'extracted',
      sniffedType: 'csv',
      counts: { rows: 1, records: 1 },
      sources: [{ siteId: 'azur', url: `http://${host}/files/clients.csv` }],
    });
    expect(csv.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(listed.find((d: { name: string }) => d.name === 'bilans.zip')).toMatchObject({
      status: 'extracted',
      sniffedType: 'zip',
      counts: { pages: 1, entries: 1 },
    });

    const human = await runCli(['documents'], { env });
    expect(human.stdout).toMatch(
      /password_protected\s+zip .*locked\.zip {2}\[azur\]\n {4}1 entries\n {4}! locked\.zip: 1 of 1 entries are encrypted/,
    );
    const locked = JSON.parse(
      (await runCli(['documents', '--json', '--status', 'password_protected'], { env })).stdout,
    ).documents;
    expect(locked.map((d: { name: string }) => d.name)).toEqual(['locked.zip']);
    const ofPost = JSON.parse(
      (await runCli(['documents', '--json', '--post', String(csv.sources[0].postId)], { env })).stdout,
    ).documents;
    expect(ofPost.map((d: { name: string }) => d.name).sort()).toEqual(['bilans.zip', 'clients.csv']);

    const bad = await runCli(['documents', '--status', 'lost'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown status "lost": expected one of pending, downloading/);
  });
});
