import { alertDispatchHandler, startAlertDispatcher } from '../alert/dispatch-job.ts';
import { alertDispatchJob, crawlSiteJob } from '../queue/jobs.ts';
import type { JobHandler } from '../queue/queue.ts';
import {
  bindJob,
  runAllInOneRole,
  runSchedulerRole,
  runWorkerRole,
  type WorkerBinding,
} from '../schedule/roles.ts';
import type { Scheduler } from '../schedule/scheduler.ts';
import { isAppError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import { getSite } from '../store/sites.repository.ts';
import type { AppContext } from './context.ts';
import { type Crawler, createCrawler } from './crawler.ts';
import { createLeakPipeline, type LeakPipeline } from './leak-pipeline.ts';
import { type Periodic, startPeriodic } from './periodic.ts';
import type { Role } from './run-roles.ts';

interface Stoppable {
  name: string;
  stop(): Promise<void> | void;
}

/** A crawl job: skipped while the site backs off or is disabled; bad input is recorded, not retried. */
function crawlHandler(
  ctx: AppContext,
  crawler: Crawler,
  pipeline: LeakPipeline,
  documents: Periodic,
): JobHandler<{ siteId: string }> {
  const log = moduleLogger(ctx.logger, 'crawl');
  return async (job) => {
    const { siteId } = job.data;
    if (!crawler.registry.get(siteId)) {
      log.warn({ site: siteId }, 'crawl job for a site that is no longer defined; dropped');
      return;
    }
    const stored = await getSite(ctx.database.db, siteId);
    if (stored && !stored.enabled) return;
    if (stored?.nextAttemptAt && stored.nextAttemptAt > new Date() && job.retryCount === 0) {
      log.info({ site: siteId, until: stored.nextAttemptAt }, 'site is backing off; scheduled crawl skipped');
      return;
    }
    try {
      const summary = await crawler.crawl(siteId, job.retryCount > 0 ? 'retry' : 'schedule');
      await pipeline.afterCrawl(summary);
      // Files linked by new posts are downloaded, read and matched by the documents pass; start one now.
      if (summary.changedPostIds.length > 0) void documents.kick();
    } catch (error) {
      if (isAppError(error) && error.disposition !== 'retry') {
        log.error({ site: siteId, code: error.code, error: error.message }, 'crawl failed; not retried');
        return;
      }
      throw error;
    }
  };
}

function registerSiteSchedules(scheduler: Scheduler, crawler: Crawler): void {
  for (const site of crawler.registry.all()) {
    if (site.enabled)
      scheduler.register(`crawl:${site.id}`, site.schedule, crawlSiteJob, { siteId: site.id });
  }
}

/**
 * Scheduler and worker roles over the job queue. Both in one process share one queue (and so one pg-boss); the
 * scheduler fires every site's schedule, the worker runs crawls at most `crawl.concurrency` at a time.
 */
export async function startBackgroundRoles(ctx: AppContext, roles: readonly Role[]): Promise<Stoppable[]> {
  const crawler = createCrawler(ctx);
  await crawler.syncAll();
  const scheduler = roles.includes('scheduler');
  const worker = roles.includes('worker');
  // Workers deliver the alert outbox: a periodic pass, and the alert.dispatch job to deliver at once.
  const alertDispatcher = worker ? startAlertDispatcher(ctx) : null;
  // Workers match what crawls find, and download, read and match posted files in a periodic pass.
  const pipeline = createLeakPipeline(ctx);
  const documents = worker
    ? startPeriodic(
        'documents',
        () => pipeline.documents.processPending(),
        15_000,
        moduleLogger(ctx.logger, 'documents'),
      )
    : { kick: async () => undefined, stop: async () => undefined };
  const bindings: WorkerBinding[] = [
    bindJob(crawlSiteJob, crawlHandler(ctx, crawler, pipeline, documents), ctx.config.crawl.concurrency),
    ...(alertDispatcher ? [bindJob(alertDispatchJob, alertDispatchHandler(alertDispatcher), 1)] : []),
  ];
  const common = {
    maintenanceCron: ctx.config.scheduler.maintenanceCron,
    queueOptions: {
      pollingIntervalSeconds: ctx.config.worker.pollingIntervalSeconds,
      poolSize: ctx.config.database.poolSize,
    },
    configure: (scheduler: Scheduler) => registerSiteSchedules(scheduler, crawler),
    bindings,
    // The maintenance job applies documents.retentionDays to the raw posted files.
    maintenance: { pruneRawFiles: () => pipeline.documents.pruneRawFiles() },
  };
  let role: Awaited<ReturnType<typeof runWorkerRole>>;
  try {
    role =
      scheduler && worker
        ? await runAllInOneRole(ctx, common)
        : scheduler
          ? await runSchedulerRole(ctx, common)
          : await runWorkerRole(ctx, common);
  } catch (error) {
    await alertDispatcher?.stop();
    await documents.stop();
    pipeline.close();
    throw error;
  }
  return [
    {
      name: 'documents',
      stop: async () => {
        await documents.stop();
        pipeline.close();
      },
    },
    ...(alertDispatcher ? [{ name: 'alert dispatcher', stop: () => alertDispatcher.stop() }] : []),
    { name: 'crawler', stop: () => crawler.close() },
    {
      name: scheduler && worker ? 'scheduler+worker' : scheduler ? 'scheduler' : 'worker',
      stop: () => role.stop(),
    },
  ];
}
