/**
 * Samples the resident memory of this process and of every process below it (Chromium and its renderers, started by
 * Playwright) from /proc, every `intervalMs`. RSS summed over processes counts shared pages (Chromium's binary, shared
 * memory) once per process, so it overstates what the machine loses; PSS shares them out and is reported beside it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface MemorySample {
  atMs: number;
  nodeRssMb: number;
  childrenRssMb: number;
  childrenPssMb: number;
  nodePssMb: number;
  children: number;
  /** RSS of the descendants by process name. */
  byName: Record<string, number>;
}

export interface MemoryReport {
  samples: number;
  peak_total_rss_mb: number;
  peak_node_rss_mb: number;
  peak_children_rss_mb: number;
  peak_total_pss_mb: number;
  peak_children: number;
  /** Descendants' RSS by process name at the peak of the total. */
  children_at_peak_mb: Record<string, number>;
  /** Event-loop delay while sampling: PGlite, parsing and TLS-free I/O all share this one thread. */
  event_loop_delay_ms: { p50: number; p99: number; max: number };
}

const MB = 1024 * 1024;
const round = (value: number) => Math.round(value * 10) / 10;

interface ProcessStatus {
  pid: number;
  name: string;
  rssKb: number;
}

async function readStatus(pid: number): Promise<(ProcessStatus & { ppid: number }) | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(text)?.[1] ?? Number.NaN);
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    const name = /^Name:\s+(.*)$/m.exec(text)?.[1] ?? '?';
    return Number.isNaN(ppid) ? undefined : { pid, ppid, rssKb, name };
  } catch {
    return undefined; // exited between readdir and read, or a kernel thread
  }
}

async function readPssKb(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Descendants of `root` (not itself), with their RSS, from one pass over /proc. */
async function descendants(root: number): Promise<ProcessStatus[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const statuses = await Promise.all(pids.map(readStatus));
  const children = new Map<number, ProcessStatus[]>();
  for (const status of statuses) {
    if (!status) continue;
    const list = children.get(status.ppid) ?? [];
    list.push(status);
    children.set(status.ppid, list);
  }
  const found: ProcessStatus[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() as number) ?? []) {
      found.push(child);
      stack.push(child.pid);
    }
  }
  return found;
}

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly started = performance.now();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly intervalMs = 200) {}

  start(): void {
    this.loopDelay.enable();
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  /** The latest sample, for progress lines. */
  latest(): MemorySample | undefined {
    return this.samples.at(-1);
  }

  async sample(): Promise<void> {
    if (this.busy) return; // a slow /proc pass skips a tick rather than piling up
    this.busy = true;
    try {
      const below = await descendants(process.pid);
      const [pss, nodePss] = await Promise.all([
        Promise.all(below.map((child) => readPssKb(child.pid))),
        readPssKb(process.pid),
      ]);
      this.samples.push({
        atMs: performance.now() - this.started,
        nodeRssMb: process.memoryUsage.rss() / MB,
        childrenRssMb: below.reduce((sum, child) => sum + child.rssKb, 0) / 1024,
        childrenPssMb: pss.reduce((sum, kb) => sum + kb, 0) / 1024,
        nodePssMb: nodePss / 1024,
        children: below.length,
        byName: below.reduce<Record<string, number>>((names, child) => {
          names[child.name] = round((names[child.name] ?? 0) + child.rssKb / 1024);
          return names;
        }, {}),
      });
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<MemoryReport> {
    clearInterval(this.timer);
    this.loopDelay.disable();
    const max = (pick: (s: MemorySample) => number) => Math.max(0, ...this.samples.map(pick));
    const ms = (ns: number) => round(ns / 1e6);
    const total = (s: MemorySample) => s.nodeRssMb + s.childrenRssMb;
    const peak = this.samples.reduce<MemorySample | undefined>(
      (best, s) => (best && total(best) >= total(s) ? best : s),
      undefined,
    );
    return {
      samples: this.samples.length,
      peak_total_rss_mb: round(max((s) => s.nodeRssMb + s.childrenRssMb)),
      peak_node_rss_mb: round(max((s) => s.nodeRssMb)),
      peak_children_rss_mb: round(max((s) => s.childrenRssMb)),
      peak_total_pss_mb: round(max((s) => s.nodePssMb + s.childrenPssMb)),
      peak_children: max((s) => s.children),
      children_at_peak_mb: peak?.byName ?? {},
      event_loop_delay_ms: {
        p50: ms(this.loopDelay.percentile(50)),
        p99: ms(this.loopDelay.percentile(99)),
        max: ms(this.loopDelay.max),
      },
    };
  }
}
