import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { is } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/shared/errors.ts';
import { type Database, type DriverName, openDatabase } from '../../src/store/db.ts';
import { MIGRATIONS_FOLDER, migrateDatabase, migrationStatus } from '../../src/store/migrate.ts';
import { createOrganisation, getOrganisation } from '../../src/store/organisations.repository.ts';
import * as schema from '../../src/store/schema/index.ts';
import { createScratchPostgres, DRIVERS } from '../support/test-database.ts';

/** Every table the drizzle schema declares, with its column names as the database spells them (casing snake_case). */
const schemaTables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => {
    const config = getTableConfig(table);
    return {
      name: config.name,
      columns: config.columns
        .map((column) => (column.keyAsName ? toSnakeCase(column.name) : column.name))
        .sort(),
    };
  });

/** A copy of drizzle/ plus extra migrations (SQL and journal entry), in a temp folder. */
function migrationsWith(extra: Array<{ tag: string; sql: string }>): string {
  const folder = mkdtempSync(join(tmpdir(), 'lw-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
    entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }>;
  };
  for (const migration of extra) {
    const last = journal.entries.at(-1);
    journal.entries.push({
      idx: (last?.idx ?? -1) + 1,
      version: last?.version ?? '7',
      when: (last?.when ?? 0) + 1000,
      tag: migration.tag,
      breakpoints: true,
    });
    writeFileSync(join(folder, `${migration.tag}.sql`), migration.sql);
  }
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return folder;
}

async function openEmpty(driver: DriverName): Promise<{ database: Database; close(): Promise<void> }> {
  if (driver === 'pglite') {
    const database = await openDatabase({ url: null, dataDir: 'memory://' });
    return { database, close: () => database.close() };
  }
  const scratch = await createScratchPostgres('lw_migrate');
  const database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 2 });
  return {
    database,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

describe.each(DRIVERS)('migrations on %s', (driver) => {
  let handle: { database: Database; close(): Promise<void> };
  let database: Database;
  const temporary: string[] = [];

  beforeAll(async () => {
    handle = await openEmpty(driver);
    database = handle.database;
  });
  afterAll(async () => {
    await handle?.close();
  });
  afterEach(() => {
    for (const path of temporary.splice(0)) rmSync(path, { recursive: true, force: true });
  });

  // The tests below run in order on one database: empty → migrated → migrated again → failed upgrades.
  it('migrates an empty database to current, creating every table and column of the schema', async () => {
    const before = await migrationStatus(database);
    expect(before).toMatchObject({ applied: 0, current: false });
    expect(before.pending).toBe(before.known);
    expect(before.known).toBeGreaterThanOrEqual(2);

    const after = await migrateDatabase(database);
    expect(after).toEqual({ applied: before.known, known: before.known, pending: 0, current: true });

    const rows = await database.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    expect(schemaTables.length).toBeGreaterThanOrEqual(20);
    for (const table of schemaTables) {
      const columns = rows.filter((row) => row.table_name === table.name).map((row) => row.column_name);
      expect({ table: table.name, columns: columns.sort() }).toEqual({
        table: table.name,
        columns: table.columns,
      });
    }
  });

  it('gives an accent-insensitive leakwatch_unaccent() and search configuration (0000_extensions)', async () => {
    const [row] = await database.query<{
      plain: string;
      volatility: string;
      vector: string;
      similar: number;
    }>(
      `select leakwatch_unaccent('Hélène Œuvre Ça Ñandú') as plain,
              (select provolatile from pg_proc where proname = 'leakwatch_unaccent') as volatility,
              to_tsvector('leakwatch_fts', 'Hélène ÉCOLE') :: text as vector,
              similarity('helene', 'helena') as similar`,
    );
    expect(row?.plain).toBe('Helene OEuvre Ca Nandu');
    expect(row?.volatility).toBe('i'); // IMMUTABLE: usable in indexes and generated columns
    expect(row?.vector).toBe("'ecole':2 'helene':1");
    expect(Number(row?.similar)).toBeGreaterThan(0);
    await database.exec(
      `create temporary table unaccent_probe (name text);
       create index on unaccent_probe (leakwatch_unaccent(name));
       insert into unaccent_probe values ('Hélène');`,
    );
    const found = await database.query(
      `select name from unaccent_probe where leakwatch_unaccent(name) = 'Helene'`,
    );
    expect(found).toHaveLength(1);
  });

  it('is a no-op when run again, and data survives it', async () => {
    const org = await createOrganisation(database.db, {
      slug: 'survivor',
      name: 'Survivor',
      domains: ['s.example'],
    });
    const [{ n: before } = { n: 0 }] = await database.query<{ n: number | string }>(
      'select count(*) as n from drizzle.__drizzle_migrations',
    );
    const again = await migrateDatabase(database);
    expect(again.current).toBe(true);
    const [{ n: after } = { n: 0 }] = await database.query<{ n: number | string }>(
      'select count(*) as n from drizzle.__drizzle_migrations',
    );
    expect(Number(after)).toBe(Number(before));
    expect(await getOrganisation(database.db, org.id)).toEqual(org);
  });

  it('fails a broken migration with an OperatorError carrying the database reason, applying nothing of that run', async () => {
    const folder = migrationsWith([
      { tag: '0900_good', sql: 'CREATE TABLE "migration_probe" ("id" integer);' },
      { tag: '0901_broken', sql: 'ALTER TABLE "no_such_table" ADD COLUMN "x" integer;' },
    ]);
    temporary.push(folder);
    const error = await migrateDatabase(database, folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as OperatorError).code).toBe('db.migration_failed');
    expect((error as OperatorError).message).toContain('relation "no_such_table" does not exist');
    expect((error as OperatorError).message).not.toContain('Failed query');
    expect((error as OperatorError).hint).toContain('one transaction');
    // All pending migrations run in one transaction: the good one before the broken one is rolled back too.
    const status = await migrationStatus(database, folder);
    expect(status).toMatchObject({ pending: 2, current: false });
    const probe = await database.query(
      `select 1 from information_schema.tables where table_name = 'migration_probe'`,
    );
    expect(probe).toEqual([]);
    // The database is still usable and current for the real migrations.
    expect((await migrateDatabase(database)).current).toBe(true);
    expect(await getOrganisation(database.db, 'survivor')).not.toBeNull();
  });

  it('reports an applied migration whose file changed since as not current', async () => {
    const folder = migrationsWith([]);
    temporary.push(folder);
    const path = join(folder, '0001_schema.sql');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n-- edited after release\n`);
    expect((await migrationStatus(database, folder)).current).toBe(false);
  });
});

describe('PGlite persisted to a directory', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-pglite-'));
    dirs.push(dir);
    return dir;
  };

  it('survives close and reopen, and refuses a second open of the directory while open', async () => {
    const dataDir = tempDir();
    const first = await openDatabase({ url: null, dataDir });
    try {
      await migrateDatabase(first);
      await createOrganisation(first.db, {
        slug: 'persisted',
        name: 'Persisted',
        terms: [{ kind: 'keyword', pattern: 'x' }],
      });
      const second = await openDatabase({ url: null, dataDir }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(OperatorError);
      expect((second as OperatorError).code).toBe('db.pglite_in_use');
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);

    const reopened = await openDatabase({ url: null, dataDir });
    try {
      expect((await migrationStatus(reopened)).current).toBe(true);
      const org = await getOrganisation(reopened.db, 'persisted');
      expect(org?.terms.map((t) => t.normalised)).toEqual(['x']);
    } finally {
      await reopened.close();
    }
  });

  it('takes over a stale lock left by a process that died, and refuses one held by a live process', async () => {
    const dataDir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'pglite.lock'), String(dead));
    const database = await openDatabase({ url: null, dataDir });
    expect(readFileSync(join(dataDir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    await database.close();

    writeFileSync(join(dataDir, 'pglite.lock'), String(process.ppid));
    await expect(openDatabase({ url: null, dataDir })).rejects.toMatchObject({
      code: 'db.pglite_in_use',
      message: expect.stringContaining(String(process.ppid)),
    });
  });
});
