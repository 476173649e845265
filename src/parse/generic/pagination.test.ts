import { load } from 'cheerio';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { linkContext } from './links.ts';
import { findPagination } from './pagination.ts';

const SITE = 'http://exampleleaksiteexampleleaksiteexampleleaksiteexamplead.onion/';

function pagination(html: string, url = SITE) {
  const $ = load(html);
  const anchors = $('a[href]').toArray() as Element[];
  return findPagination($('body')[0] as Element, linkContext(url, anchors));
}

describe('pagination', () => {
  it('finds numbered and next links in a pager, not the current page, and names the pager', () => {
    const result = pagination(`<body><div class="posts"><a href="/post/1">Post</a></div>
      <nav class="pagination"><a href="/">1</a><a href="/page/2/">2</a><a href="/page/3/">3</a><a href="/page/2/">Next »</a></nav></body>`);
    expect(result.urls).toEqual([`${SITE}page/2/`, `${SITE}page/3/`]);
    expect(result.selector).toBe('nav.pagination a[href]');
  });

  it('finds page-numbered links outside a pager, and rel=next', () => {
    expect(
      pagination('<body><a href="?page=2">2</a><a href="?page=3">»</a><a href="/about">About</a></body>')
        .urls,
    ).toEqual([`${SITE}?page=2`, `${SITE}?page=3`]);
    expect(pagination('<body><a rel="next" href="/older">Older entries</a></body>').urls).toEqual([
      `${SITE}older`,
    ]);
  });

  it('ignores links to posts, other hosts and fragments', () => {
    const result =
      pagination(`<body><a href="/post/2">2 files</a><a href="http://elsewhere.example/?page=2">2</a>
      <a href="#top">1</a><div class="pager"><a href="/contact">Contact us</a></div></body>`);
    expect(result.urls).toEqual([]);
  });
});
