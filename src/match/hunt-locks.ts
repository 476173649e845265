/**
 * Who runs retro-hunts, told through PostgreSQL session advisory locks (no table: a lock disappears with the process
 * that held it, so a killed worker never looks alive and a killed hunt never looks running):
 *
 * - a worker that runs hunts holds a shared "hunt worker" lock for its life: the CLI sees it in pg_locks and hands
 *   hunts to the queue instead of running them itself;
 * - a running hunt holds its own lock (pg_locks says which hunts are running, not merely recorded) and a scope lock:
 *   one organisation's lock, plus the "every organisation" lock in shared mode — a hunt for every organisation takes
 *   that one exclusively. So two hunts of one organisation never run at once, across processes.
 *
 * On PGlite there is one process, and no worker beside the CLI: the same locks are kept in memory.
 */
import postgres from 'postgres';
import { RetryableError } from '../shared/errors.ts';
import type { Database } from '../store/db.ts';

// Advisory lock namespaces (the first of the two int4 keys), "LW" + a number: nothing else in the database uses them.
const WORKER = 0x4c570101;
const SCOPE = 0x4c570102;
const ORG = 0x4c570103;
const HUNT = 0x4c570104;

const IN_THIS_DATABASE = `locktype = 'advisory' and granted and objsubid = 2
  and database = (select oid from pg_database where datname = current_database())`;

interface Session {
  query<T>(text: string, params?: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A connection of its own: session locks live as long as it does (a pooled connection would drop them). */
function openSession(url: string): Session {
  const client = postgres(url, { max: 1, idle_timeout: 0, max_lifetime: null, onnotice: () => undefined });
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) =>
      (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[],
    close: () => client.end({ timeout: 5 }),
  };
}

/** True when a process that runs retro-hunts (a worker) is connected to this database. */
export async function huntWorkerPresent(database: Database): Promise<boolean> {
  if (!database.url) return false;
  const [row] = await database.query<{ present: boolean }>(
    `select exists(select 1 from pg_locks where ${IN_THIS_DATABASE} and classid = $1::bigint::oid) as present`,
    [WORKER],
  );
  return row?.present === true;
}

/** Ids of the hunts some process is running now (a recorded `running` hunt missing here is waiting or was cut). */
export async function huntsBeingRun(database: Database): Promise<Set<number>> {
  if (!database.url) return new Set(memory.hunts);
  const rows = await database.query<{ id: string | number }>(
    `select objid::bigint as id from pg_locks where ${IN_THIS_DATABASE} and classid = $1::bigint::oid`,
    [HUNT],
  );
  return new Set(rows.map((row) => Number(row.id)));
}

/** Announces this process as a hunt worker until the returned function is called. */
export async function announceHuntWorker(database: Database): Promise<() => Promise<void>> {
  if (!database.url) return async () => undefined;
  const session = openSession(database.url);
  const hold = () => session.query('select pg_advisory_lock_shared($1::int, 0)', [WORKER]);
  await hold();
  // Reconnected after a server restart, the session lost its lock: take it again.
  const timer = setInterval(async () => {
    try {
      const [row] = await session.query<{ held: boolean }>(
        `select exists(select 1 from pg_locks where ${IN_THIS_DATABASE} and pid = pg_backend_pid() and classid = $1::bigint::oid) as held`,
        [WORKER],
      );
      if (!row?.held) await hold();
    } catch {
      // The database is away; the next check tries again.
    }
  }, 30_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await session.close();
  };
}

/** The locks of one running hunt; release() frees them. */
export interface HuntLock {
  release(): Promise<void>;
}

const memory = { all: 0, orgs: new Map<number, number>(), hunts: new Set<number>() };

function tryMemoryLock(hunt: { id: number; orgId: number | null }): HuntLock | null {
  if (memory.hunts.has(hunt.id)) return null;
  if (
    hunt.orgId === null
      ? memory.all > 0 || memory.orgs.size > 0
      : memory.all > 0 || memory.orgs.has(hunt.orgId)
  )
    return null;
  if (hunt.orgId === null) memory.all++;
  else memory.orgs.set(hunt.orgId, 1);
  memory.hunts.add(hunt.id);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      memory.hunts.delete(hunt.id);
      if (hunt.orgId === null) memory.all--;
      else memory.orgs.delete(hunt.orgId);
    },
  };
}

/** Takes a hunt's locks if no other hunt of the same scope runs; null when one does. */
export async function tryLockHunt(
  database: Database,
  hunt: { id: number; orgId: number | null },
): Promise<HuntLock | null> {
  // In-process first: one session's advisory locks are re-entrant, so they cannot tell this process's hunts apart.
  const local = tryMemoryLock(hunt);
  if (!local || !database.url) return local;
  const session = openSession(database.url);
  const [row] = await (hunt.orgId === null
    ? session.query<{ ok: boolean }>(
        'select pg_try_advisory_lock($1::int, 0) and pg_try_advisory_lock($2::int, $3::int) as ok',
        [SCOPE, HUNT, hunt.id],
      )
    : session.query<{ ok: boolean }>(
        'select pg_try_advisory_lock_shared($1::int, 0) and pg_try_advisory_lock($2::int, $3::int) and pg_try_advisory_lock($4::int, $5::int) as ok',
        [SCOPE, ORG, hunt.orgId, HUNT, hunt.id],
      )
  ).catch(async (error) => {
    await local.release();
    await session.close();
    throw error;
  });
  const release = async () => {
    await local.release();
    // Closing the session frees every lock it took (also the ones taken before a refusal).
    await session.close();
  };
  if (!row?.ok) {
    await release();
    return null;
  }
  return { release };
}

/**
 * Waits until the hunt's locks are free (another hunt of the same organisation is running), then takes them.
 * `onWait` is told once. Rejects with a retryable error when `signal` aborts meanwhile.
 */
export async function lockHunt(
  database: Database,
  hunt: { id: number; orgId: number | null },
  options: { signal?: AbortSignal; onWait?: () => void; pollMs?: number } = {},
): Promise<HuntLock> {
  let told = false;
  for (;;) {
    if (options.signal?.aborted)
      throw new RetryableError('match.hunt_interrupted', `retro-hunt #${hunt.id} was not started: stopping`);
    const lock = await tryLockHunt(database, hunt);
    if (lock) return lock;
    if (!told) options.onWait?.();
    told = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.pollMs ?? 1000);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
