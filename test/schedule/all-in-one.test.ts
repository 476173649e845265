/**
 * The all-in-one mode of `leakwatch start` on the embedded database: scheduler and worker in one process over one
 * pg-boss on PGlite. A tick must be fired, enqueued and worked end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { ALL_JOBS, defineJob, type TickData } from '../../src/queue/jobs.ts';
import { bindJob, runAllInOneRole, type SchedulerRole } from '../../src/schedule/roles.ts';
import { TickCoordinator } from '../../src/schedule/run-coordinator.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

const probeJob = defineJob<TickData & { label: string }>('test.probe', { retryLimit: 0 });

describe('all-in-one (scheduler + worker) on PGlite', () => {
  let test: TestDatabase;
  let ctx: AppContext;
  let role: SchedulerRole | undefined;
  const worked: Array<TickData & { label: string }> = [];

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    const { config, sources } = loadConfig({ env: {} });
    ctx = {
      config,
      sources,
      logger: createLogger({ level: (process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent', format: 'json' }),
      database: test.database,
      secretKey: { material: 'k'.repeat(32), source: 'configuration' },
      close: () => test.close(),
    };
  });

  afterAll(async () => {
    await role?.stop();
    await test?.close();
  });

  it('fires a schedule, enqueues its job and works it; the maintenance job prunes old ticks', async () => {
    // A tick two days old: the maintenance job, fired every second here, must delete it.
    const stale = new Date(Date.now() - 2 * 24 * 3_600_000);
    await new TickCoordinator(test.database, 'earlier').claim('crawl.old', stale);

    role = await runAllInOneRole(ctx, {
      maintenanceCron: '* * * * * *',
      queueOptions: { jobs: [...ALL_JOBS, probeJob], pollingIntervalSeconds: 0.5 },
      configure: (scheduler) => scheduler.register('probe', '* * * * * *', probeJob, { label: 'hello' }),
      bindings: [
        bindJob(probeJob, async (job) => {
          worked.push(job.data);
        }),
      ],
    });

    await waitFor('two probe jobs worked', () => worked.length >= 2);
    await waitFor('a maintenance job completed', async () => {
      const rows = await test.database.query(
        `select 1 from pgboss.job where name = 'maintenance' and state = 'completed'`,
      );
      return rows.length > 0;
    });
    await role.stop();

    expect(worked[0]).toMatchObject({ label: 'hello', schedule: 'probe' });
    const probeTicks = await test.database.query<{ tick: Date }>(
      `select tick from schedule_ticks where schedule = 'probe' order by tick`,
    );
    const workedTicks = worked.map((w) => w.tick);
    // Each worked job is a distinct tick recorded by the coordinator (no tick worked twice).
    expect(new Set(workedTicks).size).toBe(workedTicks.length);
    const recorded = probeTicks.map((t) => new Date(t.tick).toISOString());
    expect(workedTicks.every((tick) => recorded.includes(tick))).toBe(true);

    const old = await test.database.query(`select 1 from schedule_ticks where schedule = 'crawl.old'`);
    expect(old).toHaveLength(0);
  });

  it('has stopped: no job is left active', async () => {
    const active = await test.database.query(`select name from pgboss.job where state = 'active'`);
    expect(active).toEqual([]);
  });
});
