/**
 * Retro-hunts in the background, as an operator runs them on PostgreSQL: a real `leakwatch worker` process serves the
 * database, so `terms add` and `matches hunt` hand their hunts to it through the job queue (progress in retro_hunts,
 * `matches hunts` lists them); two hunts of one organisation never run at once; without a worker the CLI runs the
 * hunt itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { huntWorkerPresent, tryLockHunt } from '../../src/match/hunt-locks.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { getRetroHunt } from '../../src/store/retro-hunts.repository.ts';
import { matches } from '../../src/store/schema/index.ts';
import { type CliResult, type RunningCli, runCli, startCli } from '../support/cli.ts';
import { createScratchPostgres, type ScratchPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';
import { createPost } from './support.ts';

describe('retro-hunts run by a worker', () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let worker: RunningCli | undefined;
  let env: Record<string, string>;
  let orgId: number;
  const run = (args: string[]): Promise<CliResult> => runCli(args, { env });
  /** The hunt's row once it has succeeded (waits for it). */
  const succeeded = (what: string, huntId: number) =>
    waitFor(
      what,
      async () => {
        const hunt = await getRetroHunt(database.db, huntId);
        return hunt?.status === 'succeeded' ? hunt : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  const json = async (args: string[]) => {
    const result = await run([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    env = {
      DATABASE_URL: scratch.url,
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-hunt-worker-')),
      LEAKWATCH_SECRET_KEY: 'h'.repeat(48),
      LEAKWATCH_TOR_SOCKS: 'socks5h://127.0.0.1:9',
      LEAKWATCH_WORKER_POLL_INTERVAL: '0.5',
      LEAKWATCH_LOG_LEVEL: 'info',
    };
    const org = await json(['org', 'add', 'quetzal', '--name', 'Quetzal Pharma', '--no-default-terms']);
    orgId = org.organisation.id;
    database = await openDatabase({ url: scratch.url, dataDir: 'memory://' });
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await database?.close();
    await scratch?.drop();
  });

  it('hands hunts to the worker, which runs them with progress; `matches hunts` lists them', async () => {
    const old = await createPost(database.db, {
      title: 'New victim: Quetzal Pharma',
      bodyText: 'all files of quetzal pharma',
    });
    worker = startCli(['worker'], { env });
    await waitFor('the worker to announce itself', () => huntWorkerPresent(database), { timeoutMs: 120_000 });

    const added = await run(['terms', 'add', 'quetzal', 'phrase', 'Quetzal Pharma', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const { hunt } = JSON.parse(added.stdout);
    expect(hunt).toMatchObject({ status: 'queued', ranBy: 'worker' });
    expect(added.stderr).toMatch(/retro-hunt #\d+ queued: a worker runs it/);

    const done = await succeeded('the worker to finish the hunt', hunt.huntId);
    expect(done).toMatchObject({ orgId, postsDone: done.postsTotal, changes: { created: 1, grown: 0 } });
    expect(done.postsTotal).toBeGreaterThanOrEqual(1);
    const found = await database.db.select().from(matches).where(eq(matches.orgId, orgId));
    expect(found.map((m) => m.postId)).toEqual([old.id]);
    expect(worker.output()).toContain('retro-hunt over');

    const listed = await json(['matches', 'hunts']);
    expect(listed.workers).toBe(true);
    expect(listed.hunts[0]).toMatchObject({
      id: hunt.huntId,
      org: 'quetzal',
      reason: 'terms added',
      state: 'succeeded',
      progress: { postsDone: done.postsTotal, postsTotal: done.postsTotal, created: 1 },
    });
    expect((await run(['matches', 'hunts'])).stdout).toMatch(
      new RegExp(`#${hunt.huntId} +succeeded +quetzal +\\d+/\\d+ posts`),
    );

    // --wait follows the worker's hunt to its end.
    const waited = await run(['matches', 'hunt', '--org', 'quetzal', '--wait', '--json']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).hunt).toMatchObject({
      status: 'succeeded',
      ranBy: 'worker',
      created: 0,
      postsDone: done.postsTotal,
    });
  });

  it('never runs two hunts of one organisation at once: a second waits for the first', async () => {
    // This test holds the organisation's hunt lock, as a long hunt of it running elsewhere would.
    const held = await tryLockHunt(database, { id: 1_000_000, orgId });
    expect(held).not.toBeNull();
    try {
      const queued = await json(['matches', 'hunt', '--org', 'quetzal']);
      const id = queued.hunt.huntId as number;
      await waitFor('the worker to wait for the running hunt', () =>
        worker?.output().includes('waiting for the running retro-hunt of the same organisation'),
      );
      const listed = await json(['matches', 'hunts']);
      expect(listed.hunts.find((h: { id: number }) => h.id === id)).toMatchObject({
        status: 'running',
        state: 'queued',
        progress: { postsDone: 0 },
      });
      // A hunt of every organisation waits too; a hunt of this process for the same organisation is refused at once.
      expect(await tryLockHunt(database, { id: 1_000_001, orgId: null })).toBeNull();
      expect(await tryLockHunt(database, { id: 1_000_002, orgId })).toBeNull();
    } finally {
      await held?.release();
    }
    const last = await waitFor(
      'the waiting hunt to run once the first is over',
      async () => {
        const [row] = (await json(['matches', 'hunts'])).hunts;
        return row.state === 'succeeded' ? row : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(last.progress.postsDone).toBe(last.progress.postsTotal);
  });

  it('a worker that stops hands its hunt back to the queue, and the next worker runs it', async () => {
    const held = await tryLockHunt(database, { id: 1_000_003, orgId });
    let id: number;
    try {
      const before = worker?.output().length ?? 0;
      id = (await json(['matches', 'hunt', '--org', 'quetzal'])).hunt.huntId;
      await waitFor('the worker to wait for the running hunt', () =>
        worker
          ?.output()
          .slice(before)
          .includes('waiting for the running retro-hunt of the same organisation'),
      );
      expect(await worker?.stop('SIGTERM')).toBe(0);
    } finally {
      await held?.release();
    }
    const listed = await json(['matches', 'hunts']);
    expect(listed.workers).toBe(false);
    expect(listed.hunts.find((h: { id: number }) => h.id === id)).toMatchObject({
      status: 'running',
      state: 'interrupted',
    });
    worker = startCli(['worker'], { env });
    const row = await succeeded('the next worker to run the hunt', id);
    expect(row.postsDone).toBe(row.postsTotal);
  });

  it('a worker runs a hunt in slices, each job handing the rest on to the next with its counts', async () => {
    expect(await worker?.stop('SIGTERM')).toBe(0);
    // A slice of 0 seconds: one post per job, so that a hunt of a few posts is cut as a long one would be.
    worker = startCli(['worker'], { env: { ...env, LEAKWATCH_HUNT_SLICE_SECONDS: '0' } });
    await waitFor('the worker to announce itself', () => huntWorkerPresent(database), { timeoutMs: 120_000 });
    const fresh = [];
    for (let i = 0; i < 3; i++)
      fresh.push(
        await createPost(database.db, { title: `Quetzal Pharma part ${i}`, bodyText: 'quetzal pharma' }),
      );

    const id = (await json(['matches', 'hunt', '--org', 'quetzal'])).hunt.huntId as number;
    const row = await succeeded('the sliced hunt to end', id);
    // Each post in a job of its own, then one that finds nothing left; the counts carried from job to job.
    expect(row.postsDone).toBe(row.postsTotal);
    expect(row.changes).toEqual({ created: fresh.length, grown: 0 });
    const jobs = await waitFor('the last job to complete', async () => {
      const rows = await database.query<{ state: string }>(
        `select state from pgboss.job where name = 'match.retro-hunt' and data->>'huntId' = $1`,
        [String(id)],
      );
      return rows.every((job) => job.state === 'completed') ? rows : undefined;
    });
    expect(jobs).toHaveLength(row.postsTotal + 1);
    expect(worker?.output().match(/retro-hunt slice over/g)).toHaveLength(row.postsTotal);
    const matched = await database.db.select().from(matches).where(eq(matches.orgId, orgId));
    for (const post of fresh) expect(matched.map((m) => m.postId)).toContain(post.id);
  });

  it('without a worker, the CLI runs the hunt itself', async () => {
    expect(await worker?.stop('SIGTERM')).toBe(0);
    expect(await huntWorkerPresent(database)).toBe(false);
    const result = await run(['matches', 'hunt', '--org', 'quetzal', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).hunt).toMatchObject({ status: 'succeeded', ranBy: 'cli' });
    expect(result.stderr).toMatch(/retro-hunt #\d+ succeeded/);
  });
});
