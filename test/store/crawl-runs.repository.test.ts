import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addRunCounters,
  finishRun,
  getRun,
  listRuns,
  listStaleRuns,
  startRun,
} from '../../src/store/crawl-runs.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { getSite } from '../../src/store/sites.repository.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createSite } from './fixtures.ts';

describe.each(DRIVERS)('crawl runs repository on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('starts a run with defaults and stamps the site', async () => {
    const siteId = await createSite(db);
    const site = await getSite(db, siteId);
    const run = await startRun(db, {
      siteId,
      mirrorId: site?.mirrors[0]?.id ?? null,
      worker: 'w1',
      trigger: 'manual',
    });
    expect(run).toMatchObject({
      siteId,
      status: 'running',
      trigger: 'manual',
      worker: 'w1',
      pagesFetched: 0,
      errors: [],
    });
    expect(typeof run.id).toBe('number');
    expect(run.startedAt).toBeInstanceOf(Date);
    expect(run.finishedAt).toBeNull();
    expect((await getSite(db, siteId))?.lastRunAt).toEqual(run.startedAt);
  });

  it('accumulates counters while running and finishes once with final values and errors', async () => {
    const siteId = await createSite(db);
    const run = await startRun(db, { siteId });
    await addRunCounters(db, run.id, { pagesFetched: 2, bytesFetched: 1000 });
    const progressed = await addRunCounters(db, run.id, { pagesFetched: 1, postsSeen: 40 });
    expect(progressed).toMatchObject({ pagesFetched: 3, bytesFetched: 1000, postsSeen: 40 });

    const finished = await finishRun(db, run.id, {
      status: 'partial',
      counters: { postsNew: 5, postsUpdated: 1 },
      errors: [{ code: 'fetch.timeout', message: 'page 3 timed out', url: 'http://x.onion/3' }],
      timings: { totalMs: 1234 },
    });
    expect(finished).toMatchObject({
      status: 'partial',
      pagesFetched: 3,
      postsSeen: 40,
      postsNew: 5,
      postsUpdated: 1,
    });
    expect(finished.errors).toEqual([
      { code: 'fetch.timeout', message: 'page 3 timed out', url: 'http://x.onion/3' },
    ]);
    expect(finished.timings).toEqual({ totalMs: 1234 });
    expect(finished.finishedAt).toBeInstanceOf(Date);
    expect(finished.finishedAt?.getTime()).toBeGreaterThanOrEqual(finished.startedAt.getTime());
    expect((await getSite(db, siteId))?.lastSuccessAt).toEqual(finished.finishedAt);
  });

  it('refuses to finish a run twice or touch a finished run, with InputErrors', async () => {
    const siteId = await createSite(db);
    const run = await startRun(db, { siteId });
    await finishRun(db, run.id, { status: 'down', errors: [{ code: 'tor', message: 'no circuit' }] });
    await expect(finishRun(db, run.id, { status: 'succeeded' })).rejects.toMatchObject({
      code: 'run.finished',
    });
    await expect(addRunCounters(db, run.id, { pagesFetched: 1 })).rejects.toMatchObject({
      code: 'run.finished',
    });
    await expect(finishRun(db, 987654321, { status: 'failed' })).rejects.toMatchObject({
      code: 'run.not_found',
    });
    const stored = await getRun(db, run.id);
    expect(stored?.status).toBe('down');
    expect((await getSite(db, siteId))?.lastSuccessAt).toBeNull();
  });

  it('validates input: unknown site or mirror, bad status or counters', async () => {
    const siteId = await createSite(db);
    await expect(startRun(db, { siteId: 'no-such-site' })).rejects.toMatchObject({
      code: 'run.unknown_site',
      message: expect.stringContaining('"no-such-site"'),
    });
    await expect(startRun(db, { siteId, mirrorId: 987654321 })).rejects.toMatchObject({
      code: 'run.unknown_mirror',
    });
    const run = await startRun(db, { siteId });
    await expect(finishRun(db, run.id, { status: 'running' as 'failed' })).rejects.toMatchObject({
      code: 'run.invalid_status',
    });
    await expect(addRunCounters(db, run.id, { pagesFetched: -1 })).rejects.toMatchObject({
      code: 'run.invalid_counter',
    });
    await expect(addRunCounters(db, run.id, { postsNew: 1.5 })).rejects.toMatchObject({
      code: 'run.invalid_counter',
    });
  });

  it('lists runs newest first and finds runs left running', async () => {
    const siteId = await createSite(db);
    const a = await startRun(db, { siteId });
    await finishRun(db, a.id, { status: 'succeeded' });
    const b = await startRun(db, { siteId });
    expect((await listRuns(db, { siteId })).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await listRuns(db, { siteId, limit: 1 })).map((r) => r.id)).toEqual([b.id]);
    const stale = await listStaleRuns(db, new Date(Date.now() + 60_000));
    expect(stale.map((r) => r.id)).toContain(b.id);
    expect(stale.map((r) => r.id)).not.toContain(a.id);
    expect(await listStaleRuns(db, new Date(Date.now() - 3_600_000))).toEqual([]);
  });
});
