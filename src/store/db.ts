import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { maskUrlPassword } from '../config/mask.ts';
import { OperatorError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { ensurePrivateDir, restrictTree } from '../shared/private-files.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The drizzle database, the same type whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DriverName = 'postgres' | 'pglite';

export interface Database {
  db: Db;
  driver: DriverName;
  /** Where the data lives, with any password masked: safe to print. */
  location: string;
  /** Raw parameterised SQL, for the few places drizzle's builder does not reach (pg-boss, locks, health). */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (DDL). */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
  /** Only for the postgres driver: the connection URL, for tools that need their own connection. */
  url?: string;
  /** Only for the pglite driver: the embedded instance (one process, one connection). */
  pglite?: PGlite;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; null selects the embedded PGlite database. */
  url: string | null;
  /** Data directory; PGlite keeps its files in <dataDir>/pglite. `memory://` keeps them in memory. */
  dataDir: string;
  poolSize?: number;
  logger?: Logger;
}

const CASING = 'snake_case' as const;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const log = options.logger;
  const client = postgres(url, {
    max: options.poolSize ?? 10,
    onnotice: (notice) => log?.debug({ notice: notice.message }, 'postgres notice'),
    connect_timeout: 10,
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw new OperatorError(
      'db.unreachable',
      `cannot connect to PostgreSQL at ${maskUrlPassword(url)}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'check DATABASE_URL and that the server is running; unset DATABASE_URL to use the embedded database',
      },
    );
  }
  const db = drizzlePostgres(client, { schema, casing: CASING }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    location: maskUrlPassword(url),
    url,
    query: async <T>(text: string, params: readonly unknown[] = []) =>
      (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[],
    exec: async (text) => {
      await client.unsafe(text);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://');
  const directory = inMemory ? options.dataDir : join(options.dataDir, 'pglite');
  const releaseLock = inMemory ? () => undefined : acquireDirectoryLock(options.dataDir);
  let pglite: PGlite;
  try {
    if (!inMemory) ensurePrivateDir(directory);
    pglite = await PGlite.create(directory, { extensions: { unaccent, pg_trgm } });
    // Files an older version (or a lax umask) created open to others: owner-only, beside the secret key.
    if (!inMemory) restrictTree(directory);
  } catch (error) {
    releaseLock();
    throw new OperatorError(
      'db.pglite_open_failed',
      `cannot open the embedded database in ${directory}: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'check the data directory is writable and not damaged; set DATABASE_URL to use PostgreSQL instead',
      },
    );
  }
  const db = drizzlePglite(pglite, { schema, casing: CASING }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    location: inMemory ? 'embedded PGlite (in memory)' : `embedded PGlite in ${directory}`,
    pglite,
    query: async <T>(text: string, params: readonly unknown[] = []) =>
      (await pglite.query<T>(text, params as unknown[])).rows,
    exec: async (text) => {
      await pglite.exec(text);
    },
    close: async () => {
      try {
        await pglite.close();
      } finally {
        releaseLock();
      }
    },
  };
}

/** Data directories this process has open: a lock file holding our own pid cannot tell them from a stale lock. */
const heldDirectories = new Set<string>();

/**
 * PGlite is a single-process database: two processes opening the same files would corrupt them. A pid lock file
 * turns that into a clear error, and so does a second open of the same directory within this process.
 */
function acquireDirectoryLock(dataDir: string): () => void {
  // A data directory open to others (an older version's): what it holds is made owner-only too, once.
  if (ensurePrivateDir(dataDir)) restrictTree(dataDir);
  const key = realpathSync(dataDir);
  const lockPath = join(dataDir, 'pglite.lock');
  if (heldDirectories.has(key)) {
    throw new OperatorError(
      'db.pglite_in_use',
      `the embedded database in ${dataDir} is already open in this process`,
      {
        hint: 'close the open database first, or share it instead of opening the directory twice',
      },
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      heldDirectories.add(key);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldDirectories.delete(key);
        // Only remove our own lock: never one another process took after a double close.
        if (readLockHolder(lockPath) === process.pid) rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockHolder(lockPath);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new OperatorError(
          'db.pglite_in_use',
          `the embedded database in ${dataDir} is in use by process ${holder}`,
          {
            hint: 'stop that process, or use PostgreSQL (DATABASE_URL) to run web, scheduler and workers as separate processes',
          },
        );
      }
      // A stale lock: from a process that died, or from an earlier process that had our pid (pid 1 in a container).
      rmSync(lockPath, { force: true });
    }
  }
  throw new OperatorError('db.pglite_lock', `cannot take the lock ${lockPath}`);
}

function readLockHolder(lockPath: string): number | undefined {
  try {
    const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(holder) ? holder : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
