import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.ts';
import type { Db } from '../../src/store/db.ts';
import { translateDbError } from '../../src/store/db-errors.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { upsertPost } from '../../src/store/posts.repository.ts';
import {
  alerts,
  channels,
  documents,
  identifierHashes,
  incidents,
  matches,
  postDocuments,
  postEvents,
  posts,
} from '../../src/store/schema/index.ts';
import { deleteSite } from '../../src/store/sites.repository.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createSite, uniqueId } from './fixtures.ts';

/** Schema-level guarantees the repositories and the pipeline rely on, checked on both engines. */
describe.each(DRIVERS)('schema constraints on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  async function world() {
    const siteId = await createSite(db);
    const { post } = await upsertPost(db, { siteId, stableKey: uniqueId('p'), title: 'Victim' });
    const org = await createOrganisation(db, {
      slug: uniqueId('org'),
      name: 'Org',
      domains: ['org.example'],
    });
    const [document] = await db
      .insert(documents)
      .values({ sha256: uniqueId('sha'), name: 'dump.zip' })
      .returning();
    if (!document) throw new Error('no document');
    return { siteId, post, org, document };
  }

  it('keeps one match per (post, document, org), also when the document is null (NULLS NOT DISTINCT)', async () => {
    const { post, org, document } = await world();
    const match = { postId: post.id, orgId: org.id, severity: 'high' as const };
    await db.insert(matches).values({ ...match, documentId: null });
    const duplicate = await db
      .insert(matches)
      .values({ ...match, documentId: null })
      .catch((e: unknown) => e);
    const translated = translateDbError(duplicate, { action: 'cannot record match' });
    expect(translated).toBeInstanceOf(InputError);
    expect((translated as InputError).code).toBe('db.duplicate');
    expect((translated as InputError).message).toContain('matches_postId_documentId_orgId_unique');
    // Another document of the same post is another match; an upsert on the constraint updates in place.
    await db.insert(matches).values({ ...match, documentId: document.id });
    await db
      .insert(matches)
      .values({ ...match, documentId: null, severity: 'critical' })
      .onConflictDoUpdate({
        target: [matches.postId, matches.documentId, matches.orgId],
        set: { severity: sql`excluded.severity` },
      });
    const rows = await db.select().from(matches).where(eq(matches.postId, post.id));
    expect(rows.map((r) => [r.documentId, r.severity]).sort()).toEqual(
      [
        [document.id, 'high'],
        [null, 'critical'],
      ].sort(),
    );
  });

  it('stores a document once by sha256 and links it to posts once per source URL', async () => {
    const { post, document } = await world();
    await expect(
      db.insert(documents).values({ sha256: document.sha256, name: 'again.zip' }),
    ).rejects.toThrow();
    const link = {
      postId: post.id,
      documentId: document.id,
      sourceUrl: 'http://x.onion/f/1',
      fileName: 'dump.zip',
    };
    await db.insert(postDocuments).values(link);
    await expect(db.insert(postDocuments).values(link)).rejects.toThrow();
  });

  it('keeps identifier hashes unique per (org, kind, hash) and returns them as Buffers', async () => {
    const { org } = await world();
    const hash = Buffer.from('9f'.repeat(32), 'hex');
    await db.insert(identifierHashes).values({ orgId: org.id, kind: 'email', hash });
    await expect(
      db.insert(identifierHashes).values({ orgId: org.id, kind: 'email', hash }),
    ).rejects.toThrow();
    await db.insert(identifierHashes).values({ orgId: org.id, kind: 'login', hash });
    const rows = await db.select().from(identifierHashes).where(eq(identifierHashes.orgId, org.id));
    expect(rows).toHaveLength(2);
    expect(Buffer.isBuffer(rows[0]?.hash)).toBe(true);
    expect(rows[0]?.hash.equals(hash)).toBe(true);
  });

  it('deleting a post cascades to its links, events and matches, keeps shared documents, unlinks alerts', async () => {
    const { post, org, document } = await world();
    await db
      .insert(postDocuments)
      .values({ postId: post.id, documentId: document.id, sourceUrl: 'u', fileName: 'f' });
    await db.insert(postEvents).values({ postId: post.id, kind: 'new' });
    await db.insert(matches).values({ postId: post.id, orgId: org.id, severity: 'low' });
    const [incident] = await db
      .insert(incidents)
      .values({ orgId: org.id, firstPostId: post.id, title: 'Leak', severity: 'low' })
      .returning();
    const [channel] = await db
      .insert(channels)
      .values({ orgId: org.id, name: 'c', type: 'console' })
      .returning();
    const [alert] = await db
      .insert(alerts)
      .values({
        channelId: channel?.id ?? 0,
        orgId: org.id,
        postId: post.id,
        kind: 'match',
        dedupeKey: uniqueId('k'),
        severity: 'low',
        payload: {},
      })
      .returning();

    await db.delete(posts).where(eq(posts.id, post.id));
    expect(await db.select().from(postDocuments).where(eq(postDocuments.postId, post.id))).toEqual([]);
    expect(await db.select().from(postEvents).where(eq(postEvents.postId, post.id))).toEqual([]);
    expect(await db.select().from(matches).where(eq(matches.postId, post.id))).toEqual([]);
    expect(await db.select().from(documents).where(eq(documents.id, document.id))).toHaveLength(1);
    const [keptIncident] = await db
      .select()
      .from(incidents)
      .where(eq(incidents.id, incident?.id ?? 0));
    expect(keptIncident?.firstPostId).toBeNull();
    const [keptAlert] = await db
      .select()
      .from(alerts)
      .where(eq(alerts.id, alert?.id ?? 0));
    expect(keptAlert?.postId).toBeNull();
  });

  it('deleting a site cascades through its posts to their matches', async () => {
    const { siteId, post, org } = await world();
    await db.insert(matches).values({ postId: post.id, orgId: org.id, severity: 'medium' });
    await deleteSite(db, siteId);
    expect(await db.select().from(posts).where(eq(posts.siteId, siteId))).toEqual([]);
    expect(await db.select().from(matches).where(eq(matches.orgId, org.id))).toEqual([]);
  });

  it('deleting an organisation cascades to its hashes, matches, incidents, channels and alerts', async () => {
    const { post, org } = await world();
    await db.insert(identifierHashes).values({ orgId: org.id, kind: 'email', hash: Buffer.alloc(32, 1) });
    await db.insert(matches).values({ postId: post.id, orgId: org.id, severity: 'low' });
    await db.insert(incidents).values({ orgId: org.id, title: 'Leak', severity: 'low' });
    const [channel] = await db
      .insert(channels)
      .values({ orgId: org.id, name: 'c', type: 'discord' })
      .returning();
    await db.insert(alerts).values({
      channelId: channel?.id ?? 0,
      orgId: org.id,
      kind: 'match',
      dedupeKey: 'd',
      severity: 'low',
      payload: {},
    });
    await testDb.database.query('delete from organisations where id = $1', [org.id]);
    for (const table of ['identifier_hashes', 'matches', 'incidents', 'channels', 'alerts', 'org_domains']) {
      const [row] = await testDb.database.query<{ n: number | string }>(
        `select count(*) as n from ${table} where org_id = $1`,
        [org.id],
      );
      expect([table, Number(row?.n)]).toEqual([table, 0]);
    }
    expect(await db.select().from(posts).where(eq(posts.id, post.id))).toHaveLength(1);
  });
});
