import { describe, expect, it } from 'vitest';
import site from './everest.ts';
import { readFixture, rootOf } from './fixture-page.ts';

const root = rootOf(site);
const article = (id: number, slug: string, title: string, text: string) => `
<article class="post-${id} post type-post status-publish format-standard hentry category-old" id="post-${id}">
<header class="entry-header has-text-align-center"><div class="entry-header-inner section-inner medium">
  <h2 class="entry-title heading-size-1"><a href="${root}${slug}/">${title}</a></h2>
</div></header>
<div class="post-inner thin "><div class="entry-content"><p>${text}</p></div></div>
<div class="section-inner"></div>
</article>
<hr class="post-separator styled-separator is-style-wide section-inner" aria-hidden="true" />`;

// Written for this test: WordPress twentytwenty markup (menus, search modal, posts, pagination), invented victims.
const page = `<!DOCTYPE html><html><head><title>Everest Group</title><style>.entry-title a{color:#000}</style></head>
<body class="home blog"><a class="skip-link screen-reader-text" href="#site-content">Skip to the content</a>
<header id="site-header"><div class="header-titles"><h1 class="site-title"><a href="${root}">Everest Group</a></h1></div>
<nav class="primary-menu-wrapper"><ul class="primary-menu reset-list-style">
  <li class="menu-item"><a href="${root}">Home</a></li><li class="menu-item"><a href="${root}about/">About</a></li></ul></nav>
</header>
<main id="site-content" role="main">
${article(1801, 'azur-analyses-medicales', 'Azur  Analyses Médicales', 'Patients lab reports, 40 000 accounts.')}
${article(1799, 'bois-scierie', 'Bois, Scierie &#038; Fils | Full Data', 'Full data publication')}
<div class="pagination-wrapper section-inner"><nav class="navigation pagination" aria-label="Posts">
  <div class="nav-links"><span aria-current="page" class="page-numbers current">1</span>
  <a class="page-numbers" href="${root}page/2/">2</a><span class="page-numbers dots">&hellip;</span>
  <a class="page-numbers" href="${root}page/9/">9</a>
  <a class="next page-numbers" href="${root}page/2/"><span class="nav-next-text">Older Posts</span></a></div>
</nav></div>
</main>
<footer id="site-footer"><p class="footer-copyright">&copy; 2025 <a href="${root}">Everest Group</a></p></footer>
</body></html>`;

describe('everest definition', () => {
  const { posts, nextPages } = readFixture(site, page);

  it('reads each article title (whitespace folded, entities decoded) and its link, not the menus', () => {
    expect(posts.map((post) => post.title)).toEqual([
      'Azur Analyses Médicales',
      'Bois, Scierie & Fils | Full Data',
    ]);
    expect(posts.map((post) => post.link)).toEqual([
      `${root}azur-analyses-medicales/`,
      `${root}bois-scierie/`,
    ]);
    expect(posts[0]?.description).toBe('Patients lab reports, 40 000 accounts.');
  });

  it('follows the WordPress pagination', () => {
    expect(nextPages).toEqual([`${root}page/2/`, `${root}page/9/`]);
  });
});
