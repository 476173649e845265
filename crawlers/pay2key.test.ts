import { describe, expect, it } from 'vitest';
import { readFixture, rootOf } from './fixture-page.ts';
import site from './pay2key.ts';

const article = (file: string, title: string) => `
<div class="article">
  <a href="./${file}.html"><img src="images/${file}.png" width="100%"></a>
  <div class="inner">
    <h3><a href="./${file}.html">${title}</a> <i style="color:#FFFFFF" class="fas fa-check-square"></i></h3>
  </div>
</div>`;

// Written for this test: Pay2Key's "Leak Directory": a header with its own h3 and contact links, then articles.
const page = `<!doctype html><html><head><title>Leak Directory!</title></head><body>
<div class="section-blog-header"><div class="container"><div class="row"><div class="col-md-10">
  <h3>Pay2Key - Leak Directory!</h3>
  <h3><a style="color:#FFFFFF" href="mailto:someone@example.invalid"><i class="fas fa-envelope"></i></a></h3>
</div></div></div></div>
<div class="section-blog"><div class="container"><div class="row"><div class="col-md-10"><div class="articles">
${article('azur', 'Azur - Analyses Médicales')}
${article('bois', 'BOIS - Scierie du Jura [Bois &amp; Fils]')}
</div></div></div></div></div>
<span style="float:right"><a class="twitter-timeline" href="https://example.invalid/timeline">Tweets</a></span>
</body></html>`;

describe('pay2key definition', () => {
  const { posts } = readFixture(site, page);

  it('reads the articles only, not the header titles', () => {
    expect(posts.map((post) => post.title)).toEqual([
      'Azur - Analyses Médicales',
      'BOIS - Scierie du Jura [Bois & Fils]',
    ]);
  });

  it('resolves the relative post links', () => {
    expect(posts.map((post) => post.link)).toEqual([`${rootOf(site)}azur.html`, `${rootOf(site)}bois.html`]);
  });
});
