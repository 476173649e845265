import { describe, expect, it } from 'vitest';
import { onionAddressFor } from '../tor/onion-address.ts';
import { parseListing } from './selector-parser.ts';
import { defineSite } from './site-definition.ts';
import { SiteRegistry } from './site-registry.ts';

const host = onionAddressFor(Buffer.alloc(32, 7));
const fetchedAt = new Date('2026-03-01T12:00:00Z');

const site = defineSite({
  id: 'cards',
  name: 'Cards',
  group: 'cards',
  mirrors: [`http://${host}/`],
  listing: {
    posts: 'div.card',
    fields: {
      title: 'h2',
      link: { selector: 'h2 a', attr: 'href' },
      date: { selector: '.meta', pattern: 'Posted (.+)' },
      status: '.badge',
      countdown: '.timer',
      website: { selector: '.site', attr: 'href' },
      attachments: 'a.file',
    },
    pagination: { next: 'a.next' },
  },
});

const page = `<html><body>
  <nav><a href="/">Home</a></nav>
  <div class="card"><h2><a href="/post/1">Azur Analyses Médicales</a></h2><span class="meta">Posted 13 Сентября 2021</span>
    <span class="badge">Published</span><a class="site" href="https://azur.example">site</a>
    <a class="file" href="/files/patients.zip">patients.zip</a><a class="file" href="javascript:alert(1)">x</a></div>
  <div class="card"><h2><a href="post/2">Rotor &amp; Co</a></h2><span class="meta">Posted 2024-01-17</span>
    <span class="timer">2d 03h 10m</span></div>
  <div class="card"><h2>   </h2></div>
  <a class="next" href="?page=2">Next</a>
</body></html>`;

describe('parseListing with selectors', () => {
  const result = parseListing(site, {
    url: `http://${host}/blog/`,
    body: page,
    contentType: 'text/html',
    fetchedAt,
  });

  it('reads every post with its fields, skipping containers without a title', () => {
    expect(result.posts.map((post) => post.title)).toEqual(['Azur Analyses Médicales', 'Rotor & Co']);
    const [first, second] = result.posts;
    expect(first).toMatchObject({
      link: `http://${host}/post/1`,
      date: '13 Сентября 2021',
      status: 'published',
      website: 'https://azur.example',
      attachments: [`http://${host}/files/patients.zip`],
    });
    expect(first?.publishedAt?.toISOString()).toBe('2021-09-13T00:00:00.000Z');
    expect(second?.link).toBe(`http://${host}/blog/post/2`);
    expect(second?.status).toBe('countdown');
    expect(second?.countdownEndsAt?.toISOString()).toBe('2026-03-03T15:10:00.000Z');
  });

  it('finds the next listing pages as absolute URLs', () => {
    expect(result.nextPages).toEqual([`http://${host}/blog/?page=2`]);
  });
});

describe('site definitions', () => {
  it('rejects an invalid mirror, saying which and why', () => {
    expect(() =>
      defineSite({
        id: 'bad',
        name: 'Bad',
        group: 'bad',
        mirrors: [`http://${host.slice(0, 20)}x${host.slice(21)}/`],
        listing: {},
      }),
    ).toThrow(/mirrors\.0: .*fails the v3 checksum/);
  });

  it('the registry refuses a duplicate id, naming both sources', () => {
    const registry = new SiteRegistry([site]);
    expect(() => registry.add({ ...site, source: 'definitions/cards.yaml' })).toThrow(
      /"cards" is defined twice: in crawlers\/cards\.ts and in definitions\/cards\.yaml/,
    );
  });
});
