import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS, defineJob, maintenanceJob, type TickData } from '../../src/queue/jobs.ts';
import { type Queue, startQueue } from '../../src/queue/queue.ts';
import { MAINTENANCE_SCHEDULE, Scheduler } from '../../src/schedule/scheduler.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent', format: 'json' });
const crawlJob = defineJob<TickData & { site: string }>('test.crawl');
const JOBS = [...ALL_JOBS, crawlJob];
const EVERY_SECOND = '* * * * * *';
const RARELY = '0 0 1 1 *'; // keeps the built-in maintenance schedule out of the way

describe('Scheduler.register', () => {
  const scheduler = new Scheduler({} as never, {} as Queue, logger, { maintenanceCron: RARELY });

  it('registers the built-in maintenance schedule with the cron it is given', () => {
    expect(scheduler.schedules).toEqual([{ name: MAINTENANCE_SCHEDULE, cron: RARELY, job: maintenanceJob }]);
  });

  it('refuses an invalid cron, a duplicate name and a bad name', () => {
    expect(() => scheduler.register('crawl.a', '61 * * * *', crawlJob, { site: 'a' })).toThrow(
      /invalid cron/,
    );
    expect(() => scheduler.register(MAINTENANCE_SCHEDULE, '* * * * *', maintenanceJob, {})).toThrow(/twice/);
    expect(() => scheduler.register('has space', '* * * * *', crawlJob, { site: 'a' })).toThrow(
      /invalid schedule name/,
    );
  });
});

describe.each(DRIVERS)('scheduler on %s', (driver) => {
  let test: TestDatabase;
  let queue: Queue;
  const schedulers: Scheduler[] = [];

  const newScheduler = (instanceId: string) => {
    const scheduler = new Scheduler(test.database, queue, logger, { instanceId, maintenanceCron: RARELY });
    scheduler.register('crawl.site-a', EVERY_SECOND, crawlJob, { site: 'site-a' });
    schedulers.push(scheduler);
    return scheduler;
  };
  const ticks = () =>
    test.database.query<{ tick: Date; fired_by: string }>(
      `select tick, fired_by from schedule_ticks where schedule = 'crawl.site-a' order by tick`,
    );
  const jobs = () =>
    test.database.query<{ data: TickData & { site: string } }>(
      `select data from pgboss.job where name = $1 order by data->>'tick'`,
      [crawlJob.name],
    );

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    queue = await startQueue(test.database, logger, { jobs: JOBS, pollingIntervalSeconds: 0.5 });
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await queue?.stop();
    await test?.close();
  });
  beforeEach(async () => {
    await test.database.exec(`delete from schedule_ticks; delete from pgboss.job where name = 'test.crawl'`);
  });

  /** The invariant every test here ends on: consecutive ticks, each with exactly one job carrying its data. */
  async function expectOneJobPerTick(minTicks: number) {
    const fired = await ticks();
    expect(fired.length).toBeGreaterThanOrEqual(minTicks);
    const isos = fired.map((t) => new Date(t.tick).toISOString());
    const times = fired.map((t) => new Date(t.tick).getTime());
    const steps = times.slice(1).map((time, i) => time - (times[i] ?? Number.NaN));
    expect(
      steps.every((s) => s === 1000),
      `steps: ${steps.join(',')}`,
    ).toBe(true);
    const queued = await jobs();
    expect(queued.map((j) => j.data)).toEqual(
      isos.map((tick) => ({ site: 'site-a', schedule: 'crawl.site-a', tick })),
    );
    return fired;
  }

  it('enqueues one job per tick with the schedule data and the tick', async () => {
    const scheduler = newScheduler('solo');
    scheduler.start();
    await waitFor('three ticks', async () => (await ticks()).length >= 3);
    await scheduler.stop();
    const fired = await expectOneJobPerTick(3);
    expect(new Set(fired.map((t) => t.fired_by))).toEqual(new Set(['solo']));
  });

  it('fires each tick once with two schedulers racing on the same database', async () => {
    const [a, b] = [newScheduler('a'), newScheduler('b')];
    a.start();
    b.start();
    await waitFor('four ticks', async () => (await ticks()).length >= 4);
    await Promise.all([a.stop(), b.stop()]);
    await expectOneJobPerTick(4);
  });

  it('still fires, once and late, the ticks missed while the event loop was blocked', async () => {
    const scheduler = newScheduler('blocked');
    scheduler.start();
    await waitFor('a first tick', async () => (await ticks()).length >= 1);
    // The event loop held for 2.6 s, as by a CPU-bound handler: node-cron's timer cannot run through at least two
    // whole slots. Atomics.wait blocks without spinning, so the other tests' processes keep the cores.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_600);
    await waitFor('the missed ticks and one after them', async () => (await ticks()).length >= 4);
    await scheduler.stop();
    await expectOneJobPerTick(4);
  });

  it('queues the job of a tick whose claim was still in flight when stop() was called', async () => {
    // The claim's insert is done but its answer is held until stop() has been called: stop() lands between the
    // claim and the enqueue on every machine (a delay would only make it likely).
    let claimsDone = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowClaims = {
      ...test.database,
      query: async <T>(text: string, params?: readonly unknown[]) => {
        if (!text.includes('insert into schedule_ticks')) return test.database.query<T>(text, params);
        const rows = await test.database.query<T>(text, params);
        claimsDone++;
        await held;
        return rows;
      },
    };
    const scheduler = new Scheduler(slowClaims, queue, logger, {
      instanceId: 'slow',
      maintenanceCron: RARELY,
    });
    scheduler.register('crawl.site-a', EVERY_SECOND, crawlJob, { site: 'site-a' });
    schedulers.push(scheduler);
    scheduler.start();
    await waitFor('a claim made and held', () => claimsDone > 0);
    const stopping = scheduler.stop();
    release();
    await stopping;
    // Right after stop() returns, every claimed tick has its job: none is left claimed and unqueued.
    await expectOneJobPerTick(1);
  });

  it('stops firing once stopped', async () => {
    // The stopped scheduler's claims are counted at its database; a second scheduler's ticks show the slots passing,
    // so the test waits on events, not for a while: a timer left running would claim at each of those slots.
    let claimsAfterStop = 0;
    let stopped = false;
    const counting = {
      ...test.database,
      query: <T>(text: string, params?: readonly unknown[]) => {
        if (stopped && text.includes('insert into schedule_ticks')) claimsAfterStop++;
        return test.database.query<T>(text, params);
      },
    };
    const scheduler = new Scheduler(counting, queue, logger, {
      instanceId: 'stopper',
      maintenanceCron: RARELY,
    });
    scheduler.register('crawl.site-a', EVERY_SECOND, crawlJob, { site: 'site-a' });
    schedulers.push(scheduler);
    scheduler.start();
    await waitFor('a first tick', async () => (await ticks()).length >= 1);
    await scheduler.stop();
    stopped = true;
    const witness = newScheduler('witness');
    witness.start();
    await waitFor(
      'three ticks of the witness',
      async () => (await ticks()).filter((t) => t.fired_by === 'witness').length >= 3,
    );
    await witness.stop();
    expect(claimsAfterStop).toBe(0);
    expect((await ticks()).filter((t) => t.fired_by === 'stopper').length).toBeGreaterThanOrEqual(1);
  });
});
