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
