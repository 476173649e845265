/**
 * Turns what the sweep observed (each job's start and end, each request's latency) into the figures: the ideal
 * schedules, the ratio, and where the time beyond the ideal went.
 */
import {
  jobMs,
  type LatencyJob,
  lowerBound,
  lptMakespan,
  lptWithBrowserLimit,
  simulateWorker,
} from './schedule.ts';
import type { PlannedSite, ServedRequest } from './sweep-sites.ts';

export interface JobRecord {
  site: number;
  startMs: number;
  endMs: number;
  status: string;
  postsSeen: number;
  pagesFetched: number;
  detail: string;
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Each site's requests in the order it issued them, with the latency each one got. */
export function latencyJobs(
  plan: readonly PlannedSite[],
  served: readonly ServedRequest[],
  deadAttempts: ReadonlyMap<string, number>,
): LatencyJob[] {
  const bySite = new Map<number, number[]>();
  for (const request of served) {
    if (request.extra) continue;
    const list = bySite.get(request.site) ?? [];
    list.push(request.latencyMs);
    bySite.set(request.site, list);
  }
  return plan.map((site) => ({
    id: site.definition.id,
    browser: site.engine === 'browser',
    requestsMs: site.dead
      ? site.mirrors.flatMap((mirror) =>
          new Array<number>(deadAttempts.get(mirror.host) ?? 0).fill(mirror.failMs ?? 0),
        )
      : (bySite.get(site.index) ?? []),
  }));
}

/** Time a site's crawl took beyond the latency of its requests, summarised per engine. */
function overheads(plan: readonly PlannedSite[], jobs: readonly LatencyJob[], records: readonly JobRecord[]) {
  const summarise = (engine: 'http' | 'browser') => {
    const perJob: number[] = [];
    let requests = 0;
    for (const site of plan) {
      const record = records[site.index];
      const job = jobs[site.index];
      if (site.engine !== engine || site.dead || !record || !job) continue;
      perJob.push(record.endMs - record.startMs - jobMs(job));
      requests += job.requestsMs.length;
    }
    const total = perJob.reduce((sum, ms) => sum + ms, 0);
    return {
      live_jobs: perJob.length,
      per_job_ms: {
        mean: Math.round(total / Math.max(1, perJob.length)),
        p50: Math.round(quantile(perJob, 0.5)),
        p95: Math.round(quantile(perJob, 0.95)),
        max: Math.round(quantile(perJob, 1)),
      },
      per_request_ms: Math.round(total / Math.max(1, requests)),
      total_slot_s: seconds(total),
    };
  };
  return { http: summarise('http'), browser: summarise('browser') };
}

export interface SweepFigures {
  vsIdeal: number;
  detail: Record<string, unknown>;
}

export function sweepFigures(options: {
  plan: readonly PlannedSite[];
  jobs: readonly LatencyJob[];
  records: readonly JobRecord[];
  wallMs: number;
  concurrency: number;
  maxContexts: number;
}): SweepFigures {
  const { plan, jobs, records, wallMs, concurrency, maxContexts } = options;
  const lengths = jobs.map(jobMs);
  const totalMs = lengths.reduce((sum, ms) => sum + ms, 0);
  const browserMs = jobs.filter((job) => job.browser).reduce((sum, job) => sum + jobMs(job), 0);
  const bound = lowerBound(jobs, concurrency);
  const lpt = lptMakespan(jobs, concurrency);
  const lptLimited = lptWithBrowserLimit(jobs, concurrency, maxContexts);
  const policy = simulateWorker(jobs, concurrency, maxContexts);
  const policyUnlimited = simulateWorker(jobs, concurrency, Number.MAX_SAFE_INTEGER);
  for (const [name, makespan] of Object.entries({ lpt, lptLimited, policy, policyUnlimited }))
    if (makespan + 1e-6 < bound)
      throw new Error(`${name} schedule ${makespan} ms beats the lower bound ${bound} ms`);

  const busyMs = records.reduce((sum, r) => sum + (r.endMs - r.startMs), 0);
  const lastStart = Math.max(...records.map((r) => r.startMs));
  const expected = (site: PlannedSite) => (site.dead ? 'down' : 'succeeded');
  const unexpected = plan
    .filter((site) => {
      const record = records[site.index];
      return !record || record.status !== expected(site) || (!site.dead && record.postsSeen !== site.posts);
    })
    .map((site) => {
      const r = records[site.index];
      return `${site.definition.id} (${site.engine}${site.dead ? ', dead' : ''}): ${r?.status ?? 'not run'} ${r?.detail ?? ''}`;
    });
  const statuses: Record<string, number> = {};
  for (const record of records) statuses[record.status] = (statuses[record.status] ?? 0) + 1;
  const requests = jobs.reduce((sum, job) => sum + job.requestsMs.length, 0);

  return {
    vsIdeal: ratio(wallMs, bound),
    detail: {
      wall_s: seconds(wallMs),
      ideal: {
        lower_bound_s: seconds(bound),
        lpt_s: seconds(lpt),
        lpt_browser_limit_s: seconds(lptLimited),
        worker_policy_s: seconds(policy),
        worker_policy_no_browser_limit_s: seconds(policyUnlimited),
        total_latency_s: seconds(totalMs),
        longest_site_s: seconds(Math.max(...lengths)),
        browser_latency_over_contexts_s: seconds(browserMs / maxContexts),
      },
      vs: {
        lower_bound: ratio(wallMs, bound),
        lpt: ratio(wallMs, lpt),
        worker_policy: ratio(wallMs, policy),
      },
      overhead: overheads(plan, jobs, records),
      slots: {
        utilisation: ratio(busyMs, wallMs * concurrency),
        /** From the last job's start to the end: fewer than `concurrency` crawls running. */
        drain_s: seconds(wallMs - lastStart),
      },
      requests: {
        total: requests,
        per_live_site: ratio(
          jobs.filter((_, i) => !plan[i]?.dead).reduce((sum, job) => sum + job.requestsMs.length, 0),
          plan.filter((site) => !site.dead).length,
        ),
        mean_latency_ms: Math.round(totalMs / Math.max(1, requests)),
      },
      statuses,
      unexpected: unexpected.slice(0, 10),
      unexpected_count: unexpected.length,
    },
  };
}
