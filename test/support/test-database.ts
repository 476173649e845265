import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, type DriverName, openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';

/** The machine's PostgreSQL (trust auth); each test file gets its own database in it so runs never collide. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScratchPostgres {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file; drop() removes it even with connections still open. */
export async function createScratchPostgres(prefix = 'lw_test'): Promise<ScratchPostgres> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}" template template0 encoding 'UTF8'`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const cleaner = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
      try {
        await cleaner.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleaner.end({ timeout: 5 });
      }
    },
  };
}

export interface TestDatabase {
  database: Database;
  driver: DriverName;
  close(): Promise<void>;
}

/** A migrated database on the given driver: a scratch PostgreSQL database, or an in-memory PGlite. */
export async function openTestDatabase(driver: DriverName): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({ url: null, dataDir: 'memory://' });
    await migrateDatabase(database);
    return { database, driver, close: () => database.close() };
  }
  const scratch = await createScratchPostgres();
  const database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 4 });
  await migrateDatabase(database);
  return {
    database,
    driver,
    close: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}

/** Both drivers, for `describe.each(DRIVERS)`: every repository test runs on PostgreSQL and on PGlite. */
export const DRIVERS: readonly DriverName[] = ['postgres', 'pglite'];
