import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMaintenance } from '../../src/schedule/maintenance.ts';
import { pruneTicks, slotOf, TickCoordinator } from '../../src/schedule/run-coordinator.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe.each(DRIVERS)('tick coordinator on %s', (driver) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await test?.close();
  });
  beforeEach(async () => {
    await test.database.exec('delete from schedule_ticks');
  });

  const tickRows = () =>
    test.database.query<{ schedule: string; tick: Date; fired_by: string }>(
      'select schedule, tick, fired_by from schedule_ticks order by schedule, tick',
    );

  it('lets exactly one of many concurrent claimants fire a tick', async () => {
    const tick = new Date('2026-03-01T10:00:00Z');
    const coordinators = Array.from(
      { length: 8 },
      (_, i) => new TickCoordinator(test.database, `instance-${i}`),
    );
    const results = await Promise.all(coordinators.map((c) => c.claim('crawl.site-a', tick)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await tickRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fired_by).toBe(`instance-${results.indexOf(true)}`);
  });

  it('treats every schedule and every tick separately', async () => {
    const coordinator = new TickCoordinator(test.database, 'me');
    const t1 = new Date('2026-03-01T10:00:00Z');
    const t2 = new Date('2026-03-01T10:00:01Z');
    expect(await coordinator.claim('a', t1)).toBe(true);
    expect(await coordinator.claim('b', t1)).toBe(true);
    expect(await coordinator.claim('a', t2)).toBe(true);
    expect(await coordinator.claim('a', t1)).toBe(false);
    expect(await tickRows()).toHaveLength(3);
  });

  it('truncates the tick to its whole-second slot, so late callers agree on it', async () => {
    const coordinator = new TickCoordinator(test.database, 'me');
    expect(await coordinator.claim('a', new Date('2026-03-01T10:00:00.000Z'))).toBe(true);
    expect(await coordinator.claim('a', new Date('2026-03-01T10:00:00.734Z'))).toBe(false);
    expect(slotOf(new Date('2026-03-01T10:00:00.999Z')).toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('prunes ticks older than the cutoff and keeps the rest', async () => {
    const coordinator = new TickCoordinator(test.database, 'me');
    const now = new Date('2026-03-10T12:00:00Z');
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    for (const h of [50, 25, 23, 1]) await coordinator.claim('a', hoursAgo(h));
    expect(await runMaintenance(test.database, {}, now)).toEqual({
      prunedTicks: 2,
      abandonedRuns: 0,
      rawFilesDeleted: 0,
    });
    const left = (await tickRows()).map((r) => new Date(r.tick).getTime());
    expect(left).toEqual([hoursAgo(23).getTime(), hoursAgo(1).getTime()]);
    expect(await pruneTicks(test.database, hoursAgo(0))).toBe(2);
  });
});
