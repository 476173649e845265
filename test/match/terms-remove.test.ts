/**
 * Removing a watch term withdraws its evidence: its hits leave the match records, records left with no evidence are
 * deleted and their incidents resolved, unsent alerts about them are muted, alerts already sent are kept as history;
 * records that keep other evidence stay, with their severity recomputed.
 */
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { removeTermsWithEvidence } from '../../src/match/forget-terms.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchDeps, matchPost } from '../../src/match/match-service.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts, incidents, matches, watchTerms } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createPost, SECRET, testDeps } from './support.ts';

describe.each(DRIVERS)('removing a watch term on %s', (driver) => {
  let test: TestDatabase;
  let db: Db;
  let deps: MatchDeps;
  const outbox = alertOutbox({ publicUrl: 'http://leakwatch.test/' });
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    db = test.database.db;
    ({ deps } = testDeps(test.database));
  });
  afterAll(() => test?.close());

  const recordOf = async (orgId: number, postId: number) =>
    (
      await db
        .select()
        .from(matches)
        .where(and(eq(matches.orgId, orgId), eq(matches.postId, postId)))
    )[0];
  const alertsOf = (orgId: number, postId: number) =>
    db
      .select()
      .from(alerts)
      .where(and(eq(alerts.orgId, orgId), eq(alerts.postId, postId)));

  it('takes its hits out of match records, deletes and resolves what is left without evidence, keeps sent alerts', async () => {
    const org = await createOrganisation(db, {
      slug: uniqueId('azur'),
      name: 'Azur Analytics',
      terms: [
        { kind: 'phrase', pattern: 'Azur Analytics' },
        { kind: 'keyword', pattern: 'Quetzal' },
      ],
    });
    const terms = await db.select().from(watchTerms).where(eq(watchTerms.orgId, org.id));
    const quetzal = terms.find((t) => t.pattern === 'Quetzal')?.id as number;
    const azur = terms.find((t) => t.pattern === 'Azur Analytics')?.id as number;
    await importIdentifiers(db, deps.hasher, {
      orgId: org.id,
      fileName: 'people.csv',
      input: Readable.from(['email\nines.garnier@orange.fr\n']),
    });
    await addChannel(db, SECRET, { orgId: org.id, name: uniqueId('soc'), type: 'console' });

    const onlyTerm = await createPost(db, { title: 'Quetzal project files' });
    const sentOnlyTerm = await createPost(db, { title: 'More Quetzal files' });
    const twoTerms = await createPost(db, { title: 'Azur Analytics: the Quetzal archive' });
    const withPeople = await createPost(db, {
      title: 'Quetzal dump',
      bodyText: 'contact ines.garnier@orange.fr',
    });
    for (const post of [onlyTerm, sentOnlyTerm, twoTerms, withPeople])
      await matchPost(deps, post.id, { onMatches: outbox });
    expect((await recordOf(org.id, twoTerms.id))?.termsHit.map((t) => t.termId).sort()).toEqual(
      [azur, quetzal].sort(),
    );
    // One alert was already delivered; the others wait in the outbox.
    await db.update(alerts).set({ state: 'delivered' }).where(eq(alerts.postId, sentOnlyTerm.id));
    const lostIncident = (await recordOf(org.id, onlyTerm.id))?.incidentId as number;

    const { removed, forgotten } = await removeTermsWithEvidence(db, org.id, { id: quetzal });
    expect(removed.map((t) => t.id)).toEqual([quetzal]);
    expect(forgotten).toEqual({ updated: 2, deleted: 2, incidentsResolved: 2, alertsMuted: 1 });

    // Left without evidence: the records are gone, the incident resolved, the unsent alert muted, the sent one kept.
    expect(await recordOf(org.id, onlyTerm.id)).toBeUndefined();
    expect(await recordOf(org.id, sentOnlyTerm.id)).toBeUndefined();
    const [incident] = await db.select().from(incidents).where(eq(incidents.id, lostIncident));
    expect(incident?.status).toBe('resolved');
    expect((await alertsOf(org.id, onlyTerm.id)).map((a) => a.state)).toEqual(['muted']);
    expect((await alertsOf(org.id, sentOnlyTerm.id)).map((a) => a.state)).toEqual(['delivered']);

    // Other evidence stays, without the removed term, at the severity of what is left.
    expect(await recordOf(org.id, twoTerms.id)).toMatchObject({
      termsHit: [{ termId: azur, pattern: 'Azur Analytics' }],
      severity: 'medium',
      details: { termsWithdrawn: [{ termId: quetzal, pattern: 'Quetzal' }] },
    });
    expect(await recordOf(org.id, withPeople.id)).toMatchObject({
      termsHit: [],
      identifierCounts: { email: 1 },
      severity: 'medium',
      details: { severityReason: 'registered identifiers' },
    });
    expect((await alertsOf(org.id, twoTerms.id)).map((a) => a.state)).toEqual(['pending']);

    // Matching again does not bring the term back.
    expect((await matchPost(deps, onlyTerm.id, { onMatches: outbox })).changes).toEqual([]);
    expect(await recordOf(org.id, onlyTerm.id)).toBeUndefined();
    expect((await matchPost(deps, twoTerms.id)).changes).toEqual([]);
  });

  it('leaves other organisations alone, lowers the severity of what is left, and removes nothing for an unknown term', async () => {
    const a = await createOrganisation(db, {
      slug: uniqueId('a'),
      name: 'Org A',
      terms: [{ kind: 'keyword', pattern: 'Xylophonia' }],
    });
    const b = await createOrganisation(db, {
      slug: uniqueId('b'),
      name: 'Org B',
      terms: [{ kind: 'keyword', pattern: 'Xylophonia' }],
    });
    const post = await createPost(db, { title: 'Xylophonia leak' });
    await matchPost(deps, post.id);
    const [termOfA] = await db.select().from(watchTerms).where(eq(watchTerms.orgId, a.id));
    const result = await removeTermsWithEvidence(db, a.id, { id: termOfA?.id as number });
    expect(result.forgotten).toMatchObject({ deleted: 1, updated: 0 });
    expect(await recordOf(a.id, post.id)).toBeUndefined();
    expect(await recordOf(b.id, post.id)).toMatchObject({ termsHit: [{ pattern: 'Xylophonia' }] });

    // A record that keeps a mere keyword drops from "the organisation named" (medium) to low.
    const c = await createOrganisation(db, {
      slug: uniqueId('c'),
      name: 'Tlaloc Biologie',
      terms: [
        { kind: 'phrase', pattern: 'Tlaloc Biologie' },
        { kind: 'keyword', pattern: 'Chalchiuhtlicue' },
      ],
    });
    const named = await createPost(db, { title: 'Tlaloc Biologie: Chalchiuhtlicue backups' });
    await matchPost(deps, named.id);
    expect(await recordOf(c.id, named.id)).toMatchObject({ severity: 'medium' });
    await removeTermsWithEvidence(db, c.id, { pattern: 'Tlaloc Biologie' });
    expect(await recordOf(c.id, named.id)).toMatchObject({
      severity: 'low',
      termsHit: [{ pattern: 'Chalchiuhtlicue' }],
      details: { severityReason: 'a watched keyword' },
    });
    const [incident] = await db
      .select()
      .from(incidents)
      .where(eq(incidents.id, (await recordOf(c.id, named.id))?.incidentId as number));
    expect(incident).toMatchObject({ status: 'open', severity: 'low' });

    expect(await removeTermsWithEvidence(db, a.id, { pattern: 'nothing like it' })).toEqual({
      removed: [],
      forgotten: { updated: 0, deleted: 0, incidentsResolved: 0, alertsMuted: 0 },
    });
  });
});
