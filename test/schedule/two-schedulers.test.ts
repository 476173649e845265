/**
 * The acceptance test: two scheduler processes against one PostgreSQL fire a test schedule exactly once per
 * tick. Real child processes, each a whole `runSchedulerRole` with its own pg-boss and connections, race for every
 * tick of an every-second schedule; the database and their logs must then agree that each tick fired once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_SCHEDULE } from '../../src/schedule/scheduler.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { cleanEnv } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The real command an operator runs. */
const SCHEDULER_COMMAND = [join(ROOT, 'bin', 'leakwatch.js'), 'scheduler'];
/** How many ticks the two schedulers race for before they are stopped. */
const RUN_TICKS = 5;

interface Child {
  process: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

function startScheduler(url: string, dataDir: string): Child {
  const child = spawn(process.execPath, SCHEDULER_COMMAND, {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      DATABASE_URL: url,
      LEAKWATCH_CONFIG: '',
      LEAKWATCH_DATA_DIR: dataDir,
      LEAKWATCH_SECRET_KEY: 'test-key-0123456789-0123456789-0123456789',
      LEAKWATCH_LOG_LEVEL: 'info',
      LEAKWATCH_LOG_FORMAT: 'json',
      LEAKWATCH_MAINTENANCE_CRON: '* * * * * *',
      // No site schedules in this test: an empty definitions folder and no tor, only the maintenance schedule.
      LEAKWATCH_SITES_DIR: dataDir,
    },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, unparsed: true }); // a crash trace: kept so a failure message can show it
      }
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, logs, exit };
}

const alive = (child: Child) => child.process.exitCode === null && child.process.signalCode === null;
const firedTicks = (child: Child) =>
  child.logs.filter((l) => l.msg === 'tick fired').map((l) => String(l.tick));

describe('two scheduler processes on one PostgreSQL', () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let dataDir: string;
  const children: Child[] = [];

  beforeAll(async () => {
    scratch = await createScratchPostgres('lw_sched');
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://', poolSize: 2 });
    await migrateDatabase(database);
    dataDir = mkdtempSync(join(tmpdir(), 'lw-sched-'));
  });

  afterAll(async () => {
    for (const child of children) if (alive(child)) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exit));
    await database?.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('fire an every-second schedule exactly once per tick', { timeout: 120_000 }, async () => {
    // Started together: both install pg-boss at once too, which its advisory lock must serialise.
    children.push(startScheduler(scratch.url, dataDir), startScheduler(scratch.url, dataDir));
    const describeLogs = () =>
      children
        .map((c) =>
          c.logs
            .slice(-15)
            .map((l) => JSON.stringify(l))
            .join('\n'),
        )
        .join('\n--\n');
    await waitFor(
      'both schedulers to start',
      () => {
        if (!children.every(alive)) throw new Error(`a scheduler exited during start-up:\n${describeLogs()}`);
        return children.every((c) => c.logs.some((l) => l.msg === 'scheduler started'));
      },
      { timeoutMs: 60_000 },
    );
    // Waited for in the database, not by a sleep: a slow host fires the ticks late, never fewer of them.
    await waitFor(
      `${RUN_TICKS} ticks`,
      async () => {
        if (!children.every(alive)) throw new Error(`a scheduler exited:\n${describeLogs()}`);
        const [row] = await database.query<{ n: number }>(
          'select count(*)::int as n from schedule_ticks where schedule = $1',
          [MAINTENANCE_SCHEDULE],
        );
        return (row?.n ?? 0) >= RUN_TICKS;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(children.every(alive), describeLogs()).toBe(true);

    for (const child of children) child.process.kill('SIGTERM');
    const codes = await Promise.all(children.map((child) => child.exit));
    expect(codes, describeLogs()).toEqual([0, 0]); // graceful shutdown, no crash

    const ticks = await database.query<{ tick: Date; fired_by: string }>(
      'select tick, fired_by from schedule_ticks where schedule = $1 order by tick',
      [MAINTENANCE_SCHEDULE],
    );
    const tickIsos = ticks.map((t) => new Date(t.tick).toISOString());
    expect(ticks.length).toBeGreaterThanOrEqual(RUN_TICKS);

    // No gaps: consecutive seconds from the first tick to the last.
    const times = ticks.map((t) => new Date(t.tick).getTime());
    const steps = times.slice(1).map((time, i) => time - (times[i] ?? Number.NaN));
    expect(
      steps.every((step) => step === 1000),
      `steps between ticks: ${steps.join(',')}`,
    ).toBe(true);

    // One job per tick, none without a tick.
    const jobs = await database.query<{ tick: string; n: number }>(
      `select data->>'tick' as tick, count(*)::int as n from pgboss.job where name = 'maintenance' group by 1 order by 1`,
    );
    expect(jobs.map((j) => j.tick)).toEqual(tickIsos);
    expect(jobs.every((j) => j.n === 1)).toBe(true);

    // The database cannot hold two rows per tick, so the processes' own logs show whether both acted on one:
    // every tick is reported fired by exactly one of them.
    const [firstFired, secondFired] = children.map(firedTicks) as [string[], string[]];
    expect(firstFired.filter((tick) => secondFired.includes(tick))).toEqual([]);
    expect([...firstFired, ...secondFired].sort()).toEqual(tickIsos);

    // fired_by names only these two processes; `<host>:<pid>` ties each row to the log that claimed it.
    const pids = children.map((c) => c.process.pid);
    const firers = new Set(ticks.map((t) => Number(t.fired_by.split(':').pop())));
    expect([...firers].every((pid) => pids.includes(pid))).toBe(true);
    console.info(
      `ticks: ${ticks.length}; fired by first: ${firstFired.length}, by second: ${secondFired.length}`,
    );
  });
});
