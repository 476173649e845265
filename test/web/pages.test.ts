/** The analyst UI's pages through HTTP (Fastify inject) on both database drivers: lists, search, filters, details. */
import * as cheerio from 'cheerio';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { posts } from '../../src/store/schema/index.ts';
import { createSite } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { CAPTURED_HTML, PNG, type Seeded, seed, testEvidenceStore, testWebApp } from './support/seed.ts';

describe.each(DRIVERS)('web UI pages on %s', (driver) => {
  let test: TestDatabase;
  let evidence: LocalEvidenceStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  let pagedSite: string;
  let denseSite: string;

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    return { response, $: cheerio.load(response.body) };
  };
  const postTitles = async (url: string) => {
    const { response, $ } = await get(url);
    expect(response.statusCode).toBe(200);
    return $('tbody tr td:first-child a')
      .map((_, a) => $(a).text())
      .get();
  };

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    evidence = testEvidenceStore();
    seeded = await seed(test.database.db, evidence);
    // 130 posts on another site, some sharing a first-seen instant, for paging.
    pagedSite = await createSite(test.database.db, { groupName: 'PagerGroup' });
    const base = Date.parse('2026-01-01T00:00:00Z');
    await test.database.db.insert(posts).values(
      Array.from({ length: 130 }, (_, i) => ({
        siteId: pagedSite,
        stableKey: `p${i}`,
        title: `Paged victim ${String(i).padStart(3, '0')}`,
        status: 'unknown' as const,
        firstSeenAt: new Date(base + Math.floor(i / 3) * 60_000),
      })),
    );
    // 520 posts sharing a word: more hits than the search reads through the text index before walking by date.
    denseSite = await createSite(test.database.db, { groupName: 'DenseGroup' });
    await test.database.db.insert(posts).values(
      Array.from({ length: 520 }, (_, i) => ({
        siteId: denseSite,
        stableKey: `d${i}`,
        title: `Dense victim ${String(i).padStart(3, '0')}`,
        bodyText: i % 100 === 7 ? 'omnipresent and uncommon' : 'omnipresent',
        status: 'unknown' as const,
        firstSeenAt: new Date(Date.parse('2025-06-01T00:00:00Z') + i * 60_000),
      })),
    );
    app = testWebApp(test.database, { evidence });
  });
  afterAll(async () => {
    await app?.close();
    await test?.close();
  });

  it('sends / to /posts and lists posts newest first', async () => {
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/posts');
    const titles = await postTitles(`/posts?site=${seeded.siteId}`);
    expect(titles).toEqual([expect.stringContaining('Clinique Müller'), 'Acme Logistics']);
  });

  it('searches title and text accent- and case-insensitively, with phrases and exclusions', async () => {
    expect(await postTitles('/posts?q=muller')).toEqual([expect.stringContaining('Clinique Müller')]);
    expect(await postTitles('/posts?q=DONNEES+patients')).toEqual([
      expect.stringContaining('Clinique Müller'),
    ]);
    expect(await postTitles('/posts?q=contracts')).toEqual(['Acme Logistics']);
    expect(await postTitles(`/posts?q=${encodeURIComponent('"of acme"')}`)).toEqual(['Acme Logistics']);
    expect(await postTitles(`/posts?q=${encodeURIComponent('acme -invoices')}`)).toEqual([]);
    expect(await postTitles('/posts?q=nowhere')).toEqual([]);
  });

  it('filters by site, group, status and organisation matched', async () => {
    expect(await postTitles(`/posts?status=published&site=${seeded.siteId}`)).toEqual(['Acme Logistics']);
    expect(await postTitles(`/posts?org=${seeded.orgSlug}`)).toEqual([expect.stringContaining('Müller')]);
    const group = await postTitles(`/posts?group=PagerGroup`);
    expect(group).toHaveLength(50);
    expect(group.every((title) => title.startsWith('Paged victim'))).toBe(true);
    // Unknown values match nothing rather than widening the list.
    expect(await postTitles('/posts?status=bogus')).toEqual([]);
    expect(await postTitles('/posts?org=no-such-org')).toEqual([]);
    const { $ } = await get('/posts');
    expect($(`select[name=org] option[value="${seeded.orgSlug}"]`).text()).toContain('Laboratoire Azur');
    expect($('select[name=group] option[value="PagerGroup"]').length).toBe(1);
  });

  it('pages through every post once, in order, with a keyset cursor', async () => {
    const seen: string[] = [];
    let url: string | undefined = `/posts?site=${pagedSite}`;
    let pages = 0;
    while (url) {
      const { response, $ } = await get(url);
      expect(response.statusCode).toBe(200);
      seen.push(
        ...$('tbody tr td:first-child a')
          .map((_, a) => $(a).text())
          .get(),
      );
      url = $('a[rel=next]').attr('href');
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    // Newest first: the highest minute first; within a minute by id, newest first.
    expect(seen[0]).toBe('Paged victim 129');
    expect(seen.at(-1)).toBe('Paged victim 000');
  });

  it('pages through search results the same way whether the hits are few or many', async () => {
    const collect = async (first: string) => {
      const seen: string[] = [];
      let url: string | undefined = first;
      while (url) {
        const { $ } = await get(url);
        seen.push(
          ...$('tbody tr td:first-child a')
            .map((_, a) => $(a).text())
            .get(),
        );
        url = $('a[rel=next]').attr('href');
      }
      return seen;
    };
    const expected = (indexes: number[]) =>
      indexes.sort((a, b) => b - a).map((i) => `Dense victim ${String(i).padStart(3, '0')}`);
    const many = await collect('/posts?q=omnipresent');
    expect(many).toEqual(expected(Array.from({ length: 520 }, (_, i) => i)));
    const few = await collect('/posts?q=UNCOMMON+omnipresent');
    expect(few).toEqual(expected([7, 107, 207, 307, 407, 507]));
    expect(await collect(`/posts?q=omnipresent&site=${pagedSite}`)).toEqual([]);
  });

  it('shows a post with its facts, text, events, files, matches (masked samples), alerts and captures', async () => {
    const { response, $ } = await get(`/posts/${seeded.hostilePostId}`);
    expect(response.statusCode).toBe(200);
    expect($('h1').text()).toContain('Clinique Müller');
    expect($('pre.post-text').text()).toContain('Données patients');
    const text = $('main').text();
    expect(text).toContain('countdown');
    expect(text).toMatch(/\d d \d+ h left/);
    expect(text).toContain('files_added');
    // Document: name, size, sha256, sniffed type, status with its error, counts.
    expect(text).toContain('<svg onload=alert(3)>.csv');
    expect(text).toContain('2.4 MB');
    expect(text).toContain('ab'.repeat(32));
    expect(text).toContain('extraction failed: <script>bad</script>');
    expect(text).toContain('rows 17000');
    // Match: organisation, terms, counts per kind, verdict, categories, severity, masked samples.
    expect(text).toContain('Laboratoire Azur');
    expect(text).toContain('azur × 12');
    expect(text).toContain('email 40 · phone 3');
    expect(text).toContain('40 of 17000 records');
    expect(text).toContain('credentials, health');
    expect($('.sev-critical').length).toBeGreaterThan(0);
    expect(text).toContain('j***@l***.fr');
    // Alert: channel, state, lifecycle, attempts, last error.
    expect(text).toContain('soc-discord');
    expect($('td.state-failed').text()).toContain('failed');
    expect(text).toContain('HTTP 404 <img src=x onerror=alert(4)>');
    // Captures: a screenshot image and a text download of the page.
    expect($('img.screenshot').attr('src')).toBe(`/captures/${seeded.captureId}/screenshot`);
    expect($(`a[href="/captures/${seeded.captureId}/page.txt"]`).length).toBe(1);
  });

  it('serves the screenshot as an image and the captured page only as a text attachment', async () => {
    const image = await app.inject({ method: 'GET', url: `/captures/${seeded.captureId}/screenshot` });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(PNG)).toBe(true);
    const page = await app.inject({ method: 'GET', url: `/captures/${seeded.captureId}/page.txt` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(page.headers['content-disposition']).toBe(
      `attachment; filename="capture-${seeded.captureId}.html.txt"`,
    );
    expect(page.headers['content-security-policy']).toContain('sandbox');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toBe(CAPTURED_HTML);
  });

  it('answers 404 for unknown posts and captures, and 410 for evidence no longer stored', async () => {
    for (const url of [
      '/posts/999999999',
      '/posts/abc',
      '/posts/-1',
      '/captures/999999/screenshot',
      '/nowhere',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toBe('text/html; charset=utf-8');
    }
    const [screenshot] = await test.database.query<{ screenshot_sha256: string }>(
      'select screenshot_sha256 from captures where id = $1',
      [seeded.captureId],
    );
    const elsewhere = testWebApp(test.database, { evidence: testEvidenceStore() });
    try {
      expect(screenshot?.screenshot_sha256).toMatch(/^[0-9a-f]{64}$/);
      const gone = await elsewhere.inject({ method: 'GET', url: `/captures/${seeded.captureId}/screenshot` });
      expect(gone.statusCode).toBe(410);
      expect(gone.body).toContain('is not in the store');
    } finally {
      await elsewhere.close();
    }
  });

  it('lists sites with health, last run and post counts, and alerts with state and failure reason', async () => {
    const sites = await get('/sites');
    expect(sites.response.statusCode).toBe(200);
    const row = sites.$('tbody tr').filter((_, tr) => sites.$(tr).text().includes(seeded.siteId));
    expect(row.text()).toContain('unknown');
    expect(row.text()).toContain('never');
    expect(row.find(`a[href="/posts?site=${seeded.siteId}"]`).text()).toBe('2');

    const alerts = await get('/alerts?state=failed');
    expect(alerts.response.statusCode).toBe(200);
    expect(alerts.$('tbody tr').length).toBeGreaterThan(0);
    expect(alerts.$('main').text()).toContain('HTTP 404 <img src=x onerror=alert(4)>');
    expect(alerts.$(`a[href="/posts/${seeded.hostilePostId}"]`).length).toBe(1);
    expect((await get('/alerts?state=delivered')).$('tbody tr').length).toBe(0);
  });
});
