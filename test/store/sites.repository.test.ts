import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishRun, startRun } from '../../src/store/crawl-runs.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { markPostsMissing, upsertPosts } from '../../src/store/posts.repository.ts';
import {
  deleteSite,
  getSite,
  listCrawlableSites,
  listSites,
  recordMirrorResult,
  recordSiteHealth,
  setSiteEnabled,
  upsertSite,
} from '../../src/store/sites.repository.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createSite, siteDefinition, uniqueId } from './fixtures.ts';

const mirror = (letter: string) => `http://${letter.repeat(56)}.onion/`;

describe.each(DRIVERS)('sites repository on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('creates a site with its mirrors in order, and upserting it again is idempotent', async () => {
    const definition = siteDefinition({ mirrors: [mirror('b'), mirror('a')] });
    const first = await upsertSite(db, definition);
    expect(first.created).toBe(true);
    expect(first.site.mirrors.map((m) => [m.url, m.position])).toEqual([
      [mirror('b'), 0],
      [mirror('a'), 1],
    ]);
    const again = await upsertSite(db, definition);
    expect(again.created).toBe(false);
    expect(again.site.mirrors.map((m) => m.id)).toEqual(first.site.mirrors.map((m) => m.id));
    expect(again.site.createdAt).toEqual(first.site.createdAt);
  });

  it('updates the definition, reorders and prunes mirrors, and keeps a surviving mirror with its history', async () => {
    const definition = siteDefinition({ mirrors: [mirror('a'), mirror('b')] });
    const { site } = await upsertSite(db, definition);
    const kept = site.mirrors.find((m) => m.url === mirror('b'));
    await recordMirrorResult(db, kept?.id ?? -1, 'timeout');
    const { site: updated } = await upsertSite(db, {
      ...definition,
      name: 'Renamed',
      engine: 'browser',
      mirrors: [mirror('c'), mirror('b'), mirror('c')],
    });
    expect(updated.name).toBe('Renamed');
    expect(updated.engine).toBe('browser');
    expect(updated.mirrors.map((m) => m.url)).toEqual([mirror('c'), mirror('b')]);
    const survivor = updated.mirrors.find((m) => m.url === mirror('b'));
    expect(survivor?.id).toBe(kept?.id);
    expect(survivor?.position).toBe(1);
    expect(survivor?.consecutiveFailures).toBe(1);
    expect(survivor?.lastError).toBe('timeout');
  });

  it('keeps an operator-set enabled flag when the definition does not say', async () => {
    const definition = siteDefinition();
    await upsertSite(db, definition);
    await setSiteEnabled(db, definition.id, false);
    expect((await upsertSite(db, definition)).site.enabled).toBe(false);
    expect((await upsertSite(db, { ...definition, enabled: true })).site.enabled).toBe(true);
  });

  it('rejects bad definitions with InputErrors', async () => {
    await expect(upsertSite(db, siteDefinition({ id: 'Bad Id' }))).rejects.toMatchObject({
      code: 'site.invalid_id',
    });
    await expect(upsertSite(db, siteDefinition({ mirrors: [] }))).rejects.toMatchObject({
      code: 'site.no_mirrors',
    });
    await expect(upsertSite(db, siteDefinition({ mirrors: ['not a url'] }))).rejects.toMatchObject({
      code: 'site.invalid_mirror',
    });
  });

  it('lists sites with mirrors, their latest run and post counts', async () => {
    const busy = await createSite(db, { id: uniqueId('busy') });
    const idle = await createSite(db, { id: uniqueId('idle') });
    const older = await startRun(db, { siteId: busy });
    await finishRun(db, older.id, { status: 'down' });
    const latest = await startRun(db, { siteId: busy });
    await finishRun(db, latest.id, { status: 'succeeded', counters: { postsNew: 3 } });
    await upsertPosts(
      db,
      ['a', 'b', 'c'].map((stableKey) => ({ siteId: busy, stableKey, title: stableKey })),
    );
    await markPostsMissing(db, { siteId: busy, seenKeys: ['a', 'b'], removeAfterRuns: 1 });

    const listed = await listSites(db);
    const busyRow = listed.find((s) => s.id === busy);
    const idleRow = listed.find((s) => s.id === idle);
    expect(busyRow?.lastRun?.id).toBe(latest.id);
    expect(busyRow?.lastRun?.status).toBe('succeeded');
    expect(busyRow?.posts).toEqual({ total: 3, active: 2, removed: 1 });
    expect(busyRow?.mirrors).toHaveLength(1);
    expect(busyRow?.lastSuccessAt).toBeInstanceOf(Date);
    expect(idleRow?.lastRun).toBeNull();
    expect(idleRow?.posts).toEqual({ total: 0, active: 0, removed: 0 });
    expect(listed.map((s) => s.id)).toEqual([...listed.map((s) => s.id)].sort());
  });

  it('records health transitions, failure counts and back-off', async () => {
    const siteId = await createSite(db);
    const retryAt = new Date(Date.now() + 3_600_000);
    const down = await recordSiteHealth(db, siteId, {
      health: 'down',
      detail: 'timeout',
      nextAttemptAt: retryAt,
    });
    expect(down).toMatchObject({ previous: 'unknown', changed: true });
    expect(down.site.consecutiveFailures).toBe(1);
    expect(down.site.healthSince).toBeInstanceOf(Date);
    expect(down.site.nextAttemptAt).toEqual(retryAt);
    expect((await listCrawlableSites(db)).map((s) => s.id)).not.toContain(siteId);

    const stillDown = await recordSiteHealth(db, siteId, { health: 'down', nextAttemptAt: retryAt });
    expect(stillDown.changed).toBe(false);
    expect(stillDown.site.consecutiveFailures).toBe(2);
    expect(stillDown.site.healthSince).toEqual(down.site.healthSince);

    const up = await recordSiteHealth(db, siteId, { health: 'up' });
    expect(up).toMatchObject({ previous: 'down', changed: true });
    expect(up.site).toMatchObject({ consecutiveFailures: 0, nextAttemptAt: null, health: 'up' });
    expect(up.site.lastSuccessAt).toBeInstanceOf(Date);
    expect((await listCrawlableSites(db)).map((s) => s.id)).toContain(siteId);
    await expect(recordSiteHealth(db, 'no-such-site', { health: 'up' })).rejects.toMatchObject({
      code: 'site.not_found',
    });
  });

  it('deletes a site with its mirrors, runs and posts', async () => {
    const siteId = await createSite(db);
    await startRun(db, { siteId });
    await upsertPosts(db, [{ siteId, stableKey: 'k', title: 't' }]);
    expect(await deleteSite(db, siteId)).toBe(true);
    expect(await getSite(db, siteId)).toBeNull();
    expect(await deleteSite(db, siteId)).toBe(false);
    const counts = await testDb.database.query<{ n: number | string }>(
      `select (select count(*) from site_mirrors where site_id = $1) + (select count(*) from crawl_runs where site_id = $1)
        + (select count(*) from posts where site_id = $1) as n`,
      [siteId],
    );
    expect(Number(counts[0]?.n)).toBe(0);
  });
});
