import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../../test/support/cli.ts';
import {
  fixtureSite,
  type OnionHarness,
  randomOnionHost,
  startOnionHarness,
} from '../../../test/support/onion-harness/index.ts';
import { parseListing } from '../../parse/selector-parser.ts';
import { defineSite, siteDefinitionSchema } from '../../parse/site-definition.ts';

// A listing page written for this test: invented victims in a card layout with a menu and a pager.
const VICTIMS = [
  'Ashcombe Veterinary Group',
  'Brennan & Lowe Solicitors',
  'Cedar Point Water District',
  'Dalby Farms',
];
const LISTING = `<html><head><title>Moth Team Leaks</title></head><body>
<nav class="menu"><a href="/">Home</a><a href="/contact">Contact</a><a href="/faq">FAQ</a></nav>
<div class="posts">${VICTIMS.map(
  (name, i) => `<div class="post"><h2 class="post-title"><a href="/post/${i + 1}">${name}</a></h2>
  <span class="date">2024-05-0${i + 1}</span><p class="excerpt">Accounting, HR and customer files of the company.</p>
  <span class="badge">${i % 2 ? 'published' : 'publication in 3 days'}</span></div>`,
).join('')}</div>
<div class="pagination"><a href="/page/2">2</a><a href="/page/2">Next</a></div></body></html>`;
const CAPTCHA = `<html><head><title>Human verification</title></head><body><form><img src="data:image/png;base64,AAAA">
<p>Enter the characters you see</p><input name="c"><button>Verify</button></form></body></html>`;

const dir = mkdtempSync(join(tmpdir(), 'leakwatch-extract-'));
const listingFile = join(dir, 'listing.html');
const captchaFile = join(dir, 'captcha.html');
writeFileSync(listingFile, LISTING);
writeFileSync(captchaFile, CAPTCHA);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let harness: OnionHarness;
let host: string;
beforeAll(async () => {
  harness = await startOnionHarness();
  host = harness.serve(fixtureSite({ '/blog/': { body: LISTING } }));
});
afterAll(() => harness?.stop());

describe('leakwatch extract on a saved page', () => {
  it('prints a table of the posts and the explanation', async () => {
    const result = await runCli(['extract', listingFile]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^kind: listing {2}confidence: 0\.\d\d {2}posts: 4$/);
    expect(lines[1]).toMatch(/^# +conf +title +date +status +link$/);
    expect(lines[2]).toMatch(
      /^1 +0\.\d\d +Ashcombe Veterinary Group +2024-05-01 +countdown +http:\/\/page\.invalid\/post\/1$/,
    );
    expect(result.stdout).toMatch(/^Chose 4 records at "div\.post"/m);
  });

  it('--json prints exactly kind, confidence, posts and explanation', async () => {
    const result = await runCli(['extract', listingFile, '--json', '--url', 'http://moth.example/blog/']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(['kind', 'confidence', 'posts', 'explanation']);
    expect(document.kind).toBe('listing');
    expect(document.posts.map((post: { title: string }) => post.title)).toEqual(VICTIMS);
    expect(document.posts[1]).toEqual({
      title: 'Brennan & Lowe Solicitors',
      link: 'http://moth.example/post/2',
      date: '2024-05-02',
      description: 'Accounting, HR and customer files of the company.',
      status: 'published',
      confidence: expect.any(Number),
    });
    for (const post of document.posts) {
      expect(
        Object.keys(post).every((key) =>
          ['title', 'link', 'date', 'description', 'status', 'confidence'].includes(key),
        ),
      ).toBe(true);
    }
  });

  it('says which wall a page is, with no posts', async () => {
    const result = await runCli(['extract', captchaFile, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'captcha', posts: [] });
  });

  it('--suggest prints a template without a mirror, and a valid definition with --mirror', async () => {
    const template = await runCli(['extract', listingFile, '--suggest']);
    expect(template.code).toBe(0);
    expect(template.stdout).toMatch(/^# TEMPLATE: replace the mirror/m);
    expect(siteDefinitionSchema.safeParse(parseYaml(template.stdout)).success).toBe(false);

    const mirror = `http://${randomOnionHost()}/`;
    const complete = await runCli(['extract', listingFile, '--suggest', '--mirror', mirror]);
    expect(complete.code).toBe(0);
    const yaml = parseYaml(complete.stdout);
    expect(siteDefinitionSchema.safeParse(yaml).success).toBe(true);
    expect(yaml).toMatchObject({ id: 'moth-team-leaks', mirrors: [mirror], listing: { posts: 'div.post' } });
    const site = defineSite(yaml);
    const read = parseListing(site, {
      url: mirror,
      body: LISTING,
      contentType: 'text/html',
      fetchedAt: new Date(),
    });
    expect(read.posts.map((post) => post.title)).toEqual(VICTIMS);
  });

  it('has nothing to suggest for a wall, and says so', async () => {
    const result = await runCli(['extract', captchaFile, '--suggest']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/nothing to suggest: the page is captcha/);
  });

  it('reports a missing file and bad options clearly', async () => {
    const missing = await runCli(['extract', join(dir, 'nope.html')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.html: ENOENT/);
    const both = await runCli(['extract', listingFile, '--json', '--suggest']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/choose --json or --suggest/);
    const badMirror = await runCli(['extract', listingFile, '--suggest', '--mirror', 'http://example.com/']);
    expect(badMirror.code).toBe(2);
    expect(badMirror.stderr).toMatch(/--mirror: "example\.com" is not a \.onion address/);
  });
});

describe('leakwatch extract on an onion URL', () => {
  it('fetches the page through the Tor SOCKS proxy, sending the onion name to the proxy', async () => {
    const before = harness.requests.length;
    const result = await runCli(['extract', `http://${host}/blog/`, '--json'], {
      env: { LEAKWATCH_TOR_SOCKS: harness.url },
    });
    expect(result.stderr).toContain(`fetching http://${host}/blog/ through ${harness.url}`);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.posts.map((post: { title: string }) => post.title)).toEqual(VICTIMS);
    expect(document.posts[0].link).toBe(`http://${host}/post/1`);
    const requests = harness.requests.slice(before);
    expect(requests.map((request) => [request.host, request.addressType])).toEqual([[host, 'domain']]);
  });

  it('--suggest on a URL uses the site as the mirror and the page path as the listing path', async () => {
    const result = await runCli(['extract', `http://${host}/blog/`, '--suggest'], {
      env: { LEAKWATCH_TOR_SOCKS: harness.url },
    });
    expect(result.code).toBe(0);
    const yaml = parseYaml(result.stdout);
    expect(siteDefinitionSchema.safeParse(yaml).success).toBe(true);
    expect(yaml).toMatchObject({ mirrors: [`http://${host}/`], listing: { paths: ['/blog/'] } });
  });

  it('refuses a clearnet URL without making any request', async () => {
    const before = harness.requests.length;
    const result = await runCli(['extract', 'https://leaks.example.com/'], {
      env: { LEAKWATCH_TOR_SOCKS: harness.url },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /refusing https:\/\/leaks\.example\.com\/: "leaks\.example\.com" is not a \.onion address/,
    );
    expect(harness.requests.length).toBe(before);
  });
});
