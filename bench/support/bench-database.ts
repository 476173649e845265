/**
 * A migrated, throw-away database on either driver for a benchmark: PGlite in a temporary directory (on disk, as
 * users run it) or a scratch PostgreSQL database. Dropped afterwards whatever `measure` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, type DriverName, openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { createScratchPostgres } from '../../test/support/test-database.ts';

export async function withBenchDatabase<T>(
  driver: DriverName,
  measure: (database: Database) => Promise<T>,
): Promise<T> {
  const run = async (database: Database) => {
    try {
      await migrateDatabase(database);
      return await measure(database);
    } finally {
      await database.close();
    }
  };
  if (driver === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-bench-pglite-'));
    try {
      return await run(await openDatabase({ url: null, dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const scratch = await createScratchPostgres('lw_bench');
  try {
    return await run(await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 2 }));
  } finally {
    await scratch.drop();
  }
}
