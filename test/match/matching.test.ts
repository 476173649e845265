import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import {
  createMatchDeps,
  type MatchDeps,
  type MatchOutcome,
  matchDocument,
  matchPost,
} from '../../src/match/match-service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts, incidents } from '../../src/store/schema/index.ts';
import { uniqueId } from '../store/fixtures.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createDocument, createPost, csvRecords, SECRET, testDeps } from './support.ts';

const PEOPLE = [
  ['jean.dupont@orange.fr', '06 12 34 56 78', 'DUPONT', 'Hélène', '12/03/1980'],
  ['paul.martin@free.fr', '06 98 76 54 32', 'Martin', 'Paul', '01/01/1975'],
  ['lea.bernard@gmail.com', '07 61 22 33 44', 'Bernard', 'Léa', '24/12/1990'],
];

function csv(rows: string[][]): Readable {
  return Readable.from([
    `Email;Téléphone;Nom;Prénom;Date de naissance\n${rows.map((r) => r.join(';')).join('\n')}\n`,
  ]);
}

describe.each(DRIVERS)('matching on %s', (driver) => {
  let testDb: TestDatabase;
  let deps: MatchDeps;
  let orgId: number;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    deps = testDeps(testDb.database).deps;
    const org = await createOrganisation(testDb.database.db, {
      slug: uniqueId('lab'),
      name: 'Laboratoire Azur Analytics',
      domains: ['labo-azur.fr'],
      terms: [
        { kind: 'phrase', pattern: 'Azur Analytics' },
        { kind: 'domain', pattern: 'labo-azur.fr' },
      ],
    });
    orgId = org.id;
    await importIdentifiers(testDb.database.db, deps.hasher, {
      orgId,
      fileName: 'people.csv',
      input: csv(PEOPLE),
    });
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('matches a dump with upper-cased, space-padded e-mails and tells how many records are registered people', async () => {
    const { db } = testDb.database;
    const post = await createPost(db, {
      title: 'Azur Analytics',
      bodyText: 'Lab data published. Visit labo-azur.fr',
    });
    const documentId = await createDocument(db, post.id, 'clients.csv');
    const rows = [
      ['  JEAN.DUPONT@ORANGE.FR  ', 'Sup3r!pass'],
      [' Paul.Martin@Free.FR', 'azerty12'],
      ['someone.else@example.com', 'x1!'],
      ['another@example.com', 'y2!'],
    ];
    const outcome = await matchDocument(deps, {
      postId: post.id,
      documentId,
      records: csvRecords('clients.csv', ['E-mail', 'Password'], rows),
    });
    expect(outcome.changes).toHaveLength(1);
    const [change] = outcome.changes;
    expect(change?.kind).toBe('created');
    expect(change?.match).toMatchObject({
      orgId,
      documentId,
      identifierCounts: { email: 2 },
      verdict: { recordsMatched: 2, recordsTotal: 4 },
      severity: 'high',
      maskedSamples: ['j***.d***@orange.fr', 'p***.m***@free.fr'],
      locations: [
        { document: 'clients.csv', row: 2 },
        { document: 'clients.csv', row: 3 },
      ],
    });
    expect(change?.match.categories).toEqual(expect.arrayContaining(['credentials', 'contact_details']));
    expect(change?.match.incidentId).toEqual(expect.any(Number));

    // The same content again: nothing is rewritten.
    const again = await matchDocument(deps, {
      postId: post.id,
      documentId,
      records: csvRecords('clients.csv', ['E-mail', 'Password'], rows),
    });
    expect(again.changes).toEqual([]);
    expect(again.unchanged).toBe(1);
  });

  it('keeps no masked sample when samples are configured off', async () => {
    const { db } = testDb.database;
    const quiet = createMatchDeps({
      database: testDb.database,
      logger: createLogger({ level: 'silent', format: 'json' }),
      secretKey: { material: SECRET, source: 'configuration' },
      config: {
        match: { maskedSamples: 0, phoneRegions: ['FR', 'ZZ'], dateOrder: 'dmy', huntSliceSeconds: 300 },
      },
    });
    expect(quiet.options).toMatchObject({ samples: 0, phoneRegions: ['FR'] });
    const post = await createPost(db, { title: 'quiet' });
    const documentId = await createDocument(db, post.id, 'q.csv');
    const outcome = await matchDocument(quiet, {
      postId: post.id,
      documentId,
      records: csvRecords('q.csv', ['mail'], [['jean.dupont@orange.fr']]),
    });
    expect(outcome.changes[0]?.match).toMatchObject({ identifierCounts: { email: 1 }, maskedSamples: [] });
  });

  it('matches name + birth date across "DUPONT Hélène" and "Helene Dupont", and not a NIR with a wrong key', async () => {
    const { db } = testDb.database;
    const post = await createPost(db, { title: 'patients' });
    const documentId = await createDocument(db, post.id, 'compte-rendu.pdf');
    const records = (async function* () {
      yield {
        text: 'Compte rendu — Patiente : Helene Dupont, née le 12 mars 1980. NIR 1 85 07 75 123 456 09',
        location: { document: 'compte-rendu.pdf', page: 1 },
      };
    })();
    const outcome = await matchDocument(deps, { postId: post.id, documentId, records });
    expect(outcome.changes[0]?.match.identifierCounts).toEqual({ name_birthdate: 1 });
    expect(outcome.changes[0]?.match.locations).toEqual([{ document: 'compte-rendu.pdf', page: 1 }]);
    expect(outcome.categories).not.toContain('national_ids');
  });

  it('finds registered patients by name + birth date in PDF lab reports laid out several ways', async () => {
    const { db } = testDb.database;
    const post = await createPost(db, { title: 'lab reports' });
    const documentId = await createDocument(db, post.id, 'comptes-rendus.pdf');
    const header = ['LABORATOIRE DE BIOLOGIE DU PORT', 'Compte rendu d’analyses de biologie médicale', ''];
    const pdf = makePdf([
      // The name on one line, the birth date on the next (with the NIR after it).
      { lines: [...header, 'Patient : DUPONT Hélène', 'Né(e) le : 12/03/1980 N° SS : 2 80 03 75 123 456'] },
      // Label/value lines.
      {
        lines: [
          ...header,
          'Nom : MARTIN',
          'Prénom : Paul',
          'Date de naissance : 01/01/1975',
          '',
          'Glycémie 0,92 g/L',
        ],
      },
      // A table of results with the patient's row.
      { lines: [...header, 'Nom Prénom Naissance Dossier', 'BERNARD Léa 24/12/1990 LA-000042'] },
      // A decoy: a registered name with another birth date.
      { lines: [...header, 'Patient : DUPONT Hélène', 'Né(e) le : 13/03/1980'] },
    ]);
    const extraction = extractDocument({ name: 'comptes-rendus.pdf', bytes: pdf });
    const outcome = await matchDocument(deps, { postId: post.id, documentId, records: extraction.records });
    expect(extraction.summary().status).toBe('extracted');
    expect(outcome.changes[0]?.match.identifierCounts).toEqual({ name_birthdate: 3 });
    expect(outcome.changes[0]?.match.locations).toEqual([
      { document: 'comptes-rendus.pdf', page: 1 },
      { document: 'comptes-rendus.pdf', page: 2 },
      { document: 'comptes-rendus.pdf', page: 3 },
    ]);
  });

  it('matches a post by its watch terms, in one transaction with the caller’s hook, and rolls back with it', async () => {
    const { db } = testDb.database;
    const post = await createPost(db, {
      title: 'AZUR-ANALYTICS',
      bodyText: 'All files of azur analytics will be published',
      website: 'https://www.labo-azur.fr',
    });
    const failing = matchPost(deps, post.id, {
      onMatches: async () => {
        throw new Error('outbox down');
      },
    });
    await expect(failing).rejects.toThrow('outbox down');
    expect(await db.$count(incidents)).toBeGreaterThan(0);
    let seen: MatchOutcome | undefined;
    const outcome = await matchPost(deps, post.id, {
      onMatches: async (tx, o) => {
        seen = o;
        expect(await tx.$count(alerts)).toBe(0); // the hook can write in the same transaction
      },
    });
    expect(seen).toBe(outcome);
    expect(outcome.changes[0]?.kind).toBe('created');
    expect(outcome.changes[0]?.match.termsHit).toEqual([
      { termId: expect.any(Number), pattern: 'Azur Analytics', count: 2 },
      { termId: expect.any(Number), pattern: 'labo-azur.fr', count: 1 },
    ]);
    expect(outcome.changes[0]?.match).toMatchObject({ severity: 'medium', verdict: null, documentId: null });
  });

  it('reports a match that grew when more identifiers are registered, and links a re-posted dump to the earlier incident', async () => {
    const { db } = testDb.database;
    const rows = Array.from({ length: 60 }, (_, i) => [
      `client${i}@example.org`,
      `0${(i % 5) + 1} 23 45 67 ${String(10 + i)}`,
      `Ville ${i}`,
    ]);
    rows[0] = ['lea.bernard@gmail.com', '0761223344', 'Paris'];
    const first = await createPost(db, { title: 'Lab dump part 1' });
    const firstDoc = await createDocument(db, first.id, 'export.csv', 'a'.repeat(64));
    const records = () => csvRecords('export.csv', ['mail', 'tel', 'ville'], rows);
    const created = await matchDocument(deps, { postId: first.id, documentId: firstDoc, records: records() });
    expect(created.changes[0]?.match.identifierCounts).toEqual({ email: 1, phone: 1 });

    await importIdentifiers(db, deps.hasher, {
      orgId,
      fileName: 'more.csv',
      input: csv([['client7@example.org', '', '', '', '']]),
    });
    const grown = await matchDocument(deps, { postId: first.id, documentId: firstDoc, records: records() });
    expect(grown.changes[0]).toMatchObject({ kind: 'grown', identifiersAdded: 1 });
    expect(grown.changes[0]?.match.incidentId).toBe(created.changes[0]?.match.incidentId);

    // The same rows, a few changed, posted elsewhere: near-identical content, same incident.
    const other = await createPost(db, { title: 'Reposted' });
    const otherDoc = await createDocument(db, other.id, 'copy.csv', 'b'.repeat(64));
    const repost = rows.map((r, i) => (i > 55 ? [`new${i}@example.org`, r[1] as string, r[2] as string] : r));
    const linked = await matchDocument(deps, {
      postId: other.id,
      documentId: otherDoc,
      records: csvRecords('copy.csv', ['mail', 'tel', 'ville'], repost),
    });
    expect(linked.nearDuplicateOf).toMatchObject({ postId: first.id, documentId: firstDoc, exact: false });
    expect(linked.changes[0]?.match.incidentId).toBe(created.changes[0]?.match.incidentId);
  });
});
