import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import { type JobDefinition, maintenanceJob, type TickData } from '../queue/jobs.ts';
import { jobIdFor, type Queue } from '../queue/queue.ts';
import { describeError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Database } from '../store/db.ts';
import { slotOf, TickCoordinator } from './run-coordinator.ts';

export const MAINTENANCE_SCHEDULE = 'maintenance';
export const DEFAULT_MAINTENANCE_CRON = '*/5 * * * *';

export interface SchedulerOptions {
  /** Zone in which cron expressions are read. Default UTC. */
  timezone?: string;
  /** Cron of the built-in maintenance schedule (5 or 6 fields). Default every five minutes. */
  maintenanceCron?: string;
  /** Recorded as `schedule_ticks.fired_by`. Default `<hostname>:<pid>`. */
  instanceId?: string;
  /**
   * A tick node-cron reports as missed (the event loop was blocked past its slot) still fires, once, if it is at
   * most this old; older ones are dropped so that waking from a long pause does not replay a backlog. Default 60 s.
   */
  catchUpMs?: number;
}

export interface ScheduleEntry {
  name: string;
  cron: string;
  job: JobDefinition;
}

interface Registered extends ScheduleEntry {
  data: object;
  task?: ScheduledTask;
}

const SCHEDULE_NAME = /^[a-z0-9][a-z0-9_.:-]{0,99}$/i;
const SEND_ATTEMPTS = 3;

/**
 * Turns cron schedules into queued jobs. Every instance runs every schedule; at each tick the run coordinator lets
 * one instance through, and that instance only enqueues the schedule's job (workers do the work). The job id is
 * derived from (schedule, tick), so a send retried after an ambiguous failure still enqueues once.
 */
export class Scheduler {
  readonly #queue: Queue;
  readonly #logger: Logger;
  readonly #coordinator: TickCoordinator;
  readonly #timezone: string;
  readonly #catchUpMs: number;
  readonly #entries = new Map<string, Registered>();
  readonly #inFlight = new Set<Promise<void>>();
  #started = false;
  #stopping = false;

  constructor(database: Database, queue: Queue, logger: Logger, options: SchedulerOptions = {}) {
    this.#queue = queue;
    this.#logger = logger;
    this.#coordinator = new TickCoordinator(database, options.instanceId ?? `${hostname()}:${process.pid}`);
    this.#timezone = options.timezone ?? 'UTC';
    this.#catchUpMs = options.catchUpMs ?? 60_000;
    this.register(
      MAINTENANCE_SCHEDULE,
      options.maintenanceCron ?? DEFAULT_MAINTENANCE_CRON,
      maintenanceJob,
      {},
    );
  }

  get instanceId(): string {
    return this.#coordinator.instanceId;
  }

  get schedules(): ScheduleEntry[] {
    return [...this.#entries.values()].map(({ name, cron, job }) => ({ name, cron, job }));
  }

  /** Adds a schedule; each tick enqueues `job` with `data` plus the schedule name and tick. */
  register<Data extends TickData>(
    name: string,
    cronExpression: string,
    job: JobDefinition<Data>,
    data: NoInfer<Omit<Data, keyof TickData>>,
  ): void {
    if (this.#started) throw new Error('register schedules before start()');
    if (!SCHEDULE_NAME.test(name)) throw new Error(`invalid schedule name "${name}"`);
    if (this.#entries.has(name)) throw new Error(`schedule "${name}" is registered twice`);
    const check = cron.validateDetailed(cronExpression);
    if (!check.valid) {
      const reasons = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw new Error(`schedule "${name}": invalid cron "${cronExpression}" (${reasons})`);
    }
    this.#entries.set(name, { name, cron: cronExpression, job, data });
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const cronLogger = nodeCronLogger(this.#logger);
    for (const entry of this.#entries.values()) {
      // The claim is made here, inside the tracked callback, not through node-cron's `runCoordinator` hook: stop()
      // must wait for a claim and its enqueue together, or a shutdown between the two leaves a claimed tick with no job.
      const task = cron.createTask(
        entry.cron,
        (context) => this.#track(this.#fire(entry, context.date, false)),
        {
          name: entry.name,
          timezone: this.#timezone,
          logger: cronLogger,
        },
      );
      task.on('execution:missed', (context) => {
        if (Date.now() - context.date.getTime() > this.#catchUpMs) return;
        this.#track(this.#fire(entry, context.date, true));
      });
      entry.task = task;
      void task.start();
    }
    this.#logger.info(
      { instance: this.instanceId, schedules: this.schedules.map(({ name, cron }) => ({ name, cron })) },
      'scheduler started',
    );
  }

  /** Stops the timers, then waits for ticks already being enqueued. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const entry of this.#entries.values()) {
      await entry.task?.destroy();
      entry.task = undefined;
    }
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    if (this.#started) this.#logger.info({ instance: this.instanceId }, 'scheduler stopped');
    this.#started = false;
    this.#stopping = false;
  }

  /** Claims the tick for this instance and, if won, enqueues its job; a tick that comes in during stop() is left to the others. */
  async #fire(entry: Registered, date: Date, late: boolean): Promise<void> {
    if (this.#stopping) return;
    const tick = slotOf(date);
    try {
      if (!(await this.#coordinator.claim(entry.name, tick))) return;
    } catch (error) {
      this.#logger.error(
        { schedule: entry.name, tick, err: error },
        `cannot claim the tick, skipped: ${describeError(error)}`,
      );
      return;
    }
    if (late)
      this.#logger.warn(
        { schedule: entry.name, tick },
        'tick fired late: the process was blocked past its slot',
      );
    await this.#enqueue(entry, tick);
  }

  async #enqueue(entry: Registered, tick: Date): Promise<void> {
    const iso = tick.toISOString();
    const jobId = jobIdFor(`${entry.name}@${iso}`);
    const data = { ...entry.data, schedule: entry.name, tick: iso };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#queue.send(entry.job, data, { id: jobId });
        this.#logger.info({ schedule: entry.name, tick: iso, job: entry.job.name, jobId }, 'tick fired');
        return;
      } catch (error) {
        if (attempt >= SEND_ATTEMPTS) {
          // The tick is claimed but its job is not queued: say so plainly, the next tick will run the schedule.
          this.#logger.error(
            { schedule: entry.name, tick: iso, err: error },
            `tick lost: ${describeError(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  #track(promise: Promise<void>): Promise<void> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

/** node-cron's own messages (coordinator failures, missed runs) go to our log with a module name. */
function nodeCronLogger(logger: Logger) {
  return {
    info: (message: string) => logger.info(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string | Error, err?: Error) =>
      logger.error({ err: err ?? (message instanceof Error ? message : undefined) }, describeError(message)),
    debug: (message: string | Error, err?: Error) => logger.debug({ err }, describeError(message)),
  };
}
