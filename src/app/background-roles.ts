import { alertDispatchHandler, startAlertDispatcher } from '../alert/dispatch-job.ts';
import { announceHuntWorker } from '../match/hunt-locks.ts';
import { alertDispatchJob, crawlSiteJob, retroHuntJob } from '../queue/jobs.ts';
import type { JobHandler, Queue } from '../queue/queue.ts';
import {
  bindJob,
  runAllInOneRole,
  runSchedulerRole,
  runWorkerRole,
  type WorkerBinding,
} from '../schedule/roles.ts';
import type { Scheduler } from '../schedule/scheduler.ts';
import { describeError, isAppError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import { getSite } from '../store/sites.repository.ts';
import type { AppContext } from './context.ts';
import { type Crawler, createCrawler } from './crawler.ts';
import { createLeakPipeline, type LeakPipeline } from './leak-pipeline.ts';
import { type Periodic, startPeriodic } from './periodic.ts';
import { retroHuntHandler } from './retro-hunt-job.ts';
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
  deliverAlerts: () => void,
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
      // The crawl queued its new and changed posts in its transaction: match them now (a failure stays queued and
      // the periodic pass retries it, as it takes any backlog).
      await pipeline.afterCrawl(summary);
      // A crawl writes alert rows (matches, site health, new posts) in its transactions: deliver them now rather
      // than at the next periodic pass.
      deliverAlerts();
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
  // Workers match what crawls find, and download, read and match posted files; a periodic pass takes up what is due
  // in each stage's queue (after a restart, a failed match, a crawl by the CLI).
  const pipeline = createLeakPipeline(ctx);
  const alertLog = moduleLogger(ctx.logger, 'alert');
  const deliverAlerts = () => {
    alertDispatcher
      ?.pass()
      .catch((error: unknown) =>
        alertLog.error({ error: describeError(error) }, 'alert dispatch pass failed'),
      );
  };
  // Stopping the roles ends the documents pass's claims and the retro-hunts (stopped first, see the end).
  const stopping = new AbortController();
  // A pass takes work for as long as any of its downloads lasts (no limit): a pass that stopped claiming after N
  // downloads would leave every later file waiting for its slowest one.
  const documents = worker
    ? startPeriodic(
        'documents',
        () =>
          pipeline
            .processPending({
              limit: Number.POSITIVE_INFINITY,
              extractLimit: Number.POSITIVE_INFINITY,
              signal: stopping.signal,
            })
            .finally(deliverAlerts),
        15_000,
        moduleLogger(ctx.logger, 'documents'),
      )
    : { kick: async () => undefined, stop: async () => undefined };
  // Workers run the retro-hunts the CLI hands them, one at a time, and say so to the CLI (hunt-locks.ts).
  // The role's queue, for a hunt's next slice: known once the role has started (a hunt taken before runs in one job).
  let queue: Queue | undefined;
  const bindings: WorkerBinding[] = [
    bindJob(
      crawlSiteJob,
      crawlHandler(ctx, crawler, pipeline, documents, deliverAlerts),
      ctx.config.crawl.concurrency,
    ),
    ...(alertDispatcher ? [bindJob(alertDispatchJob, alertDispatchHandler(alertDispatcher), 1)] : []),
    ...(worker
      ? [
          bindJob(
            retroHuntJob,
            retroHuntHandler(ctx, pipeline, stopping.signal, () => queue),
            1,
          ),
        ]
      : []),
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
    stopping.abort();
    await documents.stop();
    pipeline.close();
    throw error;
  }
  queue = role.queue;
  // Work left by a previous run, a one-shot command or an older version (re-queued by a migration) is taken up now.
  void documents.kick();
  // Without the announcement the CLI runs hunts itself: worse for a big registry, never wrong, so not fatal.
  const withdraw = worker
    ? await announceHuntWorker(ctx.database).catch((error: unknown) => {
        moduleLogger(ctx.logger, 'retro-hunt').warn(
          { error: describeError(error) },
          'cannot announce this worker for retro-hunts; the CLI will run them itself',
        );
        return async () => undefined;
      })
    : async () => undefined;
  return [
    {
      name: 'documents',
      stop: async () => {
        stopping.abort();
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
    // Stopped first (the list is stopped in reverse): no new hunt is handed to this worker, and a running hunt is cut
    // short and handed back to the queue before the queue waits for its handlers; the documents pass takes no more.
    {
      name: 'retro-hunts',
      stop: async () => {
        stopping.abort();
        await withdraw();
      },
    },
  ];
}
