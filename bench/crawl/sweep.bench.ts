/**
 * crawl.sweep_vs_ideal and crawl.sweep_peak_rss_mb: 300 simulated onion sites behind one onion harness, with Tor-like
 * latency on every request (uniform 0.5–5 s, seeded), 5 % dead (every mirror answers "host unreachable" after its own
 * 0.5–5 s), 20 % on the browser engine, crawled the way a worker crawls them: one crawlSite job per site, at most
 * crawl.concurrency at once, with the CrawlerDeps the application builds (createCrawler: PGlite on disk in the data
 * directory, encrypted evidence store, per-site SOCKS agents, Chromium with browser.maxContexts contexts). The database
 * is created beforehand in a child process (prepare-db.ts), as by an earlier start: this process opens it, like a
 * restarted worker.
 *
 * The wall time is compared with the ideal latency-bound schedule of the latencies actually drawn (see
 * sweep-report.ts and schedule.ts); resident memory of this process and of Chromium is sampled every 200 ms.
 * Both figures come from one sweep: whichever of the two benchmarks runs first runs it, the other reuses it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type AppContext, createAppContext } from '../../src/app/context.ts';
import { type Crawler, createCrawler } from '../../src/app/crawler.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { type CrawlSummary, crawlSite } from '../../src/crawl/crawl-site.ts';
import { describeError } from '../../src/shared/errors.ts';
import { randomOnionHost, startOnionHarness } from '../../test/support/onion-harness/index.ts';
import type { Benchmark, BenchResult } from '../registry.ts';
import { type MemoryReport, MemorySampler } from './rss-sampler.ts';
import { type JobRecord, latencyJobs, sweepFigures } from './sweep-report.ts';
import { planSites, SITE_SHAPES, type SweepShape, serveSweep } from './sweep-sites.ts';

const SHAPE: SweepShape = {
  // BENCH_SWEEP_SITES=40 for a quick look while working on it; the recorded figures are for 300.
  sites: Number(process.env.BENCH_SWEEP_SITES ?? 300),
  deadShare: 0.05,
  browserShare: 0.2,
  latencyMs: { min: 500, max: 5000 },
  seed: 20_260_301,
};
const PROGRESS_EVERY_MS = 15_000;
const HERE = dirname(fileURLToPath(import.meta.url));

/** Creates and migrates the database in a child process, as an earlier start of the application would have. */
async function prepareDatabase(dataDir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [
    join(HERE, '..', '..', 'bin', 'run-ts.js'),
    join(HERE, 'prepare-db.ts'),
    dataDir,
  ]);
}

interface SweepOutcome {
  vsIdeal: BenchResult;
  peakRss: BenchResult;
}

const log = (message: string) => process.stderr.write(`crawl.sweep: ${message}\n`);

async function sweep(): Promise<SweepOutcome> {
  const setupStarted = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'lw-bench-sweep-'));
  const harness = await startOnionHarness();
  const sampler = new MemorySampler(200);
  let ctx: AppContext | undefined;
  let crawler: Crawler | undefined;
  try {
    const plan = planSites(SHAPE, randomOnionHost);
    const served = serveSweep(harness, plan);
    mkdirSync(join(workDir, 'sites'));
    await prepareDatabase(join(workDir, 'data'));
    const loaded = loadConfig({
      env: {
        ...process.env,
        LEAKWATCH_CONFIG: '',
        DATABASE_URL: '', // the embedded default: PGlite on disk
        LEAKWATCH_DATA_DIR: join(workDir, 'data'),
        LEAKWATCH_SITES_DIR: join(workDir, 'sites'),
        LEAKWATCH_TOR_SOCKS: harness.url,
        LEAKWATCH_TOR_MODE: 'external',
        LEAKWATCH_SECRET_KEY: 'bench-sweep-secret-key-material-0123456789',
        LEAKWATCH_LOG_LEVEL: 'warn',
        LEAKWATCH_LOG_FORMAT: 'json',
      },
    });
    const { concurrency } = loaded.config.crawl;
    const { maxContexts } = loaded.config.browser;
    ctx = await createAppContext({ loaded, migrate: true });
    crawler = createCrawler(ctx);
    const deps = crawler.deps;
    const setupMs = performance.now() - setupStarted;
    log(
      `${plan.length} sites (${plan.filter((s) => s.dead).length} dead, ${plan.filter((s) => s.engine === 'browser').length} browser), concurrency ${concurrency}, browser contexts ${maxContexts}, ${ctx.database.location}`,
    );

    const records: JobRecord[] = [];
    let next = 0;
    let done = 0;
    sampler.start();
    const started = performance.now();
    const progress = setInterval(() => {
      const memory = sampler.latest();
      log(
        `${done}/${plan.length} crawled, ${Math.round((performance.now() - started) / 1000)} s` +
          (memory
            ? `, rss node ${Math.round(memory.nodeRssMb)} MB + children ${Math.round(memory.childrenRssMb)} MB`
            : ''),
      );
    }, PROGRESS_EVERY_MS);
    const runner = async () => {
      for (let site = plan[next++]; site; site = plan[next++]) {
        const startMs = performance.now() - started;
        let summary: Pick<CrawlSummary, 'status' | 'detail' | 'postsSeen' | 'pagesFetched'>;
        try {
          summary = await crawlSite(deps, site.definition, 'schedule');
        } catch (error) {
          summary = { status: 'threw', detail: describeError(error), postsSeen: 0, pagesFetched: 0 };
        }
        records[site.index] = { site: site.index, startMs, endMs: performance.now() - started, ...summary };
        done++;
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, runner));
    } finally {
      clearInterval(progress);
    }
    const wallMs = performance.now() - started;
    const memory = await sampler.stop();
    log(`${done}/${plan.length} crawled in ${(wallMs / 1000).toFixed(1)} s; closing`);

    served.cancelPending();
    await crawler.close();
    await ctx.close();

    const jobs = latencyJobs(plan, served.served, served.deadAttempts());
    const figures = sweepFigures({ plan, jobs, records, wallMs, concurrency, maxContexts });
    if ((figures.detail.unexpected_count as number) > 0)
      log(`unexpected outcomes: ${(figures.detail.unexpected as string[]).join('; ')}`);
    const setting = {
      sites: plan.length,
      dead: plan.filter((s) => s.dead).length,
      browser: plan.filter((s) => s.engine === 'browser').length,
      shapes: SITE_SHAPES.map((s) => `${s.pages} listing + ${s.posts} post pages: ${s.weight * 100} %`),
      latency_ms: `uniform ${SHAPE.latencyMs.min}–${SHAPE.latencyMs.max} per request, and per dead-mirror attempt`,
      seed: SHAPE.seed,
      concurrency,
      browser_max_contexts: maxContexts,
      database:
        'PGlite on disk (temporary data directory), created and migrated by a child process, then opened',
      extra_requests: served.served.filter((r) => r.extra).length,
      setup_s: Math.round(setupMs / 100) / 10,
    };
    return {
      vsIdeal: {
        value: figures.vsIdeal,
        detail: { ...figures.detail, memory: memorySummary(memory), setting },
      },
      peakRss: {
        value: memory.peak_total_rss_mb,
        detail: { ...memory, wall_s: figures.detail.wall_s, setting },
      },
    };
  } finally {
    await sampler.stop();
    await crawler?.close();
    await ctx?.close();
    await harness.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function memorySummary(memory: MemoryReport) {
  return {
    peak_total_rss_mb: memory.peak_total_rss_mb,
    peak_node_rss_mb: memory.peak_node_rss_mb,
    peak_total_pss_mb: memory.peak_total_pss_mb,
    event_loop_delay_ms: memory.event_loop_delay_ms,
  };
}

let running: Promise<SweepOutcome> | undefined;
/** One sweep per process, shared by the two benchmarks. */
const once = () => {
  running ??= sweep();
  return running;
};

export const crawlSweepBenchmarks: readonly Benchmark[] = [
  {
    name: 'crawl.sweep_vs_ideal',
    unit: '× ideal',
    goal: '≤ 1.3: 300 Tor-latency sites take at most 30 % longer than the latency-bound lower bound at crawl.concurrency',
    run: async () => (await once()).vsIdeal,
  },
  {
    name: 'crawl.sweep_peak_rss_mb',
    unit: 'MB',
    goal: '< 600 MB peak RSS, this process plus Chromium, during the same sweep',
    run: async () => (await once()).peakRss,
  },
];
