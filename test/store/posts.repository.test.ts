import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.ts';
import type { Db } from '../../src/store/db.ts';
import {
  countPosts,
  getPost,
  getPostByKey,
  insertPosts,
  listPosts,
  markPostsMissing,
  markPostsSeen,
  type PostInput,
  upsertPost,
  upsertPosts,
} from '../../src/store/posts.repository.ts';
import { posts } from '../../src/store/schema/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createSite, uniqueId } from './fixtures.ts';

describe.each(DRIVERS)('posts repository on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  const post = (siteId: string, stableKey: string, extra: Partial<PostInput> = {}): PostInput => ({
    siteId,
    stableKey,
    title: `Victim ${stableKey}`,
    ...extra,
  });

  it('inserts a new post, then recognises the same observation as unchanged (idempotent)', async () => {
    const siteId = await createSite(db);
    const input = post(siteId, 'http://x.onion/p/1', { bodyText: 'We have 40 GB', status: 'published' });
    const first = await upsertPost(db, input);
    expect(first.outcome).toBe('new');
    expect(first.reappeared).toBe(false);
    const second = await upsertPost(db, input);
    expect(second.outcome).toBe('unchanged');
    expect(second.post.id).toBe(first.post.id);
    expect(second.post.firstSeenAt).toEqual(first.post.firstSeenAt);
    expect(second.post.lastSeenAt.getTime()).toBeGreaterThanOrEqual(first.post.lastSeenAt.getTime());
    expect(second.post.contentHash).toBe(first.post.contentHash);
    expect(await countPosts(db, { siteId })).toBe(1);
  });

  it('reports a changed observation as updated and stores the new content', async () => {
    const siteId = await createSite(db);
    await upsertPost(db, post(siteId, 'k1', { bodyText: 'countdown 3 days', status: 'countdown' }));
    const changed = await upsertPost(
      db,
      post(siteId, 'k1', { bodyText: 'files published', status: 'published' }),
    );
    expect(changed.outcome).toBe('updated');
    expect(changed.post.bodyText).toBe('files published');
    expect(changed.post.status).toBe('published');
  });

  it('keeps stored fields that a later observation leaves out, and never downgrades a known status', async () => {
    const siteId = await createSite(db);
    const publishedAt = new Date('2024-03-01T12:00:00Z');
    await upsertPost(
      db,
      post(siteId, 'k', { bodyText: 'full text', website: 'lab.example', status: 'published', publishedAt }),
    );
    const { post: stored } = await upsertPost(db, post(siteId, 'k'));
    expect(stored.bodyText).toBe('full text');
    expect(stored.website).toBe('lab.example');
    expect(stored.status).toBe('published');
    expect(stored.publishedAt).toEqual(publishedAt);
  });

  it('upserts a batch with per-post outcomes, collapsing duplicate keys', async () => {
    const siteId = await createSite(db);
    await upsertPosts(db, [post(siteId, 'same'), post(siteId, 'changes', { bodyText: 'v1' })]);
    const results = await upsertPosts(db, [
      post(siteId, 'same'),
      post(siteId, 'changes', { bodyText: 'v2' }),
      post(siteId, 'fresh', { title: 'first title' }),
      post(siteId, 'fresh', { title: 'pinned twice' }),
    ]);
    const outcomes = Object.fromEntries(results.map((r) => [r.post.stableKey, r.outcome]));
    expect(outcomes).toEqual({ same: 'unchanged', changes: 'updated', fresh: 'new' });
    expect((await getPostByKey(db, siteId, 'fresh'))?.title).toBe('pinned twice');
  });

  it('reports exactly one "new" when two upserts of the same post race', async () => {
    const siteId = await createSite(db);
    const input = post(siteId, 'raced');
    const results = await Promise.all([upsertPost(db, input), upsertPost(db, input), upsertPost(db, input)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['new', 'unchanged', 'unchanged']);
  });

  it('turns an unknown site into an InputError naming it, not a driver error', async () => {
    const error = await upsertPost(db, post('no-such-site', 'k')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('post.unknown_site');
    expect((error as InputError).message).toContain('"no-such-site"');
    expect((error as InputError).message).not.toContain('Failed query');
    await expect(insertPosts(db, [post('no-such-site', 'k')])).rejects.toMatchObject({
      code: 'post.unknown_site',
    });
  });

  it('rejects posts without a title or key, and text the database cannot store, as InputErrors', async () => {
    const siteId = await createSite(db);
    await expect(upsertPost(db, post(siteId, 'k', { title: '  ' }))).rejects.toMatchObject({
      code: 'post.invalid',
    });
    await expect(upsertPost(db, post(siteId, ' '))).rejects.toMatchObject({ code: 'post.invalid' });
    const nul = await upsertPost(db, post(siteId, 'nul', { bodyText: 'a\u0000b' })).catch((e: unknown) => e);
    expect(nul).toBeInstanceOf(InputError);
    expect((nul as InputError).code).toBe('db.invalid_value');
  });

  it('bulk-inserts across batches and skips posts already stored', async () => {
    const siteId = await createSite(db);
    const inputs = Array.from({ length: 1203 }, (_, i) => post(siteId, `bulk-${i}`));
    expect(await insertPosts(db, inputs, { batchSize: 500 })).toBe(1203);
    expect(await insertPosts(db, inputs.slice(0, 10))).toBe(0);
    expect(await countPosts(db, { siteId })).toBe(1203);
  });

  it('counts missing runs, declares removal at the threshold, and notices a reappearance', async () => {
    const siteId = await createSite(db);
    await upsertPosts(
      db,
      ['a', 'b', 'c'].map((key) => post(siteId, key, { status: 'published' })),
    );
    const first = await markPostsMissing(db, { siteId, seenKeys: ['a'], removeAfterRuns: 2 });
    expect(first).toEqual({ missing: 2, removed: [] });
    const second = await markPostsMissing(db, { siteId, seenKeys: ['a'], removeAfterRuns: 2 });
    expect(second.missing).toBe(2);
    expect(second.removed.map((p) => p.stableKey).sort()).toEqual(['b', 'c']);
    expect(second.removed[0]?.status).toBe('removed');
    expect(second.removed[0]?.removedAt).toBeInstanceOf(Date);
    // Removed posts are not counted again.
    expect((await markPostsMissing(db, { siteId, seenKeys: [], removeAfterRuns: 2 })).missing).toBe(1);
    expect(await countPosts(db, { siteId, includeRemoved: false })).toBe(1); // 'a', missing once

    const back = await upsertPost(db, post(siteId, 'b', { status: 'published' }));
    expect(back.reappeared).toBe(true);
    expect(back.post.removedAt).toBeNull();
    expect(back.post.missingRuns).toBe(0);
    expect(back.post.status).toBe('published');
    const c = await upsertPost(db, post(siteId, 'c'));
    expect(c.post.status).toBe('unknown');
  });

  it('marks posts seen, resetting their missing count', async () => {
    const siteId = await createSite(db);
    const { post: p } = await upsertPost(db, post(siteId, 'seen'));
    await markPostsMissing(db, { siteId, seenKeys: [], removeAfterRuns: 5 });
    expect((await getPost(db, p.id))?.missingRuns).toBe(1);
    expect(await markPostsSeen(db, [p.id])).toBe(1);
    expect((await getPost(db, p.id))?.missingRuns).toBe(0);
  });

  it('searches title and body accent- and case-insensitively', async () => {
    const siteId = await createSite(db);
    await upsertPosts(db, [
      post(siteId, 'lab', {
        title: 'Laboratoire Hélène Analyses',
        bodyText: 'Comptes patients et résultats',
      }),
      post(siteId, 'other', { title: 'Acme Corp', bodyText: 'Données de Hélène Dupont' }),
      post(siteId, 'none', { title: 'Unrelated victim' }),
    ]);
    const keys = async (search: string) =>
      (await listPosts(db, { siteId, search })).map((p) => p.stableKey).sort();
    expect(await keys('helene')).toEqual(['lab', 'other']);
    expect(await keys('HÉLÈNE')).toEqual(['lab', 'other']);
    expect(await keys('resultats patients')).toEqual(['lab']);
    expect(await keys('helene laboratoire')).toEqual(['lab']);
    expect(await keys('absent')).toEqual([]);
    expect(await keys('   ')).toEqual(['lab', 'none', 'other']);
    expect(await countPosts(db, { siteId, search: 'Helene' })).toBe(2);
    const ranked = await listPosts(db, { siteId, search: 'hélène' });
    expect(ranked).toHaveLength(2);
    // Search stays scoped to the site asked for.
    expect(await listPosts(db, { siteId: 'no-such-site', search: 'helene' })).toEqual([]);
  });

  it('lists newest first without body text or search vector, and pages', async () => {
    const siteId = await createSite(db);
    await upsertPosts(
      db,
      [1, 2, 3].map((i) => post(siteId, `p${i}`, { bodyText: 'secret-ish body' })),
    );
    const page = await listPosts(db, { siteId, limit: 2 });
    expect(page).toHaveLength(2);
    expect(page[0]).not.toHaveProperty('bodyText');
    expect(page[0]).not.toHaveProperty('search');
    const rest = await listPosts(db, { siteId, limit: 2, offset: 2 });
    expect(rest).toHaveLength(1);
    expect(new Set([...page, ...rest].map((p) => p.stableKey))).toEqual(new Set(['p1', 'p2', 'p3']));
  });

  it('returns ids as numbers and timestamps as time-zone-aware Dates', async () => {
    const siteId = await createSite(db);
    const publishedAt = new Date('2024-03-01T12:34:56.789Z');
    const { post: p } = await upsertPost(db, post(siteId, uniqueId('tz'), { publishedAt }));
    expect(typeof p.id).toBe('number');
    expect(p.firstSeenAt).toBeInstanceOf(Date);
    // The database clock and ours agree to within minutes: no hours-long shift from a lost time zone.
    expect(Math.abs(p.firstSeenAt.getTime() - Date.now())).toBeLessThan(5 * 60_000);
    const read = await db.transaction(async (tx) => {
      await tx.execute(sql`set local timezone to 'Asia/Kathmandu'`);
      const [row] = await tx
        .select({ publishedAt: posts.publishedAt })
        .from(posts)
        .where(sql`${posts.id} = ${p.id}`);
      return row;
    });
    expect(read?.publishedAt).toBeInstanceOf(Date);
    expect(read?.publishedAt?.toISOString()).toBe(publishedAt.toISOString());
  });
});
