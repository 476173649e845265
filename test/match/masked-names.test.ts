/**
 * What src/match derives from captured names — the incident title (from the post title) and the match locations (the
 * file name, or the path inside an archive) — holds the identifiers in them masked, and keeps the other words.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMatchDeps,
  matchDocument,
  matchPost,
  recordDocumentForNewPosts,
} from '../../src/match/match-service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { incidents, matches, postDocuments } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createDocument, createPost, csvRecords, SECRET, testDeps } from './support.ts';

const ORG_NAME = 'Laboratoire Azur Analytics';
const TITLE = 'Azur Analytics leak — jean.dupont@orange.fr NIR 2 80 03 75 118 042 24 sample';
const MASKED_TITLE = 'Azur Analytics leak — j***.d***@orange.fr NIR 2************4 sample';
const FILE = 'clients/paul.martin@free.fr_0698765432.csv';
const MASKED_FILE = 'clients/p***.m***@free.fr_+33*******32.csv';
const ROWS = [['Azur Analytics customer'], ['someone else'], ['Azur Analytics again']];

describe.each(DRIVERS)('captured names in match records on %s', (driver) => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    await createOrganisation(testDb.database.db, {
      slug: uniqueId('lab'),
      name: ORG_NAME,
      terms: [{ kind: 'phrase', pattern: 'Azur Analytics' }],
    });
  });
  afterAll(async () => {
    await testDb?.close();
  });

  async function incidentTitle(incidentId: number | null | undefined): Promise<string | undefined> {
    const [row] = await testDb.database.db
      .select({ title: incidents.title })
      .from(incidents)
      .where(eq(incidents.id, incidentId as number));
    return row?.title;
  }

  it('masks the e-mail and NIR of a post title in its incident title, and the file name in the locations', async () => {
    const { db } = testDb.database;
    const { deps } = testDeps(testDb.database);
    const post = await createPost(db, { title: TITLE });
    const byPost = await matchPost(deps, post.id);
    const postMatch = byPost.changes[0]?.match;
    expect(postMatch?.locations).toEqual([{ document: 'post title' }]);
    expect(await incidentTitle(postMatch?.incidentId)).toBe(`${ORG_NAME}: ${MASKED_TITLE} (${post.siteId})`);

    // Stored by content, as the crawler leaves it: the copy below finds the file's findings by its sha256.
    const documentId = await createDocument(db, post.id, FILE, randomBytes(32).toString('hex'));
    const byFile = await matchDocument(deps, {
      postId: post.id,
      documentId,
      records: csvRecords(FILE, ['note'], ROWS),
    });
    expect(byFile.changes[0]?.match.locations).toEqual([
      { document: MASKED_FILE, row: 2 },
      { document: MASKED_FILE, row: 4 },
    ]);
    const [stored] = await db.select().from(matches).where(eq(matches.documentId, documentId));
    expect(JSON.stringify(stored?.locations)).not.toMatch(/paul|martin|0698765432/);

    // A second post linking the same file gets the findings copied, unread: the copies hold the masked names too,
    // and join the incident whose title was masked above.
    const repost = await createPost(db, { title: 'Azur Analytics again' });
    await db.insert(postDocuments).values({
      postId: repost.id,
      documentId,
      sourceUrl: `http://x.onion/${uniqueId('f')}/${FILE}`,
      fileName: FILE,
    });
    const copied = await recordDocumentForNewPosts(deps, documentId);
    const copy = copied.outcomes[0]?.changes[0]?.match;
    expect(copy?.postId).toBe(repost.id);
    expect(copy?.locations).toEqual(byFile.changes[0]?.match.locations);
    expect(copy?.incidentId).toBe(postMatch?.incidentId);
  });

  it('rewrites locations stored unmasked (by an older version) at the next match of the same content', async () => {
    const { db } = testDb.database;
    const { deps } = testDeps(testDb.database);
    const post = await createPost(db, { title: 'Azur Analytics files' });
    const documentId = await createDocument(db, post.id, FILE);
    const records = () => csvRecords(FILE, ['note'], ROWS);
    const first = await matchDocument(deps, { postId: post.id, documentId, records: records() });
    const id = first.changes[0]?.match.id as number;
    await db
      .update(matches)
      .set({ locations: [{ document: FILE, row: 2 }] })
      .where(eq(matches.id, id));
    const again = await matchDocument(deps, { postId: post.id, documentId, records: records() });
    expect(again.changes.map((change) => change.kind)).toEqual(['updated']);
    const [row] = await db.select().from(matches).where(eq(matches.id, id));
    expect(row?.locations).toEqual([
      { document: MASKED_FILE, row: 2 },
      { document: MASKED_FILE, row: 4 },
    ]);
  });

  it('rewrites an incident title stored unmasked (by an older version) at the next match of its post', async () => {
    const { db } = testDb.database;
    const { deps } = testDeps(testDb.database);
    // A title of its own: a near-identical earlier post would lend it that post's incident.
    const title = 'Fuite chez Azur Analytics, fichier de marie.curie@free.fr et consorts';
    const post = await createPost(db, { title });
    const first = await matchPost(deps, post.id);
    const incidentId = first.changes[0]?.match.incidentId as number;
    await db
      .update(incidents)
      .set({ title: `${ORG_NAME}: ${title} (${post.siteId})` })
      .where(eq(incidents.id, incidentId));
    const again = await matchPost(deps, post.id);
    expect(again.unchanged).toBe(1); // the match record itself had nothing new
    expect(await incidentTitle(incidentId)).toBe(
      `${ORG_NAME}: Fuite chez Azur Analytics, fichier de m***.c***@free.fr et consorts (${post.siteId})`,
    );
  });

  it('reads national phone numbers in names for the configured regions (match.phoneRegions)', async () => {
    const { db } = testDb.database;
    const german = createMatchDeps({
      database: testDb.database,
      logger: createLogger({ level: 'silent', format: 'json' }),
      secretKey: { material: SECRET, source: 'configuration' },
      config: { match: { maskedSamples: 5, phoneRegions: ['DE'], dateOrder: 'dmy', huntSliceSeconds: 300 } },
    });
    const post = await createPost(db, { title: 'Azur Analytics Kunden 0151 23456789' });
    const outcome = await matchPost(german, post.id);
    expect(await incidentTitle(outcome.changes[0]?.match.incidentId)).toBe(
      `${ORG_NAME}: Azur Analytics Kunden +49*********89 (${post.siteId})`,
    );
  });
});
