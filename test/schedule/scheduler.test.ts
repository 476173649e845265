import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_JOBS, defineJob, maintenanceJob, type TickData } from '../../src/queue/jobs.ts';
import { type Queue, startQueue } from '../../src/queue/queue.ts';
import { MAINTENANCE_SCHEDULE, Scheduler } from '../../src/schedule/scheduler.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { sleep, waitFor } from '../support/wait.ts';

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
    const blockedUntil = Date.now() + 2_600; // spans at least two whole slots
    while (Date.now() < blockedUntil) {
      // busy-wait: node-cron's timer cannot run, as under a CPU-bound handler
    }
    await sleep(1_500);
    await scheduler.stop();
    await expectOneJobPerTick(4);
  });

  it('queues the job of a tick whose claim was still in flight when stop() was called', async () => {
    // The claim's insert is done but its answer is slow: stop() lands between the claim and the enqueue.
    let claimsInFlight = 0;
    const slowClaims = {
      ...test.database,
      query: async <T>(text: string, params?: readonly unknown[]) => {
        if (!text.includes('insert into schedule_ticks')) return test.database.query<T>(text, params);
        claimsInFlight++;
        const rows = await test.database.query<T>(text, params);
        await sleep(400);
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
    await waitFor('a claim in flight', () => claimsInFlight > 0);
    await scheduler.stop();
    // Right after stop() returns, every claimed tick has its job: none is left claimed and unqueued.
    await expectOneJobPerTick(1);
  });

  it('stops firing once stopped', async () => {
    const scheduler = newScheduler('stopper');
    scheduler.start();
    await waitFor('a first tick', async () => (await ticks()).length >= 1);
    await scheduler.stop();
    const count = (await ticks()).length;
    await sleep(2_200);
    expect((await ticks()).length).toBe(count);
  });
});
