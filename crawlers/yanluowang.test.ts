import { describe, expect, it } from 'vitest';
import { FETCHED_AT, readFixture, rootOf } from './fixture-page.ts';
import site from './yanluowang.ts';

const post = (slug: string, title: string, date: string, deadline: string, countdown = '') => `
<div class="post on-list" style="overflow: hidden;">
  <h1 class="post-title">
    <a href="/posts/${slug}/">${title}</a>  <span class="countdown" style="background:var(--accent)">${countdown}</span>
  </h1>
  <div class="post-meta">
    <span class="post-date">${date}</span>
    <span class="post-date-hidden" hidden>${deadline}</span>
    <span class="post-author">:: yanluowang</span>
  </div>
  <div class="post-content"><p><img src="/${slug}.png" class="post-cover" alt="${title}" /> Some text</p></div>
  <div><a class="read-more button" href="/posts/${slug}/">Read more →</a></div>
</div>`;

// Written for this test: the Hugo theme with countdowns; one deadline after the fetch, one before it. The first
// countdown span is filled, as the site's script would do, to show it never leaks into the title.
const page = `<!DOCTYPE html><html lang="en"><head><meta name="generator" content="Hugo 0.68.3" />
<title>Yanluowang</title></head><body class="reddx-viewport"><div class="container full headings--one-size">
<header class="header"><div class="header__logo"><a href="/"><div class="logo">Yanluowang</div></a></div></header>
<div class="content"><div class="posts">
${post('azur', 'Azur Analyses Médicales didn&rsquo;t pay', '2024-05-20', '2024-06-03 12:00:00', '2d 12h')}
${post('bois', 'Bois &amp; Scierie du Jura', '2024-04-02', '2024-04-20 09:00:00')}
<div class="pagination"><div class="pagination__buttons"><span class="button next">
  <a href="/page/2/"><span class="button__text">Older posts</span></a></span></div></div>
</div></div></div></body></html>`;

describe('yanluowang definition', () => {
  const { posts, nextPages } = readFixture(site, page);

  it('reads titles from the links only (the countdown beside them is not part of the title)', () => {
    expect(posts.map((p) => p.title)).toEqual([
      'Azur Analyses Médicales didn’t pay',
      'Bois & Scierie du Jura',
    ]);
    expect(posts.map((p) => p.link)).toEqual([`${rootOf(site)}posts/azur/`, `${rootOf(site)}posts/bois/`]);
    expect(posts.map((p) => p.date)).toEqual(['2024-05-20', '2024-04-02']);
  });

  it('reads the hidden deadline: ahead of the fetch is a countdown, passed is published', () => {
    expect(FETCHED_AT.toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(posts[0]?.countdownEndsAt?.toISOString()).toBe('2024-06-03T12:00:00.000Z');
    expect(posts[0]?.status).toBe('countdown');
    expect(posts[1]?.countdownEndsAt?.toISOString()).toBe('2024-04-20T09:00:00.000Z');
    expect(posts[1]?.status).toBe('published');
  });

  it('follows "Older posts"', () => {
    expect(nextPages).toEqual([`${rootOf(site)}page/2/`]);
  });
});
