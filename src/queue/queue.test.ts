import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { sleep, waitFor } from '../../test/support/wait.ts';
import { createLogger } from '../shared/logger.ts';
import { defineJob } from './jobs.ts';
import { jobIdFor, type Queue, startQueue } from './queue.ts';

const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent', format: 'json' });

const echoJob = defineJob<{ n: number }>('test.echo', { retryLimit: 0 });
const alwaysFailsJob = defineJob<{ n: number }>('test.always-fails', {
  retryLimit: 2,
  retryDelaySeconds: 0,
  retryBackoff: false,
});
const failsOnceJob = defineJob<{ n: number }>('test.fails-once', {
  retryLimit: 3,
  retryDelaySeconds: 0,
  retryBackoff: false,
});
const slowJob = defineJob<{ n: number }>('test.slow', { retryLimit: 1, retryDelaySeconds: 0 });
const JOBS = [echoJob, alwaysFailsJob, failsOnceJob, slowJob];

interface JobRow {
  state: string;
  retry_count: number;
}

describe.each(DRIVERS)('job queue on %s', (driver) => {
  let test: TestDatabase;
  let queue: Queue;

  const jobRow = async (name: string, id: string): Promise<JobRow | undefined> =>
    (
      await test.database.query<JobRow>(
        'select state, retry_count from pgboss.job where name = $1 and id = $2',
        [name, id],
      )
    )[0];

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    queue = await startQueue(test.database, logger, { jobs: JOBS, pollingIntervalSeconds: 0.5 });
  });

  afterAll(async () => {
    await queue?.stop();
    await test?.close();
  });

  it('works each sent job exactly once, with its data', async () => {
    const seen: Array<{ id: string; n: number }> = [];
    await queue.work(
      echoJob,
      async (job) => {
        await sleep(20); // holds the job a little so that the three workers overlap
        seen.push({ id: job.id, n: job.data.n });
      },
      { concurrency: 3 },
    );
    const ids: string[] = [];
    for (let n = 0; n < 8; n++) ids.push((await queue.send(echoJob, { n })) as string);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);

    await waitFor('all echo jobs completed', async () => {
      const states = await Promise.all(ids.map((id) => jobRow(echoJob.name, id)));
      return states.every((row) => row?.state === 'completed');
    });
    // Two more rounds, each shown by a marker job sent after the last one was worked: fetches take the oldest job
    // first, so a job fetchable twice would be worked again before a marker (was a 1.2 s sleep).
    for (const n of [-1, -2]) {
      const marker = (await queue.send(echoJob, { n })) as string;
      await waitFor(
        'a marker job completed',
        async () => (await jobRow(echoJob.name, marker))?.state === 'completed',
      );
    }
    const worked = seen.filter((s) => s.n >= 0);
    expect(worked.map((s) => s.n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(worked.map((s) => s.id)).size).toBe(8);
    expect(worked.map((s) => s.id).sort()).toEqual([...ids].sort());
  });

  it('retries a failing job per its policy, then marks it failed', async () => {
    const attempts: number[] = [];
    await queue.work(alwaysFailsJob, async (job) => {
      if (job.data.n === 1) attempts.push(job.retryCount);
      throw new Error(`boom ${job.data.n}`);
    });
    const id = (await queue.send(alwaysFailsJob, { n: 1 })) as string;
    const row = await waitFor('the failing job to run out of retries', async () => {
      const current = await jobRow(alwaysFailsJob.name, id);
      return current?.state === 'failed' ? current : undefined;
    });
    // A fourth attempt would be fetched before any attempt of a job sent later (oldest first): wait for a later one
    // to run out of retries too (was a 1.2 s sleep).
    const later = (await queue.send(alwaysFailsJob, { n: 2 })) as string;
    await waitFor('a later failing job to run out of retries', async () => {
      return (await jobRow(alwaysFailsJob.name, later))?.state === 'failed';
    });
    // retryLimit 2: the first attempt and two retries, no more.
    expect(attempts).toEqual([0, 1, 2]);
    expect(row.retry_count).toBe(2);
  });

  it('completes a job that succeeds on retry', async () => {
    const attempts: number[] = [];
    await queue.work(failsOnceJob, async (job) => {
      attempts.push(job.retryCount);
      if (job.retryCount === 0) throw new Error('transient');
    });
    const id = (await queue.send(failsOnceJob, { n: 1 })) as string;
    await waitFor(
      'the job to complete on its retry',
      async () => (await jobRow(failsOnceJob.name, id))?.state === 'completed',
    );
    expect(attempts).toEqual([0, 1]);
  });

  it('enqueues once when the same id is sent twice', async () => {
    const id = jobIdFor(`duplicate-${driver}`);
    expect(await queue.send(echoJob, { n: 100 }, { id })).toBe(id);
    expect(await queue.send(echoJob, { n: 101 }, { id })).toBeNull();
    const rows = await test.database.query('select 1 from pgboss.job where id = $1', [id]);
    expect(rows).toHaveLength(1);
  });

  it('refuses a job kind it was not started with', async () => {
    const stranger = defineJob<{ n: number }>('test.unregistered');
    await expect(queue.send(stranger, { n: 1 })).rejects.toThrow(/not registered/);
  });

  it('lets a running handler finish on stop', async () => {
    const second = await startQueue(test.database, logger, { jobs: JOBS, pollingIntervalSeconds: 0.5 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    let finished = false;
    await second.work(slowJob, async () => {
      started = true;
      await gate;
      finished = true;
    });
    const id = (await queue.send(slowJob, { n: 1 })) as string;
    await waitFor('the slow job to start', () => started);
    let stopResolved = false;
    const stopped = second.stop().then(() => {
      stopResolved = true;
    });
    await sleep(1_100); // stop() must still be waiting for the handler
    expect(stopResolved).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
    expect((await jobRow(slowJob.name, id))?.state).toBe('completed');
  });
});
