/**
 * The registry commands as a user runs them (real processes, on PostgreSQL): org add, terms add/list/remove,
 * identifiers import/status, matches. Every output of every command, the logs (at trace level) and the database
 * afterwards are searched for the registered identifiers: none may appear.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { openEvidenceStore } from '../../src/store/evidence-store.ts';
import { createDocument, createPost, dumpDatabase, leakedProbes, plaintextProbes } from '../match/support.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

const REGISTERED = [
  'sophie.marchal@wanadoo.fr',
  '06 45 12 78 90',
  'romain.fabre@laposte.net',
  '07 81 23 45 67',
];
const PROBES = plaintextProbes([
  ...REGISTERED,
  '+33645127890',
  '+33781234567',
  'SOPHIE.MARCHAL@WANADOO.FR',
  'not-an-address@',
  '12 34',
]);

describe('registry commands', () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let env: Record<string, string>;
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env });
    outputs.push(`$ leakwatch ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-reg-')),
      LEAKWATCH_SECRET_KEY: 'r'.repeat(48),
      LEAKWATCH_LOG_LEVEL: 'trace',
    };
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('adds an organisation with terms for its name, aliases and domains', async () => {
    const result = await run([
      'org',
      'add',
      'azur',
      '--name',
      'Laboratoire Azur Analytics',
      '--alias',
      'Azur Analytics',
      '--domain',
      'labo-azur.fr',
      '--sector',
      'health',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { organisation } = JSON.parse(result.stdout);
    expect(
      organisation.terms.map((t: { kind: string; pattern: string }) => `${t.kind}:${t.pattern}`),
    ).toEqual([
      'phrase:Laboratoire Azur Analytics',
      'phrase:Azur Analytics',
      'domain:labo-azur.fr',
      'email_domain:labo-azur.fr',
    ]);
    expect((await run(['org', 'add', 'azur', '--name', 'Again'])).code).toBe(1);
  });

  it('imports identifiers, reports rejected rows by line and reason without values, and re-matches stored posts', async () => {
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://' });
    await createPost(database.db, {
      title: 'AZUR-ANALYTICS: 40 000 patients',
      bodyText: 'sample: sophie.marchal@wanadoo.fr / 0645127890',
    });
    const dir = mkdtempSync(join(tmpdir(), 'lw-csv-'));
    const file = join(dir, 'clients.csv');
    writeFileSync(
      file,
      `Nom;Courriel;Tel\nMarchal;${REGISTERED[0]};${REGISTERED[1]}\nFabre;${REGISTERED[2]};${REGISTERED[3]}\nX;not-an-address@;12 34\n`,
    );
    const result = await run([
      'identifiers',
      'import',
      'azur',
      file,
      '--column',
      'email=courriel',
      '--column',
      'phone=TEL',
      '--json',
    ]);
    // Rejected values are not imported, the valid ones are, and the command says so with a non-zero exit.
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    expect(report.import).toMatchObject({
      rowsTotal: 3,
      rowsAccepted: 2,
      rowsRejected: 1,
      inserted: 4,
      identifiers: { email: 2, phone: 2 },
    });
    expect(report.import.rejections).toEqual([
      { line: 4, column: 'Courriel', reason: 'not an e-mail address' },
      { line: 4, column: 'Tel', reason: 'not a valid phone number' },
    ]);
    expect(report.hunt).toMatchObject({ status: 'succeeded', created: 1 });
    expect(result.stderr).toMatch(/retro-hunt #\d+ succeeded/);

    const human = await run([
      'identifiers',
      'import',
      'azur',
      file,
      '--column',
      'email=courriel',
      '--no-hunt',
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('line 4, column "Courriel": not an e-mail address');
    expect(human.stderr).toContain('(0 new)');
    expect(human.stderr).toContain('incomplete: 1 values rejected and NOT imported');
    const clean = join(dir, 'clean.csv');
    writeFileSync(clean, `Nom;Courriel\nMarchal;${REGISTERED[0]}\n`);
    const complete = await run([
      'identifiers',
      'import',
      'azur',
      clean,
      '--column',
      'email=courriel',
      '--no-hunt',
    ]);
    expect(complete.code).toBe(0);
    expect(complete.stderr).not.toContain('incomplete');
    const status = JSON.parse((await run(['identifiers', 'status', '--json'])).stdout);
    expect(status.organisations[0]).toMatchObject({
      slug: 'azur',
      counts: { email: 2, phone: 2 },
      currentKey: true,
    });
  });

  it('lists match records with counts, severity and masked samples', async () => {
    const result = await run(['matches', '--org', 'azur', '--json']);
    expect(result.code).toBe(0);
    const [match] = JSON.parse(result.stdout).matches;
    expect(match).toMatchObject({
      org: 'azur',
      identifierCounts: { email: 1, phone: 1 },
      severity: 'medium',
      maskedSamples: ['s***.m***@wanadoo.fr', '+33*******90'],
    });
    expect(match.termsHit.map((t: { pattern: string }) => t.pattern)).toEqual(['Azur Analytics']);
    const human = await run(['matches', '--org', 'azur']);
    expect(human.stdout).toMatch(/MEDIUM +azur/);
    expect(human.stdout).toContain('identifiers: 1 email, 1 phone');
  });

  it('shows a document match of one post with verdict, categories, locations and counts per kind', async () => {
    // A dump stored as the crawler would have left it: encrypted evidence, a document linked to a post.
    const evidence = openEvidenceStore(env.LEAKWATCH_DATA_DIR as string, env.LEAKWATCH_SECRET_KEY as string);
    const { sha256 } = await evidence.put(
      Buffer.from(
        `email;password;tel\n${REGISTERED[0]};Soleil2024;${REGISTERED[1]}\nnobody@example.fr;x;\n${REGISTERED[2]};Lune2023;\n`,
      ),
    );
    const post = await createPost(database.db, { title: 'new victim' });
    await createDocument(database.db, post.id, 'clients.csv', sha256);
    const hunt = await run(['matches', 'hunt', '--inline', '--json']);
    expect(hunt.code).toBe(0);
    expect(JSON.parse(hunt.stdout).hunt).toMatchObject({ status: 'succeeded', created: 1 });

    const result = await run(['matches', '--post', String(post.id), '--json']);
    expect(result.code).toBe(0);
    const { matches } = JSON.parse(result.stdout);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({
      org: 'azur',
      post: { id: post.id, title: 'new victim' },
      document: { name: 'clients.csv' },
      identifierCounts: { email: 2, phone: 1 },
      verdict: { recordsMatched: 2, recordsTotal: 3 },
      locations: [
        { document: 'clients.csv', row: 2 },
        { document: 'clients.csv', row: 4 },
      ],
    });
    expect(matches[0].categories).toContain('credentials');
    const human = await run(['matches', '--post', String(post.id)]);
    expect(human.stdout).toMatch(
      new RegExp(`^#${matches[0].id} \\w+ +azur · .* post ${post.id} "new victim" · clients\\.csv$`, 'm'),
    );
    expect(human.stdout).toContain('identifiers: 2 email, 1 phone — 2 of 3 records are registered people');
    expect(human.stdout).toMatch(/^ {4}categories: .*credentials/m);
    expect(human.stdout.match(/^#\d+ /gm)).toHaveLength(1);
  });

  it('adds, lists and removes terms, and refuses a regex that would backtrack forever', async () => {
    const added = await run(['terms', 'add', 'azur', 'keyword', 'Quetzal', '--no-hunt', '--json']);
    expect(JSON.parse(added.stdout).added[0]).toMatchObject({
      kind: 'keyword',
      pattern: 'Quetzal',
      normalised: 'quetzal',
    });
    const list = JSON.parse((await run(['terms', 'list', 'azur', '--json'])).stdout);
    expect(list.terms.map((t: { pattern: string }) => t.pattern)).toContain('Quetzal');
    expect((await run(['terms', 'remove', 'azur', 'quetzal'])).stderr).toMatch(
      /removed keyword #\d+ Quetzal/,
    );
    const refused = await run(['terms', 'add', 'azur', 'regex', '(a+)+$']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nested repetition');
    // The kind forgotten: told which kinds there are and where the kind goes, not "missing argument 'patterns'".
    const noKind = await run(['terms', 'add', 'azur', 'Azur Analyses']);
    expect(noKind.code).not.toBe(0);
    expect(noKind.stderr).toContain('unknown term kind "Azur Analyses"');
    expect(noKind.stderr).toContain('leakwatch terms add azur phrase "Azur Analyses"');
    expect(noKind.stderr).not.toContain('missing required argument');
  });

  it('never prints, logs or stores a registered identifier', async () => {
    const everything = outputs.join('\n');
    expect(everything).toContain('"level":'); // trace-level logs were captured
    expect(leakedProbes(everything.replace(/\$ leakwatch .*\n/g, ''), PROBES)).toEqual([]);
    // The crawled post holds the leaked text itself (the crawler's evidence, not the registry's): left out here.
    const dumped = await dumpDatabase(database, ['posts.title', 'posts.body_text', 'posts.search']);
    expect(dumped).toContain('s***.m***@wanadoo.fr');
    expect(leakedProbes(dumped, PROBES)).toEqual([]);
  });
});
