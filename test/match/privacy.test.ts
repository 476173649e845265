/**
 * The registry's promise: after importing identifiers and matching a dump that holds them, none of them is in the
 * database, the logs, or what the matcher hands to the alerting layer; and, through the real outbox and dispatcher,
 * not in any alert row nor in any message a channel (Discord, Slack, generic webhook, console) sends — even when the
 * post title and the file name themselves hold identifiers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { setConsoleWriter } from '../../src/alert/channels/console.channel.ts';
import { DEFAULT_DISPATCH, dispatchDue } from '../../src/alert/dispatcher.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchOutcome, matchDocument, matchPost } from '../../src/match/match-service.ts';
import { retroHunt } from '../../src/match/retro-hunt.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { uniqueId } from '../store/fixtures.ts';
import { startMockDiscord } from '../support/mock-discord.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import {
  CAPTURED_COLUMNS,
  createDocument,
  createPost,
  csvRecords,
  dumpDatabase,
  leakedProbes,
  plaintextProbes,
  SECRET,
  testDeps,
} from './support.ts';

const REGISTRY = [
  ['Email', 'Login', 'Mobile', 'NIR', 'Nom', 'Prénom', 'Date de naissance', 'ID patient'],
  [
    'helene.dupont@orange.fr',
    'hdupont75',
    '06 12 34 56 78',
    '2 80 03 75 118 042 24',
    'DUPONT',
    'Hélène',
    '12/03/1980',
    'LA-104233',
  ],
  [
    'marc.ollivier@free.fr',
    'mollivier',
    '+33 6 71 82 93 04',
    '1 85 07 75 123 456 08',
    'Ollivier',
    'Marc',
    '1985-07-21',
    'LA-200871',
  ],
];

// What the leak holds: the same people, written differently, with their passwords and lab results.
const DUMP_HEADERS = ['mail', 'user', 'pwd', 'tel', 'secu', 'patient', 'naissance', 'dossier', 'resultat'];
const DUMP = [
  [
    'HELENE.DUPONT@ORANGE.FR ',
    'HDupont75',
    'Hel3ne!1980',
    '0612345678',
    '280037511804224',
    'Hélène DUPONT',
    '12.03.1980',
    'la-104233',
    'Hémoglobine 13,2 g/dL; glycémie 5,4 mmol/L; sérologie VIH négative',
  ],
  [
    ' marc.ollivier@free.fr',
    'mollivier',
    'Marc#2024',
    '06.71.82.93.04',
    '1 85 07 75 123 456 08',
    'Marc Ollivier',
    '21/07/1985',
    'LA-200871',
    'Créatinine 80 µmol/L; HbA1c 6,1 %; plaquettes 250 G/L',
  ],
  [
    'x.other@example.com',
    'xother',
    'pw!1',
    '0700000000',
    '',
    'Jean Autre',
    '01/01/1970',
    'LA-999999',
    'TSH 2,1 mUI/L',
  ],
];

const SECRETS = ['Hel3ne!1980', 'Marc#2024'];
const PROBES = plaintextProbes([
  ...REGISTRY.slice(1).flat(),
  ...DUMP.flatMap((row) => row.slice(0, 8)),
  '+33612345678',
  '+33671829304',
  '185077512345608',
  '280037511804224',
  'dupont helene',
  'helene dupont',
  '1980-03-12',
  '1985-07-21',
  ...SECRETS,
]).filter(
  (p) =>
    ![
      'LA-999999',
      'Jean Autre',
      '01/01/1970',
      '0700000000',
      'pw!1',
      'xother',
      'x.other@example.com',
      'x.other@example.com'.toLowerCase(),
    ].includes(p),
);

function importRegistry(
  db: TestDatabase['database']['db'],
  deps: ReturnType<typeof testDeps>['deps'],
  orgId: number,
) {
  const csv = `${REGISTRY.map((row) => row.map((cell) => `"${cell}"`).join(';')).join('\n')}\n`;
  return importIdentifiers(db, deps.hasher, {
    orgId,
    fileName: 'patients.csv',
    input: Readable.from([csv]),
    patientIdPattern: /LA-\d{6}/iu,
    columns: [
      { role: 'email', column: 'Email' },
      { role: 'login', column: 'Login' },
      { role: 'phone', column: 'Mobile' },
      { role: 'nir', column: 'NIR' },
      { role: 'last_name', column: 'Nom' },
      { role: 'first_name', column: 'Prénom' },
      { role: 'birthdate', column: 'Date de naissance' },
      { role: 'patient_id', column: 'ID patient' },
    ],
  });
}

/** Slack and generic webhook receivers on loopback: every body they were sent. */
async function startReceiver() {
  const bodies: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(DRIVERS)('no plaintext identifier leaves the registry on %s', (driver) => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('after importing identifiers and matching a dump: database, logs and match outcomes hold none of them', async () => {
    const { db } = testDb.database;
    const { deps, logs } = testDeps(testDb.database);
    const org = await createOrganisation(db, {
      slug: uniqueId('priv'),
      name: 'Laboratoire Azur',
      patientIdPattern: 'LA-\\d{6}',
      terms: [{ kind: 'phrase', pattern: 'Laboratoire Azur' }],
    });
    const imported = await importRegistry(db, deps, org.id);
    expect(imported.rejectionsTotal).toBe(0);
    expect(imported.inserted).toBe(12);

    const post = await createPost(db, {
      title: 'Laboratoire Azur — full database',
      bodyText: 'patients and lab reports, 40 000 accounts',
    });
    const documentId = await createDocument(db, post.id, 'patients_export.csv');
    const outcomes: MatchOutcome[] = [];
    const onMatches = async (_tx: unknown, outcome: MatchOutcome) => {
      outcomes.push(outcome);
    };
    await matchPost(deps, post.id, { onMatches });
    const outcome = await matchDocument(
      deps,
      { postId: post.id, documentId, records: csvRecords('patients_export.csv', DUMP_HEADERS, DUMP) },
      { onMatches },
    );
    const match = outcome.changes[0]?.match;
    expect(match?.identifierCounts).toEqual({
      email: 2,
      login: 2,
      phone: 2,
      nir: 2,
      name_birthdate: 2,
      patient_id: 2,
    });
    expect(match?.verdict).toEqual({ recordsMatched: 2, recordsTotal: 3 });
    expect(match?.severity).toBe('critical');
    expect(match?.categories).toEqual(
      expect.arrayContaining(['credentials', 'health', 'national_ids', 'identity']),
    );
    await retroHunt(deps, { orgId: org.id, onMatches });

    const dumped = await dumpDatabase(testDb.database);
    expect(dumped).toContain('h***.d***@orange.fr'); // the dump is real: masked samples are there
    expect(leakedProbes(dumped, PROBES)).toEqual([]);
    expect(logs()).toContain('matches recorded');
    expect(leakedProbes(logs(), PROBES)).toEqual([]);
    expect(leakedProbes(JSON.stringify(outcomes), PROBES)).toEqual([]);
    expect(leakedProbes(JSON.stringify(imported), PROBES)).toEqual([]);
  });

  it('through the real outbox and dispatcher: no alert row and no message sent to any channel holds one, even when the title and file name do', async () => {
    const { db } = testDb.database;
    const { deps, logs } = testDeps(testDb.database);
    const discord = await startMockDiscord();
    const receiver = await startReceiver();
    const consoleLines: string[] = [];
    const previousWriter = setConsoleWriter((line) => consoleLines.push(line));
    try {
      const org = await createOrganisation(db, {
        slug: uniqueId('priv'),
        name: 'Laboratoire Azur',
        patientIdPattern: 'LA-\\d{6}',
        terms: [{ kind: 'phrase', pattern: 'Laboratoire Azur' }],
      });
      expect((await importRegistry(db, deps, org.id)).inserted).toBe(12);
      const channel = (type: string, secret: Record<string, unknown> | null) =>
        addChannel(db, SECRET, {
          orgId: org.id,
          name: uniqueId(type),
          type,
          settings: { samples: true },
          secret,
        });
      await channel('discord', { url: 'https://discord.com/api/webhooks/123456789/privacy-token' });
      await channel('slack', { url: `${receiver.base}/slack` });
      await channel('webhook', { url: `${receiver.base}/hook`, signingSecret: 'w'.repeat(32) });
      await channel('console', null);

      // A teaser title and a file name that hold a registered e-mail and NIR (as leak sites write them).
      const post = await createPost(db, {
        title: 'Laboratoire Azur — helene.dupont@orange.fr 2 80 03 75 118 042 24 — full database',
        bodyText: 'patients and lab reports, 40 000 accounts',
      });
      const fileName = 'export_marc.ollivier@free.fr_185077512345608.csv';
      const documentId = await createDocument(db, post.id, fileName);
      const onMatches = alertOutbox({ publicUrl: 'http://127.0.0.1:8080', phoneRegions: ['FR'] });
      await matchPost(deps, post.id, { onMatches });
      await matchDocument(
        deps,
        { postId: post.id, documentId, records: csvRecords(fileName, DUMP_HEADERS, DUMP) },
        { onMatches },
      );
      const report = await dispatchDue(db, {
        ...DEFAULT_DISPATCH,
        material: SECRET,
        timeoutMs: 30_000,
        apiBase: { discord: discord.api },
      });
      expect(report.failed).toBe(0);
      expect(report.delivered).toBeGreaterThanOrEqual(8); // post and file alerts, four channels

      const discordBodies = discord.delivered().map((r) => r.raw);
      const slackBodies = receiver.bodies.filter((b) => b.path === '/slack').map((b) => b.body);
      const hookBodies = receiver.bodies.filter((b) => b.path === '/hook').map((b) => b.body);
      for (const sent of [discordBodies, slackBodies, hookBodies, consoleLines]) {
        expect(sent.length).toBeGreaterThanOrEqual(2);
        expect(leakedProbes(sent.join('\n'), PROBES)).toEqual([]);
      }
      // The messages are real: they name the post and the file, masked, and carry the masked samples.
      expect(discordBodies.join('\n')).toContain('h\\\\*\\\\*\\\\*.d\\\\*\\\\*\\\\*@orange.fr');
      expect(hookBodies.join('\n')).toContain('m***.o***@free.fr');
      expect(hookBodies.join('\n')).toContain('1************8');
      expect(consoleLines.join('\n')).toContain('h***.d***@orange.fr 2************4');

      const rows = await testDb.database.query<Record<string, unknown>>(
        `select * from alerts where post_id = ${post.id}`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(8);
      expect(leakedProbes(JSON.stringify(rows), PROBES)).toEqual([]);
      const dumped = await dumpDatabase(testDb.database, CAPTURED_COLUMNS);
      expect(leakedProbes(dumped, PROBES)).toEqual([]);
      expect(leakedProbes(logs(), PROBES)).toEqual([]);
    } finally {
      setConsoleWriter(previousWriter);
      await discord.close();
      await receiver.close();
    }
  });
});
