import { describe, expect, it } from 'vitest';
import { readFixture, rootOf } from './fixture-page.ts';
import site from './pandora.ts';

const root = rootOf(site);
const post = (slug: string, title: string, date: string) => `
<div class="post gt-bg-theme-color-second">
  <div class="post-left">
    <div><a href="${root}post/${slug}/"><span class="post-title gt-c-content-color-first">${title}</span></a></div>
    <div class="gt-post-content post-abstract gt-c-content-color-second"></div>
    <div class="post-info"><time class="post-time gt-c-content-color-first">POST Â· ${date} Â·</time></div>
  </div>
  <a href="${root}post/${slug}/" class="post-feature-image" style="background-image: url('${root}post-images/${slug}.png')"></a>
</div>`;

// Written for this test: the Gridea theme (navbar with search, post list, empty pagination, footer), with the
// page's mis-decoded "Â·" separators kept.
const page = `<html><head><meta charset="utf-8"/><title>Pandora Data Leak</title></head><body>
<div class="main"><div class="main-content">
<nav class="navbar navbar-expand-lg"><div class="navbar-brand"><div class="site-name">Pandora Data Leak</div></div>
  <form id="gridea-search-form" action="/search/index.html"><input class="search-input" name="q" /></form></nav>
<div class="post-list-container"><div class="post-inner">
${post('azur-analyses', 'Azur Analyses Médicales', '2024-03-02')}
${post('bois-jura', 'Bois &amp; Scierie du Jura', '2024-02-18')}
</div></div>
<div class="pagination-container"></div>
<div class="site-footer"><div class="slogan">contact@example.invalid</div><a href="${root}atom.xml">RSS</a></div>
</div></div></body></html>`;

describe('pandora definition', () => {
  const { posts, nextPages } = readFixture(site, page);

  it('reads title, link and date of each post', () => {
    expect(posts.map((p) => p.title)).toEqual(['Azur Analyses Médicales', 'Bois & Scierie du Jura']);
    expect(posts.map((p) => p.link)).toEqual([`${root}post/azur-analyses/`, `${root}post/bois-jura/`]);
    expect(posts.map((p) => p.date)).toEqual(['2024-03-02', '2024-02-18']);
    expect(posts[1]?.publishedAt?.toISOString()).toBe('2024-02-18T00:00:00.000Z');
  });

  it('finds no further page when the pagination is empty', () => {
    expect(nextPages).toEqual([]);
  });
});
