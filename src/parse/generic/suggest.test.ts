import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { randomOnionHost } from '../../../test/support/onion-harness/index.ts';
import type { PageInput } from '../parsed-post.ts';
import { parseListing } from '../selector-parser.ts';
import { defineSite, siteDefinitionSchema } from '../site-definition.ts';
import { definitionYaml, suggestDefinition, TEMPLATE_MIRROR } from './definition.ts';
import { extractListing } from './index.ts';
import { patternLike } from './suggest.ts';

// Pages written for these tests. The suggested selectors must read the page they came from the way the extractor did.

const MIRROR = `http://${randomOnionHost()}/`;
const FETCHED_AT = new Date('2024-06-01T00:00:00Z');

function page(body: string): PageInput {
  return { url: MIRROR, body, contentType: 'text/html', fetchedAt: FETCHED_AT };
}

const layouts: Record<string, string> = {
  table: `<html><body><table class="t"><thead><tr><th>Name</th><th>Date</th><th></th></tr></thead><tbody>${[
    'Arden Foods',
    'Bexley Motors',
    'Cairn Energy Partners',
  ]
    .map(
      (name, i) =>
        `<tr class="row"><td>${name}</td><td>2024-0${i + 1}-15</td><td><a href="/p/${i}">open</a></td></tr>`,
    )
    .join('')}</tbody></table></body></html>`,
  cards: `<html><body><nav><a href="/">Home</a><a href="/faq">FAQ</a></nav><div class="grid">${[
    'Dunlin Health',
    'Elm Street Bank',
    'Fjord Shipping',
    'Galloway Schools',
  ]
    .map(
      (name, i) =>
        `<div class="card"><div class="card-head"><span class="victim-name">${name}</span></div><time datetime="2024-02-0${i + 1}">Feb 0${i + 1}, 2024</time><p class="summary">Stolen: accounting, HR, mail archives (${i + 1}0 GB).</p><a href="/v/${i}" class="more">Details</a></div>`,
    )
    .join('')}</div></body></html>`,
  articles: `<html><body><main>${['Harbor Insurance', 'Ironbridge Council', 'Juniper Labs']
    .map(
      (name, i) =>
        `<article class="entry"><h2 class="entry-title"><a href="/${i}/">${name}</a></h2><div class="meta">Posted 1${i}.03.2024</div><div class="entry-content"><p>Files of the company are available for download now.</p></div></article>`,
    )
    .join(
      '',
    )}</main><aside class="sidebar"><ul><li><a href="/0/">Harbor</a></li><li><a href="/1/">Ironbridge</a></li></ul></aside></body></html>`,
};

describe('suggested site definition', () => {
  it.each(Object.entries(layouts))(
    'reads the %s page it was suggested from with the same titles',
    (_name, body) => {
      const result = extractListing(page(body));
      expect(result.kind).toBe('listing');
      expect(result.suggestedSite).toBeDefined();
      const site = defineSite({
        id: 'suggested',
        name: 'Suggested',
        group: 'suggested',
        mirrors: [MIRROR],
        listing: { posts: result.suggestedSite?.posts, fields: result.suggestedSite?.fields },
      });
      const parsed = parseListing(site, page(body));
      expect(parsed.posts.map((post) => post.title)).toEqual(result.posts.map((post) => post.title));
      expect(parsed.posts.map((post) => post.link)).toEqual(result.posts.map((post) => post.link));
      expect(parsed.posts.map((post) => post.date)).toEqual(result.posts.map((post) => post.date));
    },
  );

  it('names the post container and the fields in a readable way', () => {
    const result = extractListing(page(layouts.cards as string));
    expect(result.suggestedSite).toEqual({
      posts: 'div.card',
      fields: {
        title: 'span.victim-name',
        link: { selector: 'a.more', attr: 'href' },
        date: { selector: 'time', pattern: '(\\p{L}+\\s*\\d{1,2},\\s*\\d{1,4})' },
        description: 'p.summary',
      },
    });
  });

  it('builds a valid definition when the onion mirror is given, and a template otherwise', () => {
    const result = extractListing(page(layouts.articles as string));
    const valid = suggestDefinition(result, {
      mirror: MIRROR,
      url: `${MIRROR}blog/`,
      name: 'Juniper Group Blog',
    });
    expect(valid?.problems).toEqual([]);
    expect(valid?.definition).toMatchObject({
      id: 'juniper-group-blog',
      mirrors: [MIRROR],
      listing: { paths: ['/blog/'], posts: 'article.entry' },
      detail: {},
    });
    const yaml = definitionYaml(valid as NonNullable<typeof valid>, 'page.html');
    expect(siteDefinitionSchema.safeParse(parseYaml(yaml)).success).toBe(true);

    const template = suggestDefinition(result, { name: 'Juniper Group Blog' });
    expect(template?.template).toBe(true);
    expect(template?.definition.mirrors).toEqual([TEMPLATE_MIRROR]);
    expect(definitionYaml(template as NonNullable<typeof template>, 'page.html')).toMatch(
      /^# TEMPLATE: replace the mirror/m,
    );
  });

  it('has nothing to suggest for a wall', () => {
    const wall = extractListing(
      page('<html><body><h1>Sign in</h1><form><input type="password"></form></body></html>'),
    );
    expect(suggestDefinition(wall, { mirror: MIRROR })).toBeUndefined();
  });

  it('writes date patterns that keep the date as the site wrote it', () => {
    expect(new RegExp(patternLike('Dec 01, 2022'), 'iu').exec('Posted Nov 12, 2023.')?.[1]).toBe(
      'Nov 12, 2023',
    );
    expect(new RegExp(patternLike('13.05.2024'), 'iu').exec('date: 01.12.2023 10:00')?.[1]).toBe(
      '01.12.2023',
    );
    expect(new RegExp(patternLike('2024-03-02'), 'iu').exec('upd 2023-11-20')?.[1]).toBe('2023-11-20');
  });
});
