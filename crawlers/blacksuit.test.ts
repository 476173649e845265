import { describe, expect, it } from 'vitest';
import site from './blacksuit.ts';
import { readFixture, rootOf } from './fixture-page.ts';

const dumps = 'http://dumpsxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion';
// Written for this test: BlackSuit's minified cards, one line, invented victims.
const page =
  '<!DOCTYPE html><html lang="en"> <head><title>Black Suit</title></head> <body> <div id="wrapper"> <h2>BLACK SUIT</h2> ' +
  '<nav> <form method="post" action="/"> <div class="search"> <input type="text" name="search" /> ' +
  '<button type="submit">Search</button> </div> </form> </nav> <main>' +
  '<div class="card"><div class="title"><a href="?id=AzurAAAA1111">Azur Analyses Médicales</a></div>' +
  '<div class="url"><a href="https://azur-analyses.example" target="_blank">Website</a></div>' +
  '<div class="text"><p>Laboratoire · Nice, France</p></div>' +
  '<div class="progressbar"><div class="progress" style="width: 100%"></div></div>' +
  `<div class="links"><a href="${dumps}/azur.7z" target="_blank">Link</a><a href="${dumps}/azur2.7z">Link</a></div></div>` +
  '<div class="card"><div class="title"><a href="?id=BoisBBBB2222">Bois &amp; Scierie du Jura</a></div>' +
  '<div class="url"><a href="http://bois-jura.example" target="_blank">Website</a></div>' +
  '<div class="text"><p>all files - will be posted within 5 days</p></div>' +
  '<div class="progressbar"><div class="progress" style="width: 35%"></div></div>' +
  `<div class="links"><a href="${dumps}/bois/" target="_blank">Link</a></div></div>` +
  '<div class="pagination"><a href="/?page=1">1</a><a href="/?page=2">2</a><a href="/?page=3">3</a></div>' +
  '</main> <a class="contact" href="?contact">Any problem? Contact us!</a> </div> </body></html>';

describe('blacksuit definition', () => {
  const { posts, nextPages } = readFixture(site, page);

  it('reads one post per card with its own page, website and dump links', () => {
    expect(posts.map((post) => post.title)).toEqual(['Azur Analyses Médicales', 'Bois & Scierie du Jura']);
    expect(posts[0]).toMatchObject({
      link: `${rootOf(site)}?id=AzurAAAA1111`,
      website: 'https://azur-analyses.example',
      attachments: [`${dumps}/azur.7z`, `${dumps}/azur2.7z`],
    });
    expect(posts[1]?.link).toBe(`${rootOf(site)}?id=BoisBBBB2222`);
  });

  it('reads a full progress bar as published and a partial one as no status', () => {
    expect(posts[0]?.status).toBe('published');
    expect(posts[1]?.status).toBeUndefined();
  });

  it('follows the numbered pages', () => {
    expect(nextPages).toEqual(['?page=1', '?page=2', '?page=3'].map((query) => `${rootOf(site)}${query}`));
  });
});
