import { describe, expect, it } from 'vitest';
import { readFixture, rootOf } from './fixture-page.ts';
import site from './lorenz.ts';

const panel = (id: number, title: string, heading: string, progress: string, files: string) => `
<div id="comp${id}" class="panel panel-primary"><div class="panel-heading">
  <h3>${title}</h3> ${heading}
</div><div class="panel-body">
  <div class="progress"><div class="progress-bar progress-bar-striped active" role="progressbar">${progress}</div></div>
  ${files}
  <br> Key: [REDACTED]
  <div class="text-right"><a href="http://contact.invalid/index.php" class="btn btn-info" role="button">Contact us</a></div>
</div></div>`;

// Written for this test: Lorenz's layout: a fixed sidebar repeating every victim as a short alias, then one panel
// per victim; a "paid" panel without a title.
const page = `<!DOCTYPE html><html lang="en"><head><title>Lorenz</title></head><body>
<div class="jumbotron"><div class="container text-primary"><h2>Welcome to</h2><h1>Lorenz </h1></div></div>
<div class="container-fluid"><div class="row content">
  <div class="col-sm-3 sidenav"><h3><p class="cursive bg-info text-white text-center ">Lorenz</p></h3>
    <h5><p class="text-center">Company list</p></h5>
    <ul class="nav nav-pills nav-stacked scrollable-menu">
      <h6><li class="active"><a href="#comp12">Azur</a></li></h6>
      <h6><li><a href="#comp11">Bois</a></li></h6>
    </ul></div>
  <div class="col-sm-9"><h4><small>"Nothing personal".</small></h4><hr>
${panel(
  12,
  'Azur Analyses Médicales',
  `<h5><span class="label label-success pull-right">Patients database!</span></h5>
  <h5><span class="glyphicon glyphicon-time"></span>Posted Mar 02, 2024.</h5>
  <h5><a href="https://azur-analyses.example/" style="color: #ffffff">https://azur-analyses.example/</a></h5>`,
  'Uploaded 100% files',
  '<a href="../downloadr2/azur/list.files.txt" download="list.files.txt"><img src="../images/list.png"></a> Listing',
)}
<div id="comp99" class="panel panel-success"><div class="panel-heading">
  <h5>Paid for the providing confidentiality of the company</h5><h5>Posted Feb 20 2024.</h5></div></div>
${panel(
  11,
  ' Bois &amp; Scierie du Jura ',
  `<h5><span class="badge badge-secondary pull-right">More than 300 Gb</span></h5>
  <h5><span class="glyphicon glyphicon-time"></span>Posted Jan 9 2024 Updated Feb 01, 2024.</h5>
  <h5><a href="https://bois-jura.example" style="color: #ffffff">https://bois-jura.example</a><a></a></h5>`,
  'Uploaded 60% files',
  '<a href="../downloadr3/bois/files.7z.001" download="files.7z.001"><img src="../images/doocs1.png"></a> part 1',
)}
  </div></div></div></body></html>`;

describe('lorenz definition', () => {
  const { posts } = readFixture(site, page);

  it('reads the panels only: the sidebar aliases and the untitled "paid" panel give no posts', () => {
    expect(posts.map((post) => post.title)).toEqual(['Azur Analyses Médicales', 'Bois & Scierie du Jura']);
  });

  it('reads the posted date, website, size, upload status and files; panels have no page of their own', () => {
    expect(posts[0]).toMatchObject({
      date: 'Mar 02, 2024',
      website: 'https://azur-analyses.example/',
      status: 'published',
      attachments: [`${rootOf(site)}downloadr2/azur/list.files.txt`],
    });
    expect(posts[0]?.publishedAt?.toISOString()).toBe('2024-03-02T00:00:00.000Z');
    expect(posts[1]).toMatchObject({
      date: 'Jan 9 2024',
      size: '300 Gb',
      website: 'https://bois-jura.example',
    });
    expect(posts[1]?.status).toBeUndefined();
    expect(posts.map((post) => post.link)).toEqual([undefined, undefined]);
  });
});
