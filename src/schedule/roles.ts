import type { AppContext } from '../app/context.ts';
import { type JobDefinition, maintenanceJob } from '../queue/jobs.ts';
import { type JobHandler, type Queue, type QueueOptions, startQueue } from '../queue/queue.ts';
import { type Logger, moduleLogger } from '../shared/logger.ts';
import { type MaintenanceOptions, maintenanceHandler } from './maintenance.ts';
import { Scheduler, type SchedulerOptions } from './scheduler.ts';

/** What the CLI holds on to: stop() is the graceful shutdown for SIGTERM/SIGINT. Idempotent. */
export interface RunningRole {
  stop(): Promise<void>;
}

export interface QueueRoleOptions {
  /** A queue already started by the caller, to share; the role then leaves stopping it to the caller. */
  queue?: Queue;
  queueOptions?: QueueOptions;
}

export interface SchedulerRoleOptions extends QueueRoleOptions, SchedulerOptions {
  /** Adds schedules before the scheduler starts (site crawls, in later issues). */
  configure?: (scheduler: Scheduler) => void;
}

/** A job kind this worker handles, and how many at once. */
export interface WorkerBinding {
  job: JobDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: a list of bindings mixes payload types; bindJob() checks each pair.
  handler: JobHandler<any>;
  concurrency?: number;
}

export function bindJob<Data extends object>(
  job: JobDefinition<Data>,
  handler: JobHandler<Data>,
  concurrency?: number,
): WorkerBinding {
  return { job, handler: handler as WorkerBinding['handler'], concurrency };
}

export interface WorkerRoleOptions extends QueueRoleOptions {
  /** Concurrency of bindings that do not set their own. Default `worker.concurrency` from the configuration. */
  concurrency?: number;
  /** Handled in addition to the built-in jobs; a binding for a built-in job's name replaces it. */
  bindings?: WorkerBinding[];
  maintenance?: MaintenanceOptions;
}

export interface SchedulerRole extends RunningRole {
  scheduler: Scheduler;
  queue: Queue;
}

export interface WorkerRole extends RunningRole {
  queue: Queue;
}

/** `leakwatch scheduler`: fires schedules into the queue; any number of instances may run against one PostgreSQL. */
export async function runSchedulerRole(
  ctx: AppContext,
  options: SchedulerRoleOptions = {},
): Promise<SchedulerRole> {
  const logger = moduleLogger(ctx.logger, 'scheduler');
  const { queue, owned } = await roleQueue(ctx, options, logger);
  try {
    const scheduler = new Scheduler(ctx.database, queue, logger, {
      timezone: ctx.config.scheduler.timezone,
      ...definedOnly({
        timezone: options.timezone,
        maintenanceCron: options.maintenanceCron,
        instanceId: options.instanceId,
        catchUpMs: options.catchUpMs,
      }),
    });
    options.configure?.(scheduler);
    scheduler.start();
    return {
      scheduler,
      queue,
      stop: once(async () => {
        await scheduler.stop();
        if (owned) await queue.stop();
      }),
    };
  } catch (error) {
    if (owned) await queue.stop();
    throw error;
  }
}

/** `leakwatch worker`: takes jobs from the queue and runs them; stop() lets running jobs finish first. */
export async function runWorkerRole(ctx: AppContext, options: WorkerRoleOptions = {}): Promise<WorkerRole> {
  const logger = moduleLogger(ctx.logger, 'worker');
  const { queue, owned } = await roleQueue(ctx, options, logger);
  const builtIn = [bindJob(maintenanceJob, maintenanceHandler(ctx.database, logger, options.maintenance), 1)];
  const bindings = new Map<string, WorkerBinding>();
  for (const binding of [...builtIn, ...(options.bindings ?? [])]) bindings.set(binding.job.name, binding);
  try {
    for (const { job, handler, concurrency } of bindings.values()) {
      await queue.work(job, handler, {
        concurrency: concurrency ?? options.concurrency ?? ctx.config.worker.concurrency,
      });
    }
  } catch (error) {
    if (owned) await queue.stop();
    throw error;
  }
  logger.info({ jobs: [...bindings.keys()] }, 'worker started');
  return {
    queue,
    stop: once(async () => {
      // A shared queue is stopped by its owner (runAllInOneRole), after the scheduler.
      if (owned) await queue.stop();
      logger.info('worker stopped');
    }),
  };
}

/**
 * `leakwatch start`: scheduler and worker in one process over one queue (the only choice on PGlite, whose files
 * one process may open). Stops the scheduler first so no tick is enqueued into a queue that is shutting down.
 */
export async function runAllInOneRole(
  ctx: AppContext,
  options: SchedulerRoleOptions & WorkerRoleOptions = {},
): Promise<SchedulerRole> {
  const { queue } = await roleQueue(ctx, options, moduleLogger(ctx.logger, 'queue'));
  const owned = !options.queue;
  try {
    const worker = await runWorkerRole(ctx, { ...options, queue });
    const scheduler = await runSchedulerRole(ctx, { ...options, queue });
    return {
      scheduler: scheduler.scheduler,
      queue,
      stop: once(async () => {
        await scheduler.stop();
        await worker.stop();
        if (owned) await queue.stop();
      }),
    };
  } catch (error) {
    if (owned) await queue.stop();
    throw error;
  }
}

async function roleQueue(ctx: AppContext, options: QueueRoleOptions, logger: Logger) {
  if (options.queue) return { queue: options.queue, owned: false };
  return { queue: await startQueue(ctx.database, logger, options.queueOptions), owned: true };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
