import { describe, expect, it } from 'vitest';
import site from './daixin.ts';
import { readFixture, rootOf } from './fixture-page.ts';

const files = rootOf(site);
// Written for this test: Daixin's Bootstrap cards, an <img> flag inside the title, the website as first link,
// and the page's own broken markup (`<a <a href=…>`, an unclosed <a>).
const page = `<!DOCTYPE html><html lang="en"><head><title>Data Leak</title></head>
<body class="bg-dark"><div class="cover-container"><h1 class="fs-100">DAIXIN Team</h1>
<main class="px-3 text-warning">Here you can get links to:
  <p class="text-start text-warning">Information compromised includes names and medical record numbers.</p>
  <div class="border border-warning card-body shadow-lg ">
    <h4 class="border-danger card-title text-start text-white"><img src="LE.png"/> Azur Analyses Médicales (FR)</h4>
    <h6 class="card-subtitle mb-2 text-muted text-start">Web Site:<a href="https://azur-analyses.example">https://azur-analyses.example</a></h6>
    <p class="card-text text-start text-white">Laboratoire d'analyses médicales.</p><hr>
    <p class="card-text text-start text-white">STOLEN DATA INCLUDES: lab reports <a href="${files}azur/fileslist.zip"> fileslist.zip</a></p>
    <h6 class="card-subtitle mb-2 text-muted text-start">======<a <a href="${files}azur/full/"> ==== FULL LEAK ==== </a>======</h6>
  </div>
<p>
  <div class="border border-warning card-body shadow-lg ">
    <h4 class="border-danger card-title text-start text-white"><img src="LE.png"/>  Clinique du Lac (CH)</h4>
    <h6 class="card-subtitle mb-2 text-muted text-start">Web Site:<a href="https://clinique-lac.example/">https://clinique-lac.example<a></h6>
    <p class="card-text text-start text-white">Private clinic.</p>
    <h6 class="card-subtitle mb-2 text-muted text-start">Leak 1 :<a href="${files}lac/patients.csv.zip"> patients.csv.zip</a></h6>
  </div>
<p>
</main></div></body></html>`;

describe('daixin definition', () => {
  const { posts } = readFixture(site, page);

  it('reads the title text beside the <img>, country included, and nothing from the intro paragraph', () => {
    expect(posts.map((post) => post.title)).toEqual(['Azur Analyses Médicales (FR)', 'Clinique du Lac (CH)']);
  });

  it('reads the website, never takes it for the post link, and collects the dump links', () => {
    expect(posts[0]?.website).toBe('https://azur-analyses.example');
    expect(posts[1]?.website).toBe('https://clinique-lac.example/');
    expect(posts.map((post) => post.link)).toEqual([undefined, undefined]);
    expect(posts[0]?.attachments).toEqual([`${files}azur/fileslist.zip`, `${files}azur/full/`]);
    expect(posts[1]?.attachments).toEqual([`${files}lac/patients.csv.zip`]);
  });
});
