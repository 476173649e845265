import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import { describeError, OperatorError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import { ALL_JOBS, type JobDefinition } from './jobs.ts';
import { pgliteExecutor, type TrackedExecutor } from './pglite-adapter.ts';

export interface QueueOptions {
  /** The job kinds this process may send or work; default every registered job. */
  jobs?: readonly JobDefinition[];
  /** How often an idle worker asks for a job; pg-boss 10 accepts no less than 0.5 s. Default 2. */
  pollingIntervalSeconds?: number;
  /** Connections of pg-boss's own pool (PostgreSQL only). Default 5. */
  poolSize?: number;
  /** How long stop() lets running handlers finish before failing them back to the queue. Default 30 s. */
  stopTimeoutMs?: number;
}

export interface SendOptions {
  /** A UUID; sending the same id twice enqueues once (see jobIdFor). */
  id?: string;
  /** Seconds from now, or a date, before the job may be fetched. */
  startAfter?: number | Date;
  priority?: number;
}

export interface WorkOptions {
  /** Jobs of this kind handled at once in this process. Default 1. */
  concurrency?: number;
}

export interface ActiveJob<Data> {
  id: string;
  data: Data;
  /** 0 on the first attempt. */
  retryCount: number;
}

/** A handler that throws fails the job; pg-boss retries it per the job definition's policy. */
export type JobHandler<Data> = (job: ActiveJob<Data>) => Promise<void>;

export interface Queue {
  /** Enqueues a job; resolves to its id, or null when a job with the same id already exists. */
  send<Data extends object>(
    job: JobDefinition<Data>,
    data: Data,
    options?: SendOptions,
  ): Promise<string | null>;
  work<Data extends object>(
    job: JobDefinition<Data>,
    handler: JobHandler<Data>,
    options?: WorkOptions,
  ): Promise<void>;
  /** Stops fetching, waits for running handlers (up to stopTimeoutMs), then releases connections. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts pg-boss on either driver. On PostgreSQL pg-boss keeps its own small `pg` pool from the connection URL (the
 * path pg-boss is built and tested for); on PGlite it goes through an executeSql adapter over the one embedded
 * connection. Installs or migrates pg-boss's schema (serialised by pg-boss's advisory lock, so several processes may
 * start at once) and creates one queue per job definition with that job's retry policy.
 */
export async function startQueue(
  database: Database,
  logger: Logger,
  options: QueueOptions = {},
): Promise<Queue> {
  const known = new Map((options.jobs ?? ALL_JOBS).map((job) => [job.name, job]));
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  let executor: TrackedExecutor | undefined;
  let connection: PgBoss.DatabaseOptions;
  if (database.pglite) {
    executor = pgliteExecutor(database.pglite);
    connection = { db: executor as PgBoss.Db };
  } else if (database.url) {
    connection = {
      connectionString: database.url,
      max: options.poolSize ?? 5,
      application_name: 'leakwatch',
    };
  } else {
    throw new OperatorError('queue.no_connection', `the job queue cannot reach ${database.location}`);
  }
  const boss = new PgBoss({
    ...connection,
    schedule: false,
    supervise: true,
    migrate: true,
    pollingIntervalSeconds,
  });
  // Without a listener an 'error' event would throw and end the process; pg-boss reports transient failures here.
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  try {
    await boss.start();
    for (const job of known.values()) {
      const policy = {
        policy: 'standard' as const,
        retryLimit: job.retryLimit,
        retryDelay: job.retryDelaySeconds,
        retryBackoff: job.retryBackoff,
        expireInSeconds: job.expireInSeconds,
      };
      await retryOnDeadlock(
        () => boss.createQueue(job.name, { name: job.name, ...policy }),
        () => logger.info({ job: job.name }, 'queue creation deadlocked with another process; retrying'),
      );
      // createQueue keeps an existing queue as it is; bring its policy in line with the code.
      await boss.updateQueue(job.name, { name: job.name, ...policy });
    }
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    // stop() does nothing when start() itself failed, yet pg-boss may have opened its pool: close it or it keeps the
    // process alive.
    const own = boss.getDb() as PgBoss.Db & { opened?: boolean; close?: () => Promise<void> };
    if (own.opened) await own.close?.().catch(() => undefined);
    executor?.close();
    throw new OperatorError('queue.start_failed', `cannot start the job queue: ${describeError(error)}`, {
      cause: error,
    });
  }
  logger.debug({ jobs: [...known.keys()] }, 'job queue started');

  const checked = (job: JobDefinition): string => {
    if (known.get(job.name) !== job) {
      throw new Error(
        `job "${job.name}" is not registered with this queue (add it to ALL_JOBS or QueueOptions.jobs)`,
      );
    }
    return job.name;
  };

  let stopping: Promise<void> | undefined;
  return {
    async send<Data extends object>(job: JobDefinition<Data>, data: Data, sendOptions: SendOptions = {}) {
      const name = checked(job);
      const bossOptions: PgBoss.SendOptions = {};
      if (sendOptions.id) bossOptions.id = sendOptions.id;
      if (sendOptions.startAfter !== undefined) bossOptions.startAfter = sendOptions.startAfter;
      if (sendOptions.priority !== undefined) bossOptions.priority = sendOptions.priority;
      return boss.send(name, data, bossOptions);
    },

    async work<Data extends object>(
      job: JobDefinition<Data>,
      handler: JobHandler<Data>,
      workOptions: WorkOptions = {},
    ) {
      const name = checked(job);
      const concurrency = workOptions.concurrency ?? 1;
      // pg-boss 10 has no per-worker concurrency: each work() call is one polling loop taking one job at a time.
      for (let i = 0; i < concurrency; i++) {
        await boss.work<Data>(name, { batchSize: 1, includeMetadata: true }, async ([active]) => {
          if (!active) return;
          try {
            await handler({ id: active.id, data: active.data, retryCount: active.retryCount });
          } catch (error) {
            const left = active.retryLimit - active.retryCount;
            logger.warn(
              {
                job: name,
                jobId: active.id,
                attempt: active.retryCount + 1,
                retriesLeft: Math.max(left, 0),
                err: error,
              },
              `job failed: ${describeError(error)}`,
            );
            // pg-boss stores what is thrown as the job's output: keep it an Error so message and stack survive.
            throw error instanceof Error ? error : new Error(describeError(error));
          }
        });
      }
    },

    stop() {
      stopping ??= (async () => {
        await boss.stop({ graceful: true, wait: true, timeout: options.stopTimeoutMs ?? 30_000 });
        await executor?.drain();
        executor?.close();
        logger.debug('job queue stopped');
      })();
      return stopping;
    },
  };
}

/**
 * pg-boss 10.4's create_queue() inserts the queue row and creates and attaches its partition in one transaction;
 * two processes creating the same new queue at once deadlock (measured: about one start in two when two processes start
 * on an empty database). PostgreSQL aborts one of them; on retry it finds the queue made and does nothing.
 */
async function retryOnDeadlock(
  operation: () => Promise<void>,
  onRetry: () => void,
  attempts = 5,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= attempts) throw error;
      onRetry();
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt * Math.random()));
    }
  }
}

const DEADLOCK_DETECTED = '40P01';

/**
 * A deterministic job id for an idempotent send: the same key always maps to the same UUID, and pg-boss inserts a
 * job whose id already exists in its queue at most once. Formatted as a version-8 (custom) RFC 9562 UUID.
 */
export function jobIdFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
