/**
 * The explicit registry of job kinds. A job's definition carries its payload type (so `send` and `work` are checked
 * against each other at compile time) and the retry policy its pg-boss queue is created with. A queue refuses
 * definitions that were not given to it at start, so a misspelt or forgotten job fails at once instead of piling up
 * jobs that no worker ever fetches.
 */

export interface RetryPolicy {
  /** Attempts after the first one. */
  retryLimit: number;
  /** Seconds before a failed job is fetched again. */
  retryDelaySeconds: number;
  /** Doubles the delay after each failure (pg-boss's exponential backoff). */
  retryBackoff: boolean;
}

export interface JobDefinition<Data extends object = object> extends RetryPolicy {
  /** pg-boss queue name: letters, digits, `_`, `-` and `.`. */
  readonly name: string;
  /** A job still active after this long is failed by pg-boss and retried per the policy. */
  readonly expireInSeconds: number;
  /** Type-only: never set at run time. */
  readonly __data?: Data;
}

export type JobData<J> = J extends JobDefinition<infer D> ? D : never;

const DEFAULT_POLICY: RetryPolicy & { expireInSeconds: number } = {
  retryLimit: 3,
  retryDelaySeconds: 30,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
};

const NAME = /^[a-z][a-z0-9_.-]{0,49}$/;

export function defineJob<Data extends object>(
  name: string,
  options: Partial<RetryPolicy & { expireInSeconds: number }> = {},
): JobDefinition<Data> {
  if (!NAME.test(name)) throw new Error(`invalid job name "${name}": expected ${NAME}`);
  return Object.freeze({ ...DEFAULT_POLICY, ...options, name });
}

/** Payload of the job a schedule tick enqueues: which schedule, which slot. */
export interface TickData {
  schedule: string;
  /** The cron slot as an ISO timestamp (the `schedule_ticks.tick` value). */
  tick: string;
}

/** Housekeeping fired by the built-in maintenance schedule (prunes old schedule ticks; health checks later). */
export const maintenanceJob = defineJob<TickData>('maintenance', {
  // A missed run is harmless (the next one prunes the same rows); retrying soon is enough.
  retryLimit: 2,
  retryDelaySeconds: 10,
  retryBackoff: false,
  expireInSeconds: 5 * 60,
});

/** One crawl of one site, fired by the site's schedule. A lease in the database keeps it to one run per site. */
export const crawlSiteJob = defineJob<TickData & { siteId: string }>('crawl.site', {
  retryLimit: 2,
  retryDelaySeconds: 60,
  retryBackoff: true,
  // A worker killed mid-crawl leaves the job active; pg-boss hands it to another worker after this.
  expireInSeconds: 30 * 60,
});

/** Deliver pending alerts from the outbox now (the worker also runs a pass every alerts.dispatchIntervalSeconds). */
export const alertDispatchJob = defineJob<object>('alert.dispatch', {
  // The outbox owns delivery retries; a failed pass is simply the next one.
  retryLimit: 0,
  retryDelaySeconds: 5,
  retryBackoff: false,
  expireInSeconds: 5 * 60,
});

/**
 * Run a retro-hunt recorded in retro_hunts (the CLI records it, then sends this): progress goes to that row. Locks
 * keep one hunt per organisation running; a copy of the job that finds its hunt over does nothing.
 */
export const retroHuntJob = defineJob<{ huntId: number }>('match.retro-hunt', {
  // A hunt cut by a worker's shutdown is retried by the next free worker, from where the hunt's row says it got to.
  retryLimit: 5,
  retryDelaySeconds: 15,
  retryBackoff: true,
  // A job runs one slice of a hunt (match.huntSliceSeconds ≤ 10 minutes, plus a wait for another hunt's slice of the
  // same organisation), so a job still active after this was held by a worker that died: another takes the hunt up.
  expireInSeconds: 15 * 60,
});

/** Every job kind the application knows; workers and schedulers start their queue with this list. */
export const ALL_JOBS: readonly JobDefinition[] = [
  maintenanceJob,
  crawlSiteJob,
  alertDispatchJob,
  retroHuntJob,
];
