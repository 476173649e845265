/**
 * A retro-hunt reads each stored document once, however many posts link it, and records what it finds for every one
 * of those posts (each with its own match record and incident link).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextRecord } from '../../src/extract/text-record.ts';
import type { MatchDeps } from '../../src/match/match-service.ts';
import { type DocumentToRead, retroHunt } from '../../src/match/retro-hunt.ts';
import { addWatchTerms, createOrganisation } from '../../src/store/organisations.repository.ts';
import { matches, postDocuments } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createDocument, createPost, testDeps } from './support.ts';

describe.each(DRIVERS)('retro-hunt over shared documents on %s', (driver) => {
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
});
