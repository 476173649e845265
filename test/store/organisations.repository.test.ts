import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import {
  addDomains,
  addWatchTerms,
  createOrganisation,
  deleteOrganisation,
  foldTerm,
  getOrganisation,
  listOrganisations,
  normaliseDomain,
} from '../../src/store/organisations.repository.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { uniqueId } from './fixtures.ts';

describe('organisation input normalisation', () => {
  it('folds terms and domains', () => {
    expect(foldTerm('  Laboratoire   HÉLÈNE\tAnalyses ')).toBe('laboratoire helene analyses');
    expect(normaliseDomain('Labo-Hélène.FR.')).toBe('xn--labo-hlne-63aj.fr');
    expect(normaliseDomain('Example.com')).toBe('example.com');
    expect(() => normaliseDomain('not a domain')).toThrow(/invalid domain/);
    expect(() => normaliseDomain('localhost')).toThrow(/invalid domain/);
  });
});

describe.each(DRIVERS)('organisations repository on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('creates an organisation by slug with domains and terms, and gets it by id or slug', async () => {
    const slug = uniqueId('lab');
    const org = await createOrganisation(db, {
      slug,
      name: 'Laboratoire Hélène',
      aliases: ['LH'],
      sector: 'health',
      domains: ['Labo-Helene.fr', 'labo-helene.fr', 'results.labo-helene.fr'],
      terms: [
        { kind: 'phrase', pattern: 'Laboratoire Hélène' },
        { kind: 'phrase', pattern: 'laboratoire helene' },
        { kind: 'email_domain', pattern: '@Labo-Helene.fr' },
        { kind: 'regex', pattern: 'LH-\\d{6}' },
      ],
    });
    expect(typeof org.id).toBe('number');
    expect(org.createdAt).toBeInstanceOf(Date);
    expect(org.aliases).toEqual(['LH']);
    expect(org.domains.map((d) => d.domain)).toEqual(['labo-helene.fr', 'results.labo-helene.fr']);
    expect(org.domains[0]?.proofState).toBe('unverified');
    expect(org.terms.map((t) => [t.kind, t.normalised])).toEqual([
      ['phrase', 'laboratoire helene'],
      ['email_domain', 'labo-helene.fr'],
      ['regex', 'LH-\\d{6}'],
    ]);
    expect(await getOrganisation(db, slug)).toEqual(org);
    expect(await getOrganisation(db, org.id)).toEqual(org);
    expect(await getOrganisation(db, 'no-such-org')).toBeNull();
  });

  it('refuses a taken slug without leaving a half-created organisation', async () => {
    const slug = uniqueId('dup');
    await createOrganisation(db, { slug, name: 'First' });
    const error = await createOrganisation(db, { slug, name: 'Second', domains: ['second.example'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'org.slug_taken', disposition: 'give_up' });
    expect((await getOrganisation(db, slug))?.name).toBe('First');
  });

  it('rejects invalid slugs, domains and terms as InputErrors before writing', async () => {
    await expect(createOrganisation(db, { slug: 'Bad Slug', name: 'x' })).rejects.toMatchObject({
      code: 'org.invalid_slug',
    });
    const slug = uniqueId('bad');
    await expect(createOrganisation(db, { slug, name: 'x', domains: ['nope'] })).rejects.toMatchObject({
      code: 'org.invalid_domain',
    });
    await expect(
      createOrganisation(db, { slug, name: 'x', terms: [{ kind: 'regex', pattern: '(unclosed' }] }),
    ).rejects.toMatchObject({ code: 'org.invalid_term' });
    expect(await getOrganisation(db, slug)).toBeNull();
  });

  it('adds domains and terms idempotently and refuses an unknown organisation', async () => {
    const org = await createOrganisation(db, { slug: uniqueId('add'), name: 'Add' });
    expect((await addDomains(db, org.id, ['a.example', 'b.example'])).map((d) => d.domain)).toEqual([
      'a.example',
      'b.example',
    ]);
    expect(await addDomains(db, org.id, ['A.example'])).toEqual([]);
    expect(await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'Acmé' }])).toHaveLength(1);
    expect(await addWatchTerms(db, org.id, [{ kind: 'keyword', pattern: 'ACME' }])).toEqual([]);
    await expect(addDomains(db, 987654321, ['x.example'])).rejects.toMatchObject({ code: 'org.not_found' });
    await expect(addWatchTerms(db, 987654321, [{ kind: 'keyword', pattern: 'x' }])).rejects.toMatchObject({
      code: 'org.not_found',
    });
  });

  it('lists organisations by slug with domains and term counts, and deletes with cascade', async () => {
    const a = await createOrganisation(db, {
      slug: `aaa-${uniqueId('l')}`,
      name: 'A',
      domains: ['a.example'],
      terms: [
        { kind: 'keyword', pattern: 'alpha' },
        { kind: 'keyword', pattern: 'beta' },
      ],
    });
    const listed = await listOrganisations(db);
    expect(listed.map((o) => o.slug)).toEqual([...listed.map((o) => o.slug)].sort());
    expect(listed.find((o) => o.id === a.id)).toMatchObject({ domains: ['a.example'], termCount: 2 });
    expect(await deleteOrganisation(db, a.id)).toBe(true);
    expect(await getOrganisation(db, a.id)).toBeNull();
    const left = await testDb.database.query<{ n: number | string }>(
      'select (select count(*) from org_domains where org_id = $1) + (select count(*) from watch_terms where org_id = $1) as n',
      [a.id],
    );
    expect(Number(left[0]?.n)).toBe(0);
  });
});
