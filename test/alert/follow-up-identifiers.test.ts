/**
 * More identifiers imported after a first alert: the retro-hunt that follows the import, with the outbox as its
 * onMatches, writes a follow-up that references the first alert (README, "Outbox, at least once"), once.
 */
import { Readable } from 'node:stream';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchDeps, matchPost } from '../../src/match/match-service.ts';
import { retroHunt } from '../../src/match/retro-hunt.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts } from '../../src/store/schema/index.ts';
import { createPost, SECRET, testDeps } from '../match/support.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const emails = (...addresses: string[]) => Readable.from([`Email\n${addresses.join('\n')}\n`]);

describe.each(DRIVERS)('follow-up alert after more identifiers are imported, on %s', (driver) => {
  let testDb: TestDatabase;
  let deps: MatchDeps;
  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    ({ deps } = testDeps(testDb.database));
  });
  afterAll(() => testDb?.close());

  it('the retro-hunt after the import writes one follow-up referencing the first alert', async () => {
    const db = testDb.database.db;
    const outbox = alertOutbox({ publicUrl: 'http://leakwatch.test:8080/' });
    const org = await createOrganisation(db, {
      slug: uniqueId('lab'),
      name: 'Laboratoire Azur Analytics',
      terms: [{ kind: 'phrase', pattern: 'Azur Analytics' }],
    });
    await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'first.csv',
      input: emails('jean.dupont@orange.fr'),
    });
    const channelId = await addChannel(db, SECRET, {
      orgId: org.id,
      name: 'soc',
      type: 'console',
      minSeverity: 'low',
    });
    const post = await createPost(db, {
      title: 'Azur Analytics',
      bodyText: 'sample: jean.dupont@orange.fr, paul.martin@free.fr, lea.bernard@gmail.com',
    });
    await matchPost(deps, post.id, { onMatches: outbox });
    const ofPost = () => db.select().from(alerts).where(eq(alerts.postId, post.id)).orderBy(asc(alerts.id));
    const [first] = await ofPost();
    expect(first).toMatchObject({ channelId, parentAlertId: null, kind: 'match' });
    expect(first?.payload).toMatchObject({ identifierCounts: { email: 1 }, followUp: null });

    await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'more.csv',
      input: emails('paul.martin@free.fr', 'lea.bernard@gmail.com'),
    });
    const hunt = await retroHunt(deps, { orgId: org.id, reason: 'identifiers imported', onMatches: outbox });
    expect(hunt).toMatchObject({ status: 'succeeded', grown: 1 });
    const after = await ofPost();
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ channelId, parentAlertId: first?.id });
    expect(after[1]?.payload).toMatchObject({
      identifierCounts: { email: 3 },
      followUp: { parentAlertId: first?.id, identifiersAdded: 2, reason: '2 more registered identifiers' },
    });

    // Nothing new, nothing sent again.
    await retroHunt(deps, { orgId: org.id, reason: 'again', onMatches: outbox });
    expect(await ofPost()).toHaveLength(2);
  });
});
