/** Mutes: muted alerts are written (state muted) and never delivered; identifiers still alert; on both drivers. */
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { DEFAULT_DISPATCH, type DispatchOptions, dispatchDue } from '../../src/alert/dispatcher.ts';
import { addMute, listMutes, type MuteRow, muteFor, removeMute } from '../../src/alert/mutes.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchDeps, matchDocument, matchPost } from '../../src/match/match-service.ts';
import { listAudit } from '../../src/store/audit-log.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alertMutes, alerts, watchTerms } from '../../src/store/schema/index.ts';
import { createDocument, createPost, csvRecords, SECRET, testDeps } from '../match/support.ts';
import { createSite, uniqueId } from '../store/fixtures.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe('muteFor', () => {
  const mute = (over: Partial<MuteRow>): MuteRow => ({
    id: 1,
    kind: 'term',
    orgId: 1,
    termId: null,
    siteId: null,
    postId: null,
    reason: null,
    createdAt: new Date(),
    ...over,
  });
  const facts = { orgId: 1, siteId: 's', postId: 9, termIds: [10, 11], identifierEvidence: false };

  it('mutes only when every matched term is muted for that organisation and no identifier was found', () => {
    const both = [mute({ id: 1, termId: 10 }), mute({ id: 2, termId: 11 })];
    expect(muteFor(facts, both)?.id).toBe(1);
    expect(muteFor(facts, [mute({ termId: 10 })])).toBeUndefined();
    expect(muteFor({ ...facts, identifierEvidence: true }, both)).toBeUndefined();
    expect(muteFor({ ...facts, orgId: 2 }, both)).toBeUndefined();
    expect(muteFor({ ...facts, termIds: [] }, both)).toBeUndefined();
  });

  it('mutes every alert of a site, and one organisation’s alerts of a post', () => {
    const site = mute({ kind: 'site', orgId: null, siteId: 's' });
    expect(muteFor({ ...facts, identifierEvidence: true }, [site])).toBe(site);
    expect(muteFor({ ...facts, orgId: null, termIds: [] }, [site])).toBe(site);
    const post = mute({ kind: 'post', postId: 9 });
    expect(muteFor({ ...facts, identifierEvidence: true }, [post])).toBe(post);
    expect(muteFor({ ...facts, orgId: 2 }, [post])).toBeUndefined();
  });
});

describe.each(DRIVERS)('alert mutes on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;
  let deps: MatchDeps;
  let discord: MockDiscord;
  let orgId: number;
  let phraseTerm: number;
  const outbox = alertOutbox({ publicUrl: 'http://leakwatch.test/' });
  const options = (): DispatchOptions => ({
    ...DEFAULT_DISPATCH,
    material: SECRET,
    timeoutMs: 30_000,
    apiBase: { discord: discord.api },
  });
  const stateOf = async (postId: number) =>
    (await db.select().from(alerts).where(eq(alerts.postId, postId)).orderBy(alerts.id)).map((a) => a.state);

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
    ({ deps } = testDeps(testDb.database));
    discord = await startMockDiscord();
    const org = await createOrganisation(db, {
      slug: uniqueId('lab'),
      name: 'Laboratoire Azur Analytics',
      terms: [
        { kind: 'phrase', pattern: 'Azur Analytics' },
        { kind: 'domain', pattern: 'labo-azur.fr' },
      ],
    });
    orgId = org.id;
    const [term] = await db
      .select()
      .from(watchTerms)
      .where(and(eq(watchTerms.orgId, orgId), eq(watchTerms.pattern, 'Azur Analytics')));
    phraseTerm = term?.id as number;
    await importIdentifiers(db, deps.hasher, {
      orgId,
      fileName: 'people.csv',
      input: Readable.from(['Email\njean.dupont@orange.fr\npaul.martin@free.fr\n']),
    });
    await addChannel(db, SECRET, {
      orgId,
      name: 'soc',
      type: 'discord',
      secret: { id: '777', token: 'mute-test-token' },
    });
  });
  afterAll(async () => {
    await discord?.close();
    await testDb?.close();
  });
  beforeEach(async () => {
    await db.delete(alerts);
    await db.delete(alertMutes);
    discord.requests.length = 0;
  });

  it('records an alert whose only evidence is a muted term as muted and never sends it; identifiers still alert', async () => {
    const { mute, alertsMuted } = await addMute(
      db,
      { kind: 'term', termId: phraseTerm },
      'the name of a town',
    );
    expect(alertsMuted).toBe(0);
    const onlyMuted = await createPost(db, { title: 'Azur Analytics', bodyText: 'Azur Analytics files' });
    const withDomain = await createPost(db, { title: 'Azur Analytics', bodyText: 'see labo-azur.fr' });
    await matchPost(deps, onlyMuted.id, { onMatches: outbox });
    await matchPost(deps, withDomain.id, { onMatches: outbox });
    expect(await stateOf(onlyMuted.id)).toEqual(['muted']);
    expect(await stateOf(withDomain.id)).toEqual(['pending']);

    // A dump of the muted post with registered people: evidence a term mute never hides.
    const documentId = await createDocument(db, onlyMuted.id, 'clients.csv');
    await matchDocument(
      deps,
      {
        postId: onlyMuted.id,
        documentId,
        records: csvRecords('clients.csv', ['E-mail'], [['jean.dupont@orange.fr'], ['x@y.fr']]),
      },
      { onMatches: outbox },
    );
    expect(await stateOf(onlyMuted.id)).toEqual(['muted', 'pending']);

    expect(await dispatchDue(db, options())).toEqual({ delivered: 2, retried: 0, failed: 0 });
    expect(await dispatchDue(db, { ...options(), now: () => new Date(Date.now() + 86_400_000) })).toEqual({
      delivered: 0,
      retried: 0,
      failed: 0,
    });
    const titles = discord.delivered().map((r) => r.body.embeds[0].description as string);
    expect(titles.filter((t) => t.startsWith('Follow-up'))).toHaveLength(1);
    expect(await stateOf(onlyMuted.id)).toEqual(['muted', 'delivered']);

    // Unmuted: the next post with only that term alerts again; the muted alert stays recorded as muted.
    await removeMute(db, mute.id);
    // The audit log says the mute ended, as it said it began.
    expect(
      (await listAudit(db, { targetType: 'alert_mute', targetId: mute.id })).map((entry) => entry.action),
    ).toEqual(['alert.unmute', 'alert.mute']);
    const later = await createPost(db, { title: 'Azur Analytics', bodyText: 'Azur Analytics again' });
    await matchPost(deps, later.id, { onMatches: outbox });
    expect(await stateOf(later.id)).toEqual(['pending']);
    expect((await stateOf(onlyMuted.id))[0]).toBe('muted');
    await expect(removeMute(db, mute.id)).rejects.toThrow(/no mute/);
  });

  it('mutes the pending alerts a new mute covers (term, site, organisation+post), not the delivered ones', async () => {
    const siteId = await createSite(db);
    const onSite = await createPost(db, { title: 'Azur Analytics', bodyText: 'labo-azur.fr', siteId });
    const termOnly = await createPost(db, { title: 'Azur Analytics', bodyText: 'nothing else' });
    const onePost = await createPost(db, { title: 'Azur Analytics', bodyText: 'labo-azur.fr' });
    const delivered = await createPost(db, { title: 'Azur Analytics', bodyText: 'labo-azur.fr' });
    await matchPost(deps, delivered.id, { onMatches: outbox });
    await dispatchDue(db, options());
    for (const post of [onSite, termOnly, onePost]) await matchPost(deps, post.id, { onMatches: outbox });

    expect((await addMute(db, { kind: 'site', siteId })).alertsMuted).toBe(1);
    expect(await stateOf(onSite.id)).toEqual(['muted']);
    expect((await addMute(db, { kind: 'term', termId: phraseTerm })).alertsMuted).toBe(1);
    expect(await stateOf(termOnly.id)).toEqual(['muted']);
    expect((await addMute(db, { kind: 'post', orgId, postId: onePost.id })).alertsMuted).toBe(1);
    expect(await stateOf(onePost.id)).toEqual(['muted']);
    expect(await stateOf(delivered.id)).toEqual(['delivered']);
    // The same mute twice is one mute.
    expect((await addMute(db, { kind: 'site', siteId })).alertsMuted).toBe(0);
    expect(await listMutes(db)).toHaveLength(3);

    // New evidence on the muted post or site is muted too.
    await matchPost(deps, (await createPost(db, { title: 'labo-azur.fr', siteId })).id, {
      onMatches: outbox,
    });
    expect(await db.$count(alerts, eq(alerts.state, 'pending'))).toBe(0);
    expect(await dispatchDue(db, options())).toEqual({ delivered: 0, retried: 0, failed: 0 });

    await expect(addMute(db, { kind: 'term', termId: 99_999_999 })).rejects.toThrow(/no watch term/);
    await expect(addMute(db, { kind: 'site', siteId: 'no-such-site' })).rejects.toThrow(/no site/);
  });
});
