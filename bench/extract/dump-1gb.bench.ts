/**
 * extract.dump_1gb_peak_rss_mb and extract.dump_1gb_mb_s: a generated 1 GiB credential CSV (Latin-1, ";", 8.4 M rows)
 * served by the onion harness, downloaded through its SOCKS proxy into the encrypted evidence store, then extracted
 * and streamed to the matcher. The measured work runs in a child process (bench/extract/dump-worker.ts) so its peak
 * RSS is its own; the harness serving the file runs here. Both benchmarks share one run.
 *
 * Headline throughput: bytes / (download + extraction to the matcher). Details keep each phase, the extraction to a
 * counting consumer (the extraction path alone), and the peak RSS of each phase.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureSite, startOnionHarness } from '../../test/support/onion-harness/index.ts';
import type { Benchmark, BenchResult } from '../registry.ts';
import { ROW_BYTES, serveDump } from './dump-csv.ts';

const MB = 1024 * 1024;
/** LW_BENCH_DUMP_MB shrinks the dump for a quick check; the benchmark's figure is for 1024. */
const DUMP_MB = Number(process.env.LW_BENCH_DUMP_MB ?? 1024);
const REGISTERED = 40_000;

interface WorkerReport {
  bytes: number;
  startRssMb: number;
  download: { seconds: number; peakRssMb: number };
  counting: {
    seconds: number;
    peakRssMb: number;
    records: number;
    status: string;
    dialect: string;
    encoding: string;
  };
  matcher:
    | { seconds: number; peakRssMb: number; records: number; registeredFound: number }
    | { error: string };
}

function runWorker(socksUrl: string, url: string, directory: string): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bin/run-ts.js', 'bench/extract/dump-worker.ts', socksUrl, url, directory, String(REGISTERED)],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`dump worker exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() as string) as WorkerReport);
    });
  });
}

let shared: Promise<WorkerReport> | undefined;

async function measure(): Promise<WorkerReport> {
  const harness = await startOnionHarness();
  const rows = Math.floor((DUMP_MB * MB) / ROW_BYTES) - 1;
  const host = harness.serve(
    fixtureSite({ '/leak/clients.csv': (_request, response) => serveDump(response, rows) }),
  );
  const directory = mkdtempSync(join(tmpdir(), 'lw-bench-dump-'));
  try {
    return await runWorker(harness.url, `http://${host}/leak/clients.csv`, directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
    await harness.stop();
  }
}

/** The phase that fed the matcher, or the counting consumer's when the matcher could not be loaded. */
function consumed(report: WorkerReport): { seconds: number; peakRssMb: number; consumer: string } {
  if ('error' in report.matcher)
    return { ...report.counting, consumer: `counting consumer (${report.matcher.error})` };
  return {
    ...report.matcher,
    consumer: 'matcher (ContentAnalysis: detectors, 40 000 registered e-mail hashes)',
  };
}

function details(report: WorkerReport): Record<string, unknown> {
  const mb = report.bytes / MB;
  const rate = (seconds: number) => Math.round((mb / seconds) * 10) / 10;
  const matcher = 'error' in report.matcher ? undefined : report.matcher;
  return {
    dump_mb: Math.round(mb),
    rows: report.counting.records,
    consumer: consumed(report).consumer,
    download_mb_s: rate(report.download.seconds),
    extract_to_counting_mb_s: rate(report.counting.seconds),
    ...(matcher
      ? { extract_to_matcher_mb_s: rate(matcher.seconds), registered_emails_found: matcher.registeredFound }
      : {}),
    seconds: {
      download: report.download.seconds,
      counting: report.counting.seconds,
      ...(matcher ? { matcher: matcher.seconds } : {}),
    },
    peak_rss_mb: {
      at_start: report.startRssMb,
      download: report.download.peakRssMb,
      counting: report.counting.peakRssMb,
      ...(matcher ? { matcher: matcher.peakRssMb } : {}),
    },
    dialect: report.counting.dialect,
    encoding: report.counting.encoding,
    load_average: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

const run = () => {
  shared ??= measure();
  return shared;
};

export const dumpPeakRssBench: Benchmark = {
  name: 'extract.dump_1gb_peak_rss_mb',
  unit: 'MB',
  goal: '< 300 MB peak RSS of the worker process while a 1 GB dump is downloaded, stored encrypted, extracted and matched',
  async run(): Promise<BenchResult> {
    const report = await run();
    return {
      value: Math.max(report.download.peakRssMb, report.counting.peakRssMb, consumed(report).peakRssMb),
      detail: details(report),
    };
  },
};

export const dumpThroughputBench: Benchmark = {
  name: 'extract.dump_1gb_mb_s',
  unit: 'MB/s',
  goal: 'a 1 GB dump from download to matched in well under a minute per GB, so a leak is matched minutes after it is posted',
  async run(): Promise<BenchResult> {
    const report = await run();
    const seconds = report.download.seconds + consumed(report).seconds;
    return { value: Math.round((report.bytes / MB / seconds) * 10) / 10, detail: details(report) };
  },
};
