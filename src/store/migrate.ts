import { join } from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { OperatorError } from '../shared/errors.ts';
import { PACKAGE_ROOT } from '../shared/paths.ts';
import type { Database } from './db.ts';

export const MIGRATIONS_FOLDER = join(PACKAGE_ROOT, 'drizzle');
const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** Serialises migrations when several processes start at once against one PostgreSQL. */
const MIGRATION_LOCK_ID = 0x6c65616b; // "leak"

export interface MigrationStatus {
  applied: number;
  known: number;
  pending: number;
  current: boolean;
}

/** Applies pending migrations identically on both drivers; throws an OperatorError naming the cause on failure. */
export async function migrateDatabase(
  database: Database,
  folder = MIGRATIONS_FOLDER,
): Promise<MigrationStatus> {
  const config = {
    migrationsFolder: folder,
    migrationsSchema: MIGRATIONS_SCHEMA,
    migrationsTable: MIGRATIONS_TABLE,
  };
  try {
    if (database.driver === 'pglite' && database.pglite) {
      await migratePglite(drizzlePglite(database.pglite), config);
    } else if (database.url) {
      // A dedicated single connection: the advisory lock is held by a session, and the pool may hand out others.
      const client = postgres(database.url, { max: 1, onnotice: () => undefined });
      try {
        await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres(client), config);
      } finally {
        await client.end({ timeout: 5 });
      }
    }
  } catch (error) {
    const cause = error as Error & { cause?: Error };
    const reason = cause.cause?.message ?? cause.message;
    throw new OperatorError('db.migration_failed', `database migration failed: ${reason}`, {
      cause: error,
      hint: 'pending migrations run in one transaction, so none of them was applied; fix the cause and run `leakwatch migrate` again',
    });
  }
  const status = await migrationStatus(database, folder);
  if (!status.current) {
    // drizzle applies only migrations dated after the last applied one: an older one merged late, or a migration file
    // edited after it ran, would otherwise go unnoticed.
    throw new OperatorError(
      'db.migration_skipped',
      `database schema is not current after migrating: ${status.pending} of ${status.known} shipped migrations are not applied as shipped`,
      {
        hint: 'a migration was merged out of order or edited after it ran; compare drizzle/ with the drizzle.__drizzle_migrations table',
      },
    );
  }
  return status;
}

const knownMigrations = new Map<string, ReturnType<typeof readMigrationFiles>>();

/** The migrations shipped with this build; read once per folder (readiness probes ask often). */
function shippedMigrations(folder: string): ReturnType<typeof readMigrationFiles> {
  let known = knownMigrations.get(folder);
  if (!known) {
    known = readMigrationFiles({ migrationsFolder: folder });
    knownMigrations.set(folder, known);
  }
  return known;
}

export async function migrationStatus(
  database: Database,
  folder = MIGRATIONS_FOLDER,
): Promise<MigrationStatus> {
  const known = shippedMigrations(folder);
  let appliedHashes = new Set<string>();
  try {
    const rows = await database.query<{ hash: string }>(
      `select hash from "${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`,
    );
    appliedHashes = new Set(rows.map((row) => row.hash));
  } catch {
    // No migrations table yet: nothing applied.
  }
  const pending = known.filter((migration) => !appliedHashes.has(migration.hash)).length;
  return { applied: appliedHashes.size, known: known.length, pending, current: pending === 0 };
}
