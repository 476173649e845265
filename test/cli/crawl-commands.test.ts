import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.ts';
import { listingPage, makePosts, serveLeakSite } from '../support/leak-site-fixture.ts';
import { type OnionHarness, randomOnionHost, startOnionHarness } from '../support/onion-harness/index.ts';

let harness: OnionHarness;
beforeAll(async () => {
  harness = await startOnionHarness();
});
afterAll(() => harness.stop());

function definition(id: string, host: string) {
  return {
    id,
    name: `Fixture ${id}`,
    group: id,
    mirrors: [`http://${host}/`],
    listing: {
      posts: 'div.card',
      fields: {
        title: 'h3.title',
        link: { selector: 'h3 a', attr: 'href' },
        date: 'span.date',
        status: 'span.badge',
      },
      pagination: { links: 'nav.pages a.page' },
    },
  };
}

describe('leakwatch crawl, sites and sites validate', () => {
  it('validates a YAML definition, and shows what it reads from a saved page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    const file = join(dir, 'azur.yaml');
    writeFileSync(file, stringify(definition('azur', randomOnionHost())));
    const page = join(dir, 'page.html');
    writeFileSync(page, listingPage(makePosts(3), 1, 1));
    const result = await runCli(['sites', 'validate', file, '--page', page, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.posts.map((post: { title: string }) => post.title)).toEqual([
      'Victim Company 1',
      'Victim Company 2',
      'Victim Company 3',
    ]);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, stringify({ ...definition('bad', 'not-an-onion.example.com'), engine: 'lynx' }));
    const invalid = await runCli(['sites', 'validate', bad]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('mirrors.0');
    expect(invalid.stderr).toContain('not a .onion address');
    expect(invalid.stderr).toContain('engine');
  });

  it('shows what a URL-only definition reads from a saved page: the generic extractor, as a crawl reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    const file = join(dir, 'url-only.yaml');
    writeFileSync(
      file,
      stringify({
        id: 'url-only',
        name: 'URL only',
        group: 'unknown',
        mirrors: [`http://${randomOnionHost()}/`],
      }),
    );
    const page = join(dir, 'page.html');
    writeFileSync(page, listingPage(makePosts(6), 1, 1));
    const result = await runCli(['sites', 'validate', file, '--page', page, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).posts.map((post: { title: string }) => post.title)).toEqual(
      makePosts(6).map((post) => post.title),
    );
  });

  it('refuses a definition whose selector or pattern cannot compile, naming each key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    const base = definition('broken-selectors', randomOnionHost());
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      stringify({
        ...base,
        listing: {
          ...base.listing,
          posts: 'div[[',
          fields: { ...base.listing.fields, date: { selector: 'span:nope', pattern: '(unclosed' } },
        },
        detail: { description: 'div.content >> p' },
      }),
    );
    const result = await runCli(['sites', 'validate', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('listing.posts: invalid CSS selector "div[["');
    expect(result.stderr).toContain('listing.fields.date.selector: invalid CSS selector "span:nope"');
    expect(result.stderr).toContain('listing.fields.date.pattern: invalid pattern');
    expect(result.stderr).toContain('detail.description: invalid CSS selector');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('crawls a YAML-defined site through Tor and lists it with its health and posts', async () => {
    const sitesDir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
    const host = harness.serve(serveLeakSite(makePosts(6), 2));
    writeFileSync(join(sitesDir, 'fixture.yaml'), stringify(definition('fixture-yaml', host)));
    writeFileSync(join(sitesDir, 'broken.yaml'), 'id: [unclosed');
    const env = {
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-data-')),
      LEAKWATCH_SITES_DIR: sitesDir,
      LEAKWATCH_TOR_SOCKS: harness.url,
    };

    const crawl = await runCli(['crawl', 'fixture-yaml', '--json'], { env });
    expect(crawl.code).toBe(0);
    const summary = JSON.parse(crawl.stdout);
    expect(summary).toMatchObject({
      siteId: 'fixture-yaml',
      status: 'succeeded',
      postsSeen: 6,
      postsNew: 6,
      baseline: true,
    });
    expect(crawl.stderr).toMatch(/listing http:\/\/.*\.onion\/: 3 posts/);
    expect(
      harness.requests
        .filter((request) => request.host === host)
        .every((request) => request.addressType === 'domain'),
    ).toBe(true);

    const sites = await runCli(['sites', '--json'], { env });
    const listed = JSON.parse(sites.stdout);
    const site = listed.sites.find((entry: { id: string }) => entry.id === 'fixture-yaml');
    expect(site).toMatchObject({ health: 'up', posts: { active: 6 }, lastRun: { status: 'succeeded' } });
    expect(listed.sites.map((entry: { id: string }) => entry.id)).toContain('lorenz');
    expect(listed.definitionErrors.join('\n')).toContain('broken.yaml');

    const unknown = await runCli(['crawl', 'no-such-site'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no site "no-such-site"');
  });
});
