import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  defineSite,
  type SiteDefinition,
  type SiteDefinitionInput,
} from '../../src/parse/site-definition.ts';
import { type FixtureSite, fixtureSite, type OnionHarness } from './onion-harness/index.ts';

export interface FixturePost {
  slug: string;
  title: string;
  status: 'countdown' | 'published';
  date: string;
  files?: string[];
}

/** A listing page in a typical card layout, with numbered pagination. */
export function listingPage(posts: readonly FixturePost[], page: number, pages: number): string {
  const cards = posts
    .map(
      (post) => `<div class="card"><h3 class="title"><a href="/post/${post.slug}">${post.title}</a></h3>
      <span class="date">${post.date}</span><span class="badge">${post.status === 'countdown' ? '3d 04h 10m' : 'Published'}</span></div>`,
    )
    .join('\n');
  const links = Array.from({ length: pages }, (_, i) =>
    i + 1 === page ? `<b>${i + 1}</b>` : `<a class="page" href="/?page=${i + 1}">${i + 1}</a>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
    <header><a href="/">Home</a> <a href="/contact">Contact</a></header><main>${cards}</main>
    <nav class="pages">${links.join(' ')}</nav></body></html>`;
}

export function postPage(post: FixturePost): string {
  const files = (post.files ?? [])
    .map((name) => `<li><a class="file" href="/files/${name}">${name}</a></li>`)
    .join('');
  return `<!doctype html><html><body><h1>${post.title}</h1><div class="content"><p>We have ${post.slug} data: clients, reports.</p></div><ul>${files}</ul></body></html>`;
}

/** Serves `posts` across `pages` listing pages (page 1 at /) and a page per post. */
export function serveLeakSite(posts: readonly FixturePost[], pages: number): FixtureSite {
  const site = fixtureSite();
  publish(site, posts, pages);
  return site;
}

/** Replaces what the fixture site lists (a post disappears, a countdown ends…). */
export function publish(site: FixtureSite, posts: readonly FixturePost[], pages: number): void {
  site.routes.clear();
  const perPage = Math.ceil(posts.length / pages);
  for (let page = 1; page <= pages; page++) {
    const body = listingPage(posts.slice((page - 1) * perPage, page * perPage), page, pages);
    site.routes.set(page === 1 ? '/' : `/?page=${page}`, { body });
    if (page === 1) site.routes.set('/?page=1', { body });
  }
  for (const post of posts) site.routes.set(`/post/${post.slug}`, { body: postPage(post) });
}

/** The fixture layout's definition as written in a file (YAML) or passed to defineSite(). */
export function fixtureDefinitionInput(
  id: string,
  mirrors: readonly string[],
  engine: 'http' | 'browser' = 'http',
): SiteDefinitionInput {
  return {
    id,
    name: `Fixture ${id}`,
    group: id,
    engine,
    mirrors: mirrors.map((host) => `http://${host}/`),
    listing: {
      posts: 'div.card',
      fields: {
        title: 'h3.title',
        link: { selector: 'h3 a', attr: 'href' },
        date: 'span.date',
        status: 'span.badge',
      },
      pagination: { links: 'nav.pages a.page' },
    },
    detail: { description: 'div.content', attachments: 'a.file' },
  };
}

/** A definition for the fixture layout: the dead mirror first, so the crawler must fall back to the live one. */
export function fixtureDefinition(
  id: string,
  mirrors: readonly string[],
  engine: 'http' | 'browser' = 'http',
): SiteDefinition {
  return defineSite(fixtureDefinitionInput(id, mirrors, engine));
}

export function makePosts(count: number, prefix = 'victim'): FixturePost[] {
  return Array.from({ length: count }, (_, i) => ({
    slug: `${prefix}-${i + 1}`,
    title: `${prefix === 'victim' ? 'Victim' : prefix} Company ${i + 1}`,
    status: i % 3 === 0 ? 'countdown' : 'published',
    date: `2026-0${1 + (i % 9)}-1${i % 10}`,
  }));
}

export function serveWithDeadMirror(
  harness: OnionHarness,
  site: FixtureSite,
): { live: string; dead: string } {
  const dead = harness.serve(fixtureSite(), undefined, { dead: true });
  const live = harness.serve(site);
  return { live, dead };
}

/**
 * A sites directory holding one YAML definition (`locker`, every two seconds unless `overrides` say otherwise) of the
 * fixture layout served at `host`: what an operator's LEAKWATCH_SITES_DIR looks like, for tests and benchmarks that
 * run `leakwatch start`.
 */
export function writeLockerSitesDir(host: string, overrides: Partial<SiteDefinitionInput> = {}): string {
  const sitesDir = mkdtempSync(join(tmpdir(), 'lw-sites-'));
  writeFileSync(
    join(sitesDir, 'locker.yaml'),
    stringify({
      id: 'locker',
      name: 'Locker',
      group: 'locker',
      mirrors: [`http://${host}/`],
      schedule: '*/2 * * * * *',
      listing: {
        posts: 'div.card',
        fields: { title: 'h3.title', link: { selector: 'h3 a', attr: 'href' }, status: 'span.badge' },
      },
      detail: { description: 'div.content' },
      ...overrides,
    }),
  );
  return sitesDir;
}
