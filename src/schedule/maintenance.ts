import { closeAbandonedRuns } from '../crawl/abandoned-runs.ts';
import type { TickData } from '../queue/jobs.ts';
import type { JobHandler } from '../queue/queue.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import { pruneTicks } from './run-coordinator.ts';

export interface MaintenanceOptions {
  /** schedule_ticks rows older than this are deleted. Default one day: long enough to inspect recent firing. */
  retainTicksMs?: number;
  /**
   * Deletes raw posted files past `documents.retentionDays` (the document pipeline's pruneRawFiles); returns how many.
   * Workers pass it; without it no file is deleted.
   */
  pruneRawFiles?: () => Promise<number>;
}

export interface MaintenanceReport {
  prunedTicks: number;
  /** Crawl runs closed because their worker died mid-run. */
  abandonedRuns: number;
  /** Raw posted files deleted under the retention setting. */
  rawFilesDeleted: number;
}

/** The work of the maintenance job: old ticks, abandoned crawl runs, raw files past retention. */
export async function runMaintenance(
  database: Database,
  options: MaintenanceOptions = {},
  now: Date = new Date(),
): Promise<MaintenanceReport> {
  const cutoff = new Date(now.getTime() - (options.retainTicksMs ?? 24 * 60 * 60 * 1000));
  const prunedTicks = await pruneTicks(database, cutoff);
  const abandonedRuns = await closeAbandonedRuns(database.db);
  return { prunedTicks, abandonedRuns, rawFilesDeleted: (await options.pruneRawFiles?.()) ?? 0 };
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
