/**
 * Latency-bound schedules of the sweep's crawl jobs: what the wall time would be if the only cost were the network
 * latency each request actually got. A job is one site's crawl, its requests issued one after another.
 */

export interface LatencyJob {
  id: string;
  /** Needs a browser context for each of its requests. */
  browser: boolean;
  /** Latency of each request, in the order the crawler issued them (ms). */
  requestsMs: number[];
}

export const jobMs = (job: LatencyJob): number => job.requestsMs.reduce((sum, ms) => sum + ms, 0);

/** No schedule on `slots` can beat the longest job, nor the total work spread evenly. */
export function lowerBound(jobs: readonly LatencyJob[], slots: number): number {
  const lengths = jobs.map(jobMs);
  return Math.max(0, ...lengths, lengths.reduce((sum, ms) => sum + ms, 0) / slots);
}

/** Greedy longest-processing-time-first: within 4/3 of optimal, usually within a percent of the lower bound. */
export function lptMakespan(jobs: readonly LatencyJob[], slots: number): number {
  const loads = new Array<number>(slots).fill(0);
  for (const length of jobs.map(jobMs).sort((a, b) => b - a)) {
    let least = 0;
    for (let i = 1; i < slots; i++) if ((loads[i] as number) < (loads[least] as number)) least = i;
    loads[least] = (loads[least] as number) + length;
  }
  return Math.max(...loads);
}

/**
 * LPT when at most `contexts` browser jobs may run at once (a browser crawl holds a context for nearly all of its
 * latency): a free slot takes the longest job it may start, and idles only when nothing but blocked browser jobs is
 * left.
 */
export function lptWithBrowserLimit(jobs: readonly LatencyJob[], slots: number, contexts: number): number {
  const pending = [...jobs].sort((a, b) => jobMs(b) - jobMs(a));
  const running: Array<{ end: number; browser: boolean }> = [];
  let now = 0;
  let makespan = 0;
  while (pending.length > 0 || running.length > 0) {
    let started = true;
    while (started && running.length < slots) {
      started = false;
      const browsers = running.filter((r) => r.browser).length;
      const index = pending.findIndex((job) => !job.browser || browsers < contexts);
      if (index >= 0) {
        const [job] = pending.splice(index, 1) as [LatencyJob];
        running.push({ end: now + jobMs(job), browser: job.browser });
        started = true;
      }
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift();
    if (!next) break;
    now = next.end;
    makespan = Math.max(makespan, now);
  }
  return makespan;
}

/**
 * The crawler's own policy with zero overhead: `slots` runners take jobs in submission order; each job issues its
 * requests one after another; a browser request waits for one of `contexts` browser contexts (first come, first
 * served) while its job keeps its slot. The makespan a perfect implementation of this code would reach.
 */
export function simulateWorker(jobs: readonly LatencyJob[], slots: number, contexts: number): number {
  interface Active {
    job: LatencyJob;
    next: number;
    end: number;
    holdsContext: boolean;
  }
  const queue = [...jobs];
  const running: Active[] = [];
  const waiting: Active[] = [];
  let freeContexts = contexts;
  let now = 0;
  const startRequest = (active: Active) => {
    const latency = active.job.requestsMs[active.next];
    if (latency === undefined) return false;
    if (active.job.browser) {
      if (freeContexts === 0) {
        waiting.push(active);
        return true;
      }
      freeContexts--;
      active.holdsContext = true;
    }
    active.end = now + latency;
    running.push(active);
    return true;
  };
  const startJob = () => {
    for (;;) {
      const job = queue.shift();
      if (!job) return;
      if (startRequest({ job, next: 0, end: 0, holdsContext: false })) return;
      // A job without requests finishes at once; its slot takes the next one.
    }
  };
  for (let i = 0; i < slots; i++) startJob();
  while (running.length > 0) {
    running.sort((a, b) => a.end - b.end);
    const done = running.shift() as Active;
    now = done.end;
    if (done.holdsContext) {
      done.holdsContext = false;
      freeContexts++;
      const woken = waiting.shift();
      if (woken) startRequest(woken);
    }
    done.next++;
    if (!startRequest(done)) startJob();
  }
  return now;
}
