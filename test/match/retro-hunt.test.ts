/**
 * A retro-hunt reads each stored document once, however many posts link it, and records what it finds for every one
 * of those posts (each with its own match record and incident link). A hunt taken up again (its worker was stopped,
 * or died after its last saved progress) goes on from where it got to: posts and documents before its cursors are not
 * matched or read again, and its counts go on from the saved ones.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextRecord } from '../../src/extract/text-record.ts';
import type { MatchDeps } from '../../src/match/match-service.ts';
import {
  type DocumentToRead,
  type RetroHuntProgress,
  recordRetroHunt,
  retroHunt,
  runRecordedHunt,
} from '../../src/match/retro-hunt.ts';
import { addWatchTerms, createOrganisation } from '../../src/store/organisations.repository.ts';
import { getRetroHunt, type RetroHunt } from '../../src/store/retro-hunts.repository.ts';
import { matches, postDocuments, retroHunts } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createDocument, createPost, testDeps } from './support.ts';

describe.each(DRIVERS)('retro-hunts over stored posts and documents on %s', (driver) => {
  let test: TestDatabase;
  let deps: MatchDeps;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    deps = testDeps(test.database).deps;
  });
  afterAll(() => test?.close());

  it('reads a document linked by two posts once and records it for both', async () => {
    const { db } = test.database;
    const [clock] = await test.database.query<{ now: Date }>('select now() as now');
    const org = await createOrganisation(db, { slug: uniqueId('org'), name: 'Org' });
    const first = await createPost(db, { title: 'leak on site one' });
    const second = await createPost(db, { title: 'the same leak on site two' });
    const documentId = await createDocument(db, first.id, 'dump.txt', 'a'.repeat(64));
    await db.insert(postDocuments).values({
      postId: second.id,
      documentId,
      sourceUrl: `http://${'b'.repeat(56)}.onion/dump.txt`,
      fileName: 'dump.txt',
    });
    await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'Tezcatlipoca' }]);
    const reads: DocumentToRead[] = [];
    const result = await retroHunt(deps, {
      orgId: org.id,
      since: new Date(clock?.now as Date),
      readDocument: (document): TextRecord[] => {
        reads.push(document);
        return [
          { text: 'project TEZCATLIPOCA, 12 000 files', location: { document: document.name, line: 1 } },
        ];
      },
    });
    expect(reads.map((read) => read.documentId)).toEqual([documentId]);
    expect(result).toMatchObject({
      status: 'succeeded',
      postsTotal: 2,
      documentsTotal: 1,
      documentsDone: 1,
      documentsSkipped: 0,
      created: 2,
    });
    const records = await db.select().from(matches).where(eq(matches.documentId, documentId));
    expect(records.map((record) => record.postId).sort((a, b) => a - b)).toEqual(
      [first.id, second.id].sort((a, b) => a - b),
    );
    expect(records.every((record) => record.termsHit[0]?.pattern === 'Tezcatlipoca')).toBe(true);

    // Hunting again finds the same: nothing created or grown.
    const again = await retroHunt(deps, {
      orgId: org.id,
      since: new Date(clock?.now as Date),
      readDocument: () => [
        { text: 'project TEZCATLIPOCA, 12 000 files', location: { document: 'dump.txt' } },
      ],
    });
    expect(again).toMatchObject({ created: 0, grown: 0, documentsDone: 1 });
  });

  it('resumes from its cursors: nothing before them is matched or read again', async () => {
    const { db } = test.database;
    const [clock] = await test.database.query<{ now: Date }>('select now() as now');
    const since = new Date(clock?.now as Date);
    const org = await createOrganisation(db, { slug: uniqueId('org'), name: 'Org' });
    const posts = [];
    for (let i = 1; i <= 4; i++) posts.push(await createPost(db, { title: `Ixtlilton leak, part ${i}` }));
    const [p1, p2] = posts as [(typeof posts)[0], (typeof posts)[0]];
    const d1 = await createDocument(db, p1.id, 'one.txt', 'c'.repeat(64));
    const d2 = await createDocument(db, p1.id, 'two.txt', 'd'.repeat(64));
    await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'Ixtlilton' }]);

    const reads: number[] = [];
    const readDocument = (document: { documentId: number; name: string }): TextRecord[] => {
      reads.push(document.documentId);
      return [{ text: 'IXTLILTON files', location: { document: document.name, line: 1 } }];
    };
    const hunt = await recordRetroHunt(deps, { orgId: org.id, since, reason: 'test' });
    /** Runs the hunt from its row as a worker would, interrupted once `stopWhen` says so. */
    const runUntil = async (stopWhen: (p: RetroHuntProgress) => boolean) => {
      const interrupt = new AbortController();
      const row = (await getRetroHunt(db, hunt.id)) as RetroHunt;
      const status = await runRecordedHunt(deps, row, {
        readDocument,
        interrupt: interrupt.signal,
        onProgress: (p) => {
          if (stopWhen(p)) interrupt.abort();
        },
      });
      return { status, row: (await getRetroHunt(db, hunt.id)) as RetroHunt };
    };

    const first = await runUntil((p) => p.postsDone === 2);
    expect(first.status).toBe('interrupted');
    expect(first.row).toMatchObject({
      status: 'running',
      postsDone: 2,
      postCursor: p2.id,
      documentCursor: 0,
      changes: { created: 2, grown: 0 },
    });
    expect(reads).toEqual([]);

    // Were the first post matched again, its post match would come back.
    await db.delete(matches).where(and(eq(matches.postId, p1.id), isNull(matches.documentId)));

    const second = await runUntil((p) => p.documentsDone === 1);
    expect(second.status).toBe('interrupted');
    expect(second.row).toMatchObject({ postsDone: 4, documentsDone: 1, documentCursor: d1 });
    expect(reads).toEqual([d1]);

    const third = await runUntil(() => false);
    expect(third.status).toBe('succeeded');
    expect(reads).toEqual([d1, d2]);
    expect(third.row).toMatchObject({
      status: 'succeeded',
      postsTotal: 4,
      postsDone: 4,
      documentsTotal: 2,
      documentsDone: 2,
      changes: { created: 6, grown: 0 },
    });
    const postMatches = await db
      .select({ postId: matches.postId })
      .from(matches)
      .where(and(eq(matches.orgId, org.id), isNull(matches.documentId)));
    expect(postMatches.map((m) => m.postId).sort((a, b) => a - b)).toEqual(
      posts
        .slice(1)
        .map((p) => p.id)
        .sort((a, b) => a - b),
    );
  });

  it('starts counts again with the walk when a hunt saved counts but no cursor (before cursors existed)', async () => {
    const { db } = test.database;
    const [clock] = await test.database.query<{ now: Date }>('select now() as now');
    const org = await createOrganisation(db, { slug: uniqueId('org'), name: 'Org' });
    for (let i = 1; i <= 3; i++) await createPost(db, { title: `Tlaloc leak ${i}` });
    await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'Tlaloc' }]);
    const hunt = await recordRetroHunt(deps, { orgId: org.id, since: new Date(clock?.now as Date) });
    await db
      .update(retroHunts)
      .set({ postsDone: 2, changes: { created: 2, grown: 0 } })
      .where(eq(retroHunts.id, hunt.id));
    const status = await runRecordedHunt(deps, (await getRetroHunt(db, hunt.id)) as RetroHunt);
    expect(status).toBe('succeeded');
    expect(await getRetroHunt(db, hunt.id)).toMatchObject({
      postsTotal: 3,
      postsDone: 3,
      changes: { created: 3, grown: 0 },
    });
  });
});
