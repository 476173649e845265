import { describe, expect, it } from 'vitest';
import { extractListing } from './index.ts';

// Walls and pages without posts, written for these tests. None of them may yield a post.

const SITE = 'http://exampleleaksiteexampleleaksiteexampleleaksiteexamplead.onion/';

function read(body: string, contentType = 'text/html') {
  return extractListing({ url: SITE, body, contentType, fetchedAt: new Date('2024-06-01T00:00:00Z') });
}

const captcha = `<!DOCTYPE html><html><head><title>Human Verification</title><link href="/css/captcha.css" rel="stylesheet"></head>
<body><div class="wrap"><img class="logo" src="/logo.svg"><div class="card captcha-card">
<p class="title">Please verify you are a human</p><p>Solve the captcha below to continue to the blog.</p>
<form method="POST"><img id="captcha" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">
<input name="captcha" maxlength="6"><button type="submit">Verify</button></form></div></div>
<script src="/js/captcha.js"></script></body></html>`;

const ddos = `<html><head><title>One moment…</title></head><body><div class="box"><h2>Checking your browser before accessing the site</h2>
<p>DDoS protection. This takes up to 5 seconds.</p><ul><li>Step 1</li><li>Step 2</li><li>Step 3</li></ul></div></body></html>`;

const login = `<html><head><title>Restricted area</title></head><body><div class="login-box"><h2>Sign in</h2>
<form action="/auth" method="post"><label>Login</label><input name="login"><label>Password</label>
<input type="password" name="password"><button>Enter</button></form><p>Access for partners only.</p></div></body></html>`;

const shell = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leaks</title>
<script defer src="/static/js/main.4f2a9c.js"></script><link href="/static/css/main.1b2c3d.css" rel="stylesheet"></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>`;

/** A seized site: the banner on top, the old layout below now listing the police's own posts. */
const seized = `<html><head><title>This site is now under the control of law enforcement</title></head><body>
<div class="banner"><h1>THIS HIDDEN SITE HAS BEEN SEIZED</h1><p>by the National Crime Agency of the UK, working in close
cooperation with the FBI and international partners as part of a coordinated law enforcement action.</p></div>
<div class="post-big-list">${['Who is the admin?', 'Recovery tools', 'Arrests made', 'Press release']
  .map(
    (title, i) =>
      `<a class="post-block" href="/post/${i}"><div class="post-title">${title}</div><div class="post-block-text">Law enforcement update number ${i + 1}, read the full statement.</div></a>`,
  )
  .join('')}</div></body></html>`;

const noPostsYet = `<html><head><title>Blog</title></head><body><header><nav><ul><li><a href="/">Home</a></li>
<li><a href="/rules">Rules</a></li><li><a href="/contact">Contact</a></li><li><a href="/faq">FAQ</a></li></ul></nav></header>
<main><h1>Leaks</h1><p>No publications yet. Come back later.</p></main><footer><p>© 2024</p></footer></body></html>`;

const about = `<html><body><header><a href="/">Home</a> <a href="/about">About</a></header><main><h1>About us</h1>
<p>We are a team of specialists who test the security of companies.</p><p>We never attack hospitals or schools.</p>
<p>Write to us to get your data back. Payment in bitcoin or monero only.</p></main></body></html>`;

/** One victim's own page: a title, a text and a list of files, but no list of posts. */
const detail = `<html><body><header><a href="/">Home</a></header><article><h1>Greystone Logistics</h1>
<p>We downloaded 200 GB of data. The company refused to negotiate.</p><h3>Files</h3><ul class="files">${Array.from(
  { length: 8 },
  (_, i) =>
    `<li><a href="http://fileserverfileserverfileserverfileserverfileserverfilesd.onion/greystone/part${i + 1}.7z">part${i + 1}.7z</a></li>`,
).join('')}</ul></article></body></html>`;

describe('walls and empty pages', () => {
  it.each([
    ['captcha', captcha],
    ['captcha', ddos],
    ['login', login],
    ['js_shell', shell],
    ['seized', seized],
  ])('says %s and returns no posts', (kind, body) => {
    const result = read(body);
    expect(result.kind).toBe(kind);
    expect(result.posts).toEqual([]);
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.explanation).toMatch(/no posts are read/);
  });

  it.each([
    ['a page announcing no publications yet', noPostsYet],
    ['an about page', about],
    ['a single post page with its file list', detail],
    ['a blank page', ''],
    ['a page of text without markup', 'Nothing to see here'],
  ])('calls %s empty, not a listing', (_name, body) => {
    const result = read(body);
    expect(result.kind).toBe('empty');
    expect(result.posts).toEqual([]);
  });

  it('still reads a clear short list that carries a captcha form for comments', () => {
    const posts = ['Ashdown Clinic', 'Brampton Steel', 'Carraway Foods']
      .map(
        (name, i) =>
          `<div class="post"><h2><a href="/p/${i}">${name}</a></h2><p>Posted 2024-05-0${i + 1}. Files below.</p></div>`,
      )
      .join('');
    const result = read(
      `<html><body>${posts}<form><p>Leave a comment (enter the captcha)</p><input name="c"></form></body></html>`,
    );
    expect(result.kind).toBe('listing');
    expect(result.posts.map((post) => post.title)).toEqual([
      'Ashdown Clinic',
      'Brampton Steel',
      'Carraway Foods',
    ]);
    expect(result.explanation).toMatch(/also shows signs of a captcha/);
  });

  it('calls a JSON body that does not parse empty and says why', () => {
    const result = read('{"posts": [', 'application/json');
    expect(result).toMatchObject({ kind: 'empty', posts: [] });
    expect(result.explanation).toMatch(/does not parse/);
  });

  it('survives hostile markup: very deep nesting and unclosed tags', () => {
    const deep = `<html><body>${'<div>'.repeat(20000)}text${'</div>'.repeat(20000)}<ul>${'<li><a href="/x">'.repeat(300)}</ul></body></html>`;
    const result = read(deep);
    expect(['empty', 'listing']).toContain(result.kind);
  });
});
