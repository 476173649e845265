import { describe, expect, it } from 'vitest';
import site from './0mega.ts';
import { readFixture, rootOf } from './fixture-page.ts';

// Written for this test: the 0mega table layout with invented victims.
const page = `<html><head><title>0mega | Blog</title></head><body>
<div class="center block"><a href="/"><img class="lm" src="/assets/lm.svg" alt="Loading..."></a>
  <h3 class="htitle">0mega</h3><p><a href="https://example.invalid">clearnet</a></p></div>
<div class="center block"><h4 class="theading">Leaked Data</h4><p class="tstat">(2 cases total)</p>
<table class="datatable center">
  <tr><td><b>company name</b></td><td><b>leaked</b></td><td><b>tags</b></td><td><b>total data size</b></td>
      <td><b>last updated</b></td><td class="tab"><b>downloads</b></td></tr>
  <tr class='trow'><td>Azur Analyses Médicales</td><td>100%</td><td>Medical laboratory, patients</td>
      <td>41 GB</td><td>2024-03-02</td><td><a href="/post/12.html" target="_blank">open</a></td></tr>
  <tr class='trow'><td>Rotor & Fils SARL</td><td>40%</td><td>Helicopter parts</td>
      <td>3.2 TB</td><td>2023-11-20</td><td><a href="/post/11.html" target="_blank">open</a></td></tr>
</table></div></body></html>`;

describe('0mega definition', () => {
  const { posts } = readFixture(site, page);

  it('reads one post per victim row, not the header row', () => {
    expect(posts.map((post) => post.title)).toEqual(['Azur Analyses Médicales', 'Rotor & Fils SARL']);
  });

  it('reads link, date, size and the leaked share as status', () => {
    expect(posts[0]).toMatchObject({
      link: `${rootOf(site)}post/12.html`,
      date: '2024-03-02',
      size: '41 GB',
      status: 'published',
      description: 'Medical laboratory, patients',
    });
    expect(posts[0]?.publishedAt?.toISOString()).toBe('2024-03-02T00:00:00.000Z');
    expect(posts[1]?.link).toBe(`${rootOf(site)}post/11.html`);
    expect(posts[1]?.status).toBeUndefined();
  });
});
