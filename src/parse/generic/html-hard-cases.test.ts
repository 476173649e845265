import { describe, expect, it } from 'vitest';
import type { PageInput } from '../parsed-post.ts';
import { extractListing } from './index.ts';

// Every page below was written for these tests: invented groups, victims and text, in the layouts leak sites use.

const SITE = 'http://exampleleaksiteexampleleaksiteexampleleaksiteexamplead.onion/';
const FETCHED_AT = new Date('2024-06-01T00:00:00Z');

function read(body: string, url = SITE) {
  const page: PageInput = { url, body, contentType: 'text/html', fetchedAt: FETCHED_AT };
  return extractListing(page);
}

function titles(body: string, url?: string): string[] {
  return read(body, url).posts.map((post) => post.title);
}

const NAV = `<header class="site-header"><a href="/" class="logo">NightOwl Team</a>
  <nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/rules">Rules</a></li>
  <li><a href="/contact">Contact</a></li><li><a href="/partners">Partners</a></li></ul></nav></header>`;
const FOOTER = `<footer class="footer"><p>© 2024 NightOwl. All rights reserved.</p>
  <ul class="links"><li><a href="/tox">Tox</a></li><li><a href="/jabber">Jabber</a></li><li><a href="/mirror">Mirrors</a></li></ul></footer>`;

describe('cards that are one big link (post-block layout)', () => {
  const block = (name: string, slug: string, timer: string, updated: string) => `
    <a class="post-block ${timer === 'published' ? 'good' : 'bad'}" href="/post/${slug}">
      <div class="post-timer">${timer}</div>
      <div class="post-block-body"><div class="post-title-block"><div class="post-title">${name}</div>
        <div class="post-block-text">Company specialising in industrial automation. All data will be published.</div></div>
        <div class="post-block-footer"><div class="updated-post-date"><span>Updated: ${updated}</span></div></div></div></a>`;
  const page = `<html><body>${NAV}<div class="post-big-list">
    ${block('gorseway-industrial.co.uk', 'g1', '5D 02h 11m 09s', '06 Dec, 2023, 10:08 UTC')}
    ${block('valmont-chem.it', 'g2', 'published', '01 Dec, 2023, 08:00 UTC')}
    ${block('riverbend-schools.org', 'g3', '2D 10h 00m 00s', '28 Nov, 2023, 17:30 UTC')}</div>${FOOTER}</body></html>`;

  it('takes the innermost title element, the block link, the update date and the timer status', () => {
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual([
      'gorseway-industrial.co.uk',
      'valmont-chem.it',
      'riverbend-schools.org',
    ]);
    expect(result.posts[0]).toMatchObject({
      link: `${SITE}post/g1`,
      date: '06 Dec, 2023',
      status: 'countdown',
    });
    expect(result.posts[1]?.status).toBe('published');
  });
});

describe('a victim list that is a menu', () => {
  it('still reads a long menu of victims when nothing else on the page is a list', () => {
    const names = [
      'ARBOR HEALTH',
      'BELLWEATHER FOODS',
      'CASTELLAN BANK',
      'DUNMORE TEXTILES',
      'EVERTON MARINE',
      'FAIRHAVEN ENERGY',
      'GLENCOE PLASTICS',
      'HOLBROOK HOTELS',
    ];
    const page = `<html><body><nav class="main-menu"><ul><li><a href="/">HOME</a></li><li><a href="/how-to-download">HOW TO DOWNLOAD</a></li></ul>
      <ul class="sub-menu">${names.map((name, i) => `<li class="menu-item"><a href="/${i}/"><span class="menu-item-title">${name}</span></a></li>`).join('')}</ul></nav>
      <div class="content"><h1>Welcome</h1><p>Here we publish data of companies that ignored us.</p></div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual(names);
    expect(result.explanation).toMatch(/navigation/);
  });
});

describe('announcements in the post list', () => {
  it('leaves out the group notices listed among the victims', () => {
    const items = [
      'Rules',
      'Cobalt Ridge Mining',
      'How to buy',
      'Seaview Orthopedics',
      'Talbot Freight Lines',
    ];
    const page = `<html><body><div class="posts">${items
      .map(
        (item, i) =>
          `<div class="item"><h3><a href="/p/${i}">${item}</a></h3><p>Posted 2024-02-0${i + 1}. Some text about it here.</p></div>`,
      )
      .join('')}</div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Cobalt Ridge Mining',
      'Seaview Orthopedics',
      'Talbot Freight Lines',
    ]);
    expect(result.explanation).toMatch(/group notice/);
  });
});

describe('confidence and explanation', () => {
  const strong = `<html><body><div class="list">${[
    'Anselm Robotics',
    'Birchfield Dairy',
    'Carrow Insurance',
    'Delmont Schools',
    'Eastlake Pharmacy',
  ]
    .map(
      (name, i) =>
        `<div class="entry"><h2><a href="/e/${i}">${name}</a></h2><p>Data of clients published on 2024-01-0${i + 1}.</p></div>`,
    )
    .join('')}</div></body></html>`;

  it('is confident on a clean list and says which block it chose and why', () => {
    const result = read(strong);
    expect(result.confidence).toBeGreaterThanOrEqual(0.8);
    expect(result.explanation).toMatch(/^Chose 5 records at "div\.entry"/);
    expect(result.explanation).toMatch(/titles from heading 5/);
    for (const post of result.posts) expect(post.confidence).toBeGreaterThan(0.7);
  });

  it('is less confident when titles come from loose text', () => {
    const loose = `<html><body><div>${['Anselm Robotics', 'Birchfield Dairy', 'Carrow Insurance']
      .map(
        (name, i) =>
          `<div class="x">${name}<br>leaked 2024-01-0${i + 1}, 40 GB of contracts and invoices</div>`,
      )
      .join('')}</div></body></html>`;
    const result = read(loose);
    const clean = read(strong);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Anselm Robotics',
      'Birchfield Dairy',
      'Carrow Insurance',
    ]);
    expect(result.posts[0]?.confidence).toBeLessThan(clean.posts[0]?.confidence as number);
  });
});

describe('lists split over sections', () => {
  it('reads the cards of the "published" and the "upcoming" sections', () => {
    const card = (name: string, i: number) =>
      `<div class="victim-card"><h4><a href="/v/${i}">${name}</a></h4><span class="date">2024-04-${10 + i}</span><p>Files of the company.</p></div>`;
    const page = `<html><body><h2>Published</h2><div class="published-list">${card('Arlo Foods', 1)}${card('Brisk Couriers', 2)}${card('Cobalt Dental', 3)}</div>
      <h2>Upcoming</h2><div class="upcoming-list">${card('Drake Mining', 4)}${card('Elgin Schools', 5)}</div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Arlo Foods',
      'Brisk Couriers',
      'Cobalt Dental',
      'Drake Mining',
      'Elgin Schools',
    ]);
    expect(result.explanation).toMatch(/Added 2 records of the same structure/);
    expect(result.suggestedSite?.posts).toBe('div.victim-card');
  });
});

describe('title decorations and pictures', () => {
  it('leaves badges out of a heading title', () => {
    const page = `<html><body><div class="list">${['Fenwick Hotels', 'Garrison Bank', 'Halden Shipping']
      .map(
        (name, i) =>
          `<div class="item"><h3><a href="/i/${i}">${name}</a> <span class="badge">NEW</span></h3><p>Sample files posted, full dump soon.</p></div>`,
      )
      .join('')}</div></body></html>`;
    expect(titles(page)).toEqual(['Fenwick Hotels', 'Garrison Bank', 'Halden Shipping']);
  });

  it('reads the alt text of logo-only cards', () => {
    const page = `<html><body><div class="logos">${['Ibex Outdoor', 'Juno Pharma', 'Kessler Glass']
      .map(
        (name, i) =>
          `<div class="logo-card"><a href="/l/${i}"><img src="/logos/${i}.png" alt="${name}"></a><span class="size">${i + 2}0 GB</span></div>`,
      )
      .join('')}</div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual(['Ibex Outdoor', 'Juno Pharma', 'Kessler Glass']);
    expect(result.suggestedSite?.fields.title).toEqual({ selector: 'img', attr: 'alt' });
  });
});

describe('flat layouts', () => {
  it('reads headings followed by loose paragraphs, with the date and text after each heading', () => {
    const post = (name: string, slug: string, date: string, text: string) =>
      `<h2><a href="/${slug}">${name}</a></h2><p>${text}</p><p>Date: ${date}</p><hr>`;
    const page = `<html><body><div class="content"><h1>Leaks</h1>
      ${post('Acre Tooling Ltd', 'acre', '2024-01-05', 'We took 200 GB of drawings and contracts.')}
      ${post('Bolt Freight', 'bolt', '2024-01-03', 'Payroll, contracts and customer lists.')}
      ${post('Cress Medical Centre', 'cress', '2024-01-01', 'Patient files and lab results.')}</div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => [post.title, post.link, post.date, post.description])).toEqual([
      ['Acre Tooling Ltd', `${SITE}acre`, '2024-01-05', 'We took 200 GB of drawings and contracts.'],
      ['Bolt Freight', `${SITE}bolt`, '2024-01-03', 'Payroll, contracts and customer lists.'],
      ['Cress Medical Centre', `${SITE}cress`, '2024-01-01', 'Patient files and lab results.'],
    ]);
  });
});

describe('labels repeated in every record', () => {
  it('reads the name next to a heading that every card repeats', () => {
    const page = `<html><body><div class="grid">${[
      'Larch Dental',
      'Moorland Bank',
      'Nettle Farms',
      'Osprey Air',
    ]
      .map(
        (name, i) =>
          `<div class="card"><h5>Company</h5><p>${name}</p><span>Leaked on 2024-03-0${i + 1}</span></div>`,
      )
      .join('')}</div></body></html>`;
    expect(titles(page)).toEqual(['Larch Dental', 'Moorland Bank', 'Nettle Farms', 'Osprey Air']);
  });

  it('takes the name column of a table, not a short country code before it', () => {
    const rows = [
      ['US', 'Quarry Hill Schools', 'Education'],
      ['US', 'Redwood Title Co', 'Real estate'],
      ['DE', 'Stahlwerk Ulm', 'Manufacturing'],
      ['US', 'Tern Logistics', 'Transport'],
    ]
      .map(
        ([country, name, sector]) =>
          `<tr><td>${country}</td><td>${name}</td><td>${sector}</td><td>2024-02-02</td></tr>`,
      )
      .join('');
    expect(titles(`<html><body><table>${rows}</table></body></html>`)).toEqual([
      'Quarry Hill Schools',
      'Redwood Title Co',
      'Stahlwerk Ulm',
      'Tern Logistics',
    ]);
  });
});

describe('a short post list among menus', () => {
  it('prefers two real posts to the bare link menus above and below them', () => {
    const page = `<html><body><div class="top"><a href="/">Home</a><a href="/mirrors">Mirrors</a><a href="/jabber">Jabber</a><a href="/partners">Partnership</a></div>
      <div class="stats"><div class="stat"><h3>120</h3><p>Victims</p></div><div class="stat"><h3>45</h3><p>Published</p></div></div>
      <div class="main"><div class="entry"><h2><a href="/p/1">Ulster Ferries</a></h2><p>Internal data, 30 GB.</p></div>
      <div class="entry"><h2><a href="/p/2">Vantage Opticians</a></h2><p>Customer records.</p></div></div>
      <div class="bottom"><a href="/tox">Tox</a><a href="/session">Session</a><a href="/pgp">PGP key</a><a href="/onion">Onion v3</a></div></body></html>`;
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual(['Ulster Ferries', 'Vantage Opticians']);
    expect(result.explanation).toMatch(/penalised: bare links with nothing but a name/);
  });
});
