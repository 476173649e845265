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

describe('tables', () => {
  const row = (name: string, size: string, date: string, id: number) =>
    `<tr><td>${name}</td><td>${size}</td><td>Manufacturing, logistics</td><td>${date}</td><td><a href="/leak/${id}">details</a></td></tr>`;
  const page = `<html><body>${NAV}<h2>Leaked companies</h2>
    <table class="victims"><thead><tr><th>Company</th><th>Size</th><th>Sector</th><th>Date</th><th></th></tr></thead>
    <tbody>${row('Brightwater Ceramics GmbH', '120 GB', '2024-03-02', 1)}${row('Halvorsen & Dahl AS', '1.2 TB', '2024-02-17', 2)}
    ${row('Mesa Verde Dental Group', '56 GB', '2024-01-30', 3)}${row('Quillfeather Publishing', '12 GB', '2023-12-11', 4)}</tbody></table>
    ${FOOTER}</body></html>`;

  it('reads one post per row, with the first name-like cell as title, the details link and the date', () => {
    const result = read(page);
    expect(result.kind).toBe('listing');
    expect(result.posts.map((post) => post.title)).toEqual([
      'Brightwater Ceramics GmbH',
      'Halvorsen & Dahl AS',
      'Mesa Verde Dental Group',
      'Quillfeather Publishing',
    ]);
    expect(result.posts[0]).toMatchObject({ link: `${SITE}leak/1`, date: '2024-03-02', size: '120 GB' });
    expect(result.posts[0]?.publishedAt?.toISOString()).toBe('2024-03-02T00:00:00.000Z');
  });

  it('skips a header row written as bold cells in the same table body', () => {
    const bold = `<table><tr><td><b>name</b></td><td><b>leaked</b></td><td><b>updated</b></td></tr>
      <tr class="r"><td>Larkspur Veterinary Clinic</td><td>100%</td><td>2024-01-02</td></tr>
      <tr class="r"><td>Ostrava Steelworks</td><td>40%</td><td>2023-11-20</td></tr></table>`;
    expect(titles(`<html><body>${bold}</body></html>`)).toEqual([
      'Larkspur Veterinary Clinic',
      'Ostrava Steelworks',
    ]);
  });

  it('reads rows made of one <th> each (whole-row click handlers), not as a header', () => {
    const rows = ['Kestrel Aviation Services', 'Pinecrest Water Authority', 'Ludwig Optics AG']
      .map(
        (name, i) =>
          `<tr><th class="item" onclick="location.href='/topic/${i + 1}'">${name}<i class="loc">DE</i><div class="meta">views: ${100 + i} · added: 2024-0${i + 1}-10</div></th></tr>`,
      )
      .join('');
    const result = read(`<html><body><table class="list">${rows}</table></body></html>`);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Kestrel Aviation Services',
      'Pinecrest Water Authority',
      'Ludwig Optics AG',
    ]);
    expect(result.posts[1]?.link).toBe(`${SITE}topic/2`);
  });
});

describe('card grids', () => {
  const card = (name: string, slug: string, days: number) => `
    <div class="col-md-4"><div class="card victim">
      <a href="/post/${slug}"><img class="card-img-top" src="/img/${slug}.png"></a>
      <div class="card-body"><h5 class="card-title">${name}</h5>
      <p class="card-text">Internal documents, HR records and customer databases were exfiltrated from the network.</p>
      <div class="timer countdown">${days}d 04h 12m</div>
      <ul class="tags"><li>finance</li><li>usa</li></ul>
      <a class="btn" href="/post/${slug}">Read more</a></div></div></div>`;
  const rows = `<div class="row">${card('Aldergrove Credit Union', 'aldergrove', 3)}${card('Mistral Freight SA', 'mistral', 5)}${card('Fennimore Pediatrics', 'fennimore', 8)}</div>
    <div class="row">${card('Corbel Architects LLP', 'corbel', 11)}${card('Tidewater Seafoods', 'tidewater', 0)}</div>`;
  const page = `<html><body>${NAV}<div class="container"><h1>Our victims</h1>${rows}
    <div class="pagination"><a href="/?page=1">1</a><a href="/?page=2">2</a><a href="/?page=3">»</a></div></div>${FOOTER}</body></html>`;

  it('reads every card across the rows of the grid, not one per row', () => {
    expect(titles(page)).toEqual([
      'Aldergrove Credit Union',
      'Mistral Freight SA',
      'Fennimore Pediatrics',
      'Corbel Architects LLP',
      'Tidewater Seafoods',
    ]);
  });

  it('reads the link, the description, a countdown status and the pagination', () => {
    const result = read(page);
    expect(result.posts[0]).toMatchObject({
      link: `${SITE}post/aldergrove`,
      status: 'countdown',
      description: 'Internal documents, HR records and customer databases were exfiltrated from the network.',
    });
    expect(result.posts[0]?.countdownEndsAt?.getTime()).toBe(
      FETCHED_AT.getTime() + (3 * 86400 + 4 * 3600 + 12 * 60) * 1000,
    );
    expect(result.nextPages).toEqual([`${SITE}?page=1`, `${SITE}?page=2`, `${SITE}?page=3`]);
  });

  it('is not fooled by the tag lists repeated inside every card', () => {
    expect(titles(page)).not.toContain('finance');
  });
});

describe('article lists', () => {
  const article = (title: string, slug: string, date: string, text: string) => `
    <article class="post-${Math.abs(slug.length * 37)} post type-post status-publish hentry">
      <header class="entry-header"><h2 class="entry-title"><a href="/${slug}/">${title}</a></h2>
      <div class="entry-meta"><span class="posted-on"><time datetime="${date}T10:00:00+00:00">${date}</time></span></div></header>
      <div class="entry-content"><p>${text}</p></div></article>
    <hr class="post-separator">`;
  const sidebar = `<aside class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
    <ul><li><a href="/harlow-mills/">Harlow Mills Full Leak</a></li><li><a href="/saint-brieuc-clinic/">Clinique Saint-Brieuc</a></li>
    <li><a href="/tamarind-foods/">Tamarind Foods</a></li></ul></section></aside>`;
  const page = `<html><body>${NAV}<main id="site-content">
    ${article('Harlow Mills Full Leak', 'harlow-mills', '2024-04-10', 'More than 300 GB of contracts and payroll. Download links below.')}
    ${article('Clinique Saint-Brieuc', 'saint-brieuc-clinic', '2024-04-02', 'Patient files and lab results. The clinic did not answer.')}
    ${article('Tamarind Foods', 'tamarind-foods', '2024-03-28', 'Financial statements, supplier contracts, employee passports.')}
    <nav class="navigation pagination"><div class="nav-links"><span class="current">1</span><a class="page-numbers" href="/page/2/">2</a>
    <a class="next page-numbers" href="/page/2/">Older posts</a></div></nav></main>${sidebar}${FOOTER}</body></html>`;

  it('reads the articles, not the recent-posts widget that repeats them', () => {
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Harlow Mills Full Leak',
      'Clinique Saint-Brieuc',
      'Tamarind Foods',
    ]);
    expect(result.posts[1]).toMatchObject({ link: `${SITE}saint-brieuc-clinic/`, date: '2024-04-02' });
    expect(result.nextPages).toEqual([`${SITE}page/2/`]);
  });
});

describe('panels with a repeating sidebar', () => {
  const panels = [
    ['Grantham Regional Hospital', 'Grantham', 'Mar 04, 2024'],
    ['Oberlin Tooling Inc.', 'Oberlin', 'Feb 21, 2024'],
    ['Vasquez & Ortiz Attorneys', 'V&O', 'Feb 02, 2024'],
    ['Northgate Transit Authority', 'Northgate', 'Jan 15, 2024'],
  ];
  const sidebar = `<div class="col-sm-3 sidenav"><h4>Companies</h4><ul class="nav nav-pills nav-stacked">${panels
    .map(([, alias], i) => `<li><a href="#c${i}">${alias}</a></li>`)
    .join('')}</ul></div>`;
  const paid = (date: string) =>
    `<div class="panel panel-success"><div class="panel-heading"><h4>Paid, the company's data stays private</h4><h6>Posted ${date}.</h6></div></div>`;
  const main = `<div class="col-sm-9">${panels
    .map(
      ([name, alias, date], i) => `
      <div id="c${i}" class="panel panel-primary"><div class="panel-heading"><h3>${name}</h3>
        <h5><span class="glyphicon glyphicon-time"></span>Posted ${date}.</h5>
        <h5><a href="https://www.${String(alias)
          .toLowerCase()
          .replace(/[^a-z]/g, '')}.example">${String(alias).toLowerCase()}.example</a></h5></div>
      <div class="panel-body"><div class="progress"><div class="progress-bar" style="width:100%">Uploaded 100% files</div></div>
        <a href="../download/${i}/part1.7z" download><img src="../img/doc.png"></a> part 1
        <a href="../download/${i}/part2.7z" download><img src="../img/doc.png"></a> part 2</div></div>
      ${i % 2 === 0 ? paid(String(date)) + paid(String(date)) : ''}`,
    )
    .join('')}</div>`;
  const page = `<html><body><div class="jumbotron"><h1>Welcome</h1></div><div class="container-fluid"><div class="row content">${sidebar}${main}</div></div></body></html>`;

  it('reads the panels and leaves out the sidebar aliases and the repeated "paid" placeholders', () => {
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual(panels.map(([name]) => name));
    expect(result.explanation).toMatch(/^Chose 4 records at "div\.panel/);
  });

  it('drops placeholders that repeat one title even when they look like the posts', () => {
    const placeholder = 'Removed at the request of the company';
    const same = panels
      .map(
        ([name], i) =>
          `<div class="panel"><h3>${i % 2 ? placeholder : name}</h3><p>Posted 2024-01-0${i + 1}, files below.</p></div>`,
      )
      .concat([`<div class="panel"><h3>${placeholder}</h3><p>Posted 2024-01-09.</p></div>`])
      .join('');
    const result = read(`<html><body><div class="main">${same}</div></body></html>`);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Grantham Regional Hospital',
      'Vasquez & Ortiz Attorneys',
    ]);
    expect(result.explanation).toMatch(
      /Filtered 3 placeholder title \(same title 3\+ times\) \(e\.g\. "Removed at the request of the company"\)/,
    );
  });

  it('drops blocks whose heading is only a state ("Paid"), without taking their loose text as a title', () => {
    const blocks = panels
      .map(
        ([name], i) =>
          `<div class="panel"><h3>${i % 2 ? 'Paid' : name}</h3><p>Posted 2024-01-0${i + 1}, files below.</p></div>`,
      )
      .join('');
    const result = read(`<html><body><div class="main">${blocks}</div></body></html>`);
    expect(result.posts.map((post) => post.title)).toEqual([
      'Grantham Regional Hospital',
      'Vasquez & Ortiz Attorneys',
    ]);
  });

  it('reads dates, the website, the files and a published status from the progress bar', () => {
    const post = read(page).posts[0];
    expect(post).toMatchObject({
      date: 'Mar 04, 2024',
      status: 'published',
      website: 'https://www.grantham.example/',
    });
    expect(post?.attachments).toEqual([`${SITE}download/0/part1.7z`, `${SITE}download/0/part2.7z`]);
    expect(post?.link).toBeUndefined();
  });
});

describe('minified one-line HTML', () => {
  const posts = [
    ['stonebridge-law.com', 7, 'Опубликовано: 12 Марта 2024'],
    ['Мы открыты для переговоров', 6, 'Опубликовано: 10 Марта 2024'],
    ['hanse-logistik.de 80 GB data stolen', 5, 'Опубликовано: 02 Марта 2024'],
    ['medilab-ouest.fr', 4, 'Опубликовано: 27 Февраля 2024'],
  ];
  const page = `<!doctype html><html><head><style>.post{margin:0}</style><title>Утечки</title></head><body><header><div class="container"><a href="/" class="top-link active">Утечки</a><a href="/news" class="top-link">Новости</a><a href="/about" class="top-link">О нас</a></div></header><div class="container"><div class="row">${posts
    .map(
      ([title, id, date]) =>
        `<div class="col-lg-6"><div class="post"><a href="/post/${id}" class="title">${title}</a><div class="time"><span class="date">${date}</span><span class="views">Просмотров: 1${id}04</span></div><p>Клиентская база и бухгалтерия</p><a href="/post/${id}">Читать далее</a></div></div>`,
    )
    .join('')}</div></div><script>window.x=1</script></body></html>`;

  it('reads posts from a page on a single line, with Russian dates', () => {
    expect(page.includes('\n')).toBe(false);
    const result = read(page);
    expect(result.posts.map((post) => post.title)).toEqual(posts.map(([title]) => title));
    expect(result.posts[0]).toMatchObject({ date: '12 Марта 2024', link: `${SITE}post/7` });
    expect(result.posts[0]?.publishedAt?.toISOString()).toBe('2024-03-12T00:00:00.000Z');
  });
});

describe('non-Latin text', () => {
  it('reads Chinese and Japanese titles in a list of items', () => {
    const names = ['华东精密机械有限公司', '株式会社サクラ物流', '深圳星河电子科技', '北海道みらい病院'];
    const page = `<html><body><div class="top"><a href="/">首页</a><a href="/about">关于</a></div><ul class="leaks">${names
      .map(
        (name, i) =>
          `<li class="leak"><a href="/l/${i}">${name}</a><span class="date">2024年3月${i + 1}日</span><p class="desc">泄露数据 ${i + 2}00 GB，包括财务和员工资料。</p></li>`,
      )
      .join('')}</ul></body></html>`;
    expect(titles(page)).toEqual(names);
  });
});

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
