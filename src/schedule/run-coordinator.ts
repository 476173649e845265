import type { Database } from '../store/db.ts';

/**
 * Decides which scheduler instance fires a tick: the first to insert the (schedule, tick) row of `schedule_ticks`.
 * The primary key makes the database the referee, so N instances on one PostgreSQL fire each tick once, with no
 * leader election and nothing to expire: a crashed instance holds no lease, the others simply win the next ticks.
 */
export class TickCoordinator {
  readonly #database: Database;
  readonly instanceId: string;

  constructor(database: Database, instanceId: string) {
    this.#database = database;
    this.instanceId = instanceId;
  }

  /** True for exactly one caller per (schedule, tick) across every process sharing the database. */
  async claim(schedule: string, tick: Date): Promise<boolean> {
    const rows = await this.#database.query(
      `insert into schedule_ticks (schedule, tick, fired_by) values ($1, $2::timestamptz, $3)
       on conflict do nothing returning tick`,
      [schedule, slotOf(tick).toISOString(), this.instanceId],
    );
    return rows.length === 1;
  }
}

/** Cron slots are whole seconds (node-cron's finest field); dropping milliseconds makes any caller's date agree. */
export function slotOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Deletes ticks older than the cutoff; returns how many. Called by the maintenance job. */
export async function pruneTicks(database: Database, olderThan: Date): Promise<number> {
  const [row] = await database.query<{ pruned: number }>(
    `with pruned as (delete from schedule_ticks where tick < $1::timestamptz returning 1)
     select count(*)::int as pruned from pruned`,
    [olderThan.toISOString()],
  );
  return row?.pruned ?? 0;
}
