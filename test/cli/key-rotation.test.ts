/**
 * Rotating the secret key (README, "Rotating the secret key") as an operator does it, with real processes on
 * PostgreSQL: identifiers imported under key A match nothing under key B — `identifiers status` exits 1 naming the
 * organisation, the matcher logs a warning — until they are cleared and imported again under key B.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { createPost } from '../match/support.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';

const KEY_A = 'a'.repeat(48);
const KEY_B = 'b'.repeat(48);

describe('secret key rotation', () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let env: Record<string, string>;
  let file: string;
  const run = (key: string, args: string[]): Promise<CliResult> =>
    runCli(args, { env: { ...env, LEAKWATCH_SECRET_KEY: key } });
  const hunt = async (key: string) => {
    const result = await run(key, ['matches', 'hunt', '--inline', '--json']);
    expect(result.code).toBe(0);
    return { report: JSON.parse(result.stdout).hunt, logs: result.stderr };
  };
  const importUnder = async (key: string, hunt: boolean) => {
    const args = ['identifiers', 'import', 'azur', file, '--column', 'email=courriel', '--json'];
    const result = await run(key, hunt ? args : [...args, '--no-hunt']);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-rotate-')),
      LEAKWATCH_LOG_LEVEL: 'info',
    };
    file = join(mkdtempSync(join(tmpdir(), 'lw-rotate-csv-')), 'clients.csv');
    writeFileSync(file, 'Nom;Courriel\nMarchal;sophie.marchal@wanadoo.fr\nFabre;romain.fabre@laposte.net\n');
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('imports under key A, then under key B reports, warns and matches nothing until re-imported', async () => {
    expect((await run(KEY_A, ['org', 'add', 'azur', '--name', 'Laboratoire Azur Analytics'])).code).toBe(0);
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://' });
    const post = await createPost(database.db, {
      title: 'new victim',
      bodyText: 'combo: sophie.marchal@wanadoo.fr:Soleil2024',
    });
    expect((await importUnder(KEY_A, false)).import).toMatchObject({ inserted: 2 });
    const underA = await run(KEY_A, ['identifiers', 'status']);
    expect(underA.code).toBe(0);
    expect(underA.stdout).not.toContain('another key');

    // Key B: the registry is stale.
    const status = await run(KEY_B, ['identifiers', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^azur +2 email.*hashed under another key: re-import/m);
    const json = JSON.parse((await run(KEY_B, ['identifiers', 'status', '--json'])).stdout);
    expect(json.organisations).toEqual([expect.objectContaining({ slug: 'azur', currentKey: false })]);
    const stale = await hunt(KEY_B);
    expect(stale.report).toMatchObject({ status: 'succeeded', created: 0 });
    expect(stale.logs).toMatch(/hashed under another secret key and cannot match: re-import them/);
    const none = await run(KEY_B, ['matches', '--post', String(post.id), '--json']);
    expect(JSON.parse(none.stdout).matches).toEqual([]);

    // The rotation: clear, re-import under key B.
    expect((await run(KEY_B, ['identifiers', 'clear', 'azur'])).code).not.toBe(0);
    const cleared = await run(KEY_B, ['identifiers', 'clear', 'azur', '--yes', '--json']);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toEqual({ ok: true, deleted: 2 });
    const reimported = await importUnder(KEY_B, true);
    expect(reimported.import).toMatchObject({ inserted: 2 });
    expect(reimported.hunt).toMatchObject({ status: 'succeeded', created: 1 });

    const fresh = await run(KEY_B, ['identifiers', 'status']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^azur +2 email\n$/);
    const again = await hunt(KEY_B);
    expect(again.logs).not.toMatch(/another secret key/);
    const [match] = JSON.parse(
      (await run(KEY_B, ['matches', '--post', String(post.id), '--json'])).stdout,
    ).matches;
    expect(match).toMatchObject({ org: 'azur', identifierCounts: { email: 1 } });
  });
});
