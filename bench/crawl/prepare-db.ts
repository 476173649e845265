/**
 * Creates and migrates a PGlite data directory, then exits: run as a child process by the crawl sweep, so the sweep's
 * own process opens an existing database the way a restarted worker does. Creating one (initdb) leaves ~100 MB in the
 * creating process that a worker running for days does not carry, and would inflate the sweep's peak RSS.
 *
 * Usage: node bin/run-ts.js bench/crawl/prepare-db.ts <dataDir>
 */
import { openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: prepare-db.ts <dataDir>');
  process.exit(2);
}
const database = await openDatabase({ url: null, dataDir });
try {
  await migrateDatabase(database);
} finally {
  await database.close();
}
