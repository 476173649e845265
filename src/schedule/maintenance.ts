import { closeAbandonedRuns } from '../crawl/abandoned-runs.ts';
import type { TickData } from '../queue/jobs.ts';
import type { JobHandler } from '../queue/queue.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import { pruneTicks } from './run-coordinator.ts';

export interface MaintenanceOptions {
  /** schedule_ticks rows older than this are deleted. Default one day: long enough to inspect recent firing. */
  retainTicksMs?: number;
}

export interface MaintenanceReport {
  prunedTicks: number;
  /** Crawl runs closed because their worker died mid-run. */
  abandonedRuns: number;
}

/** The work of the maintenance job; health checks join here in later issues. */
export async function runMaintenance(
  database: Database,
  options: MaintenanceOptions = {},
  now: Date = new Date(),
): Promise<MaintenanceReport> {
  const cutoff = new Date(now.getTime() - (options.retainTicksMs ?? 24 * 60 * 60 * 1000));
  return {
    prunedTicks: await pruneTicks(database, cutoff),
    abandonedRuns: await closeAbandonedRuns(database.db),
  };
}

export function maintenanceHandler(
  database: Database,
  logger: Logger,
  options: MaintenanceOptions = {},
): JobHandler<TickData> {
  return async (job) => {
    const report = await runMaintenance(database, options);
    logger.debug({ tick: job.data.tick, ...report }, 'maintenance done');
  };
}
