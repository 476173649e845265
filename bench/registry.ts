import { alertDeliveryBench } from './alert/delivery.bench.ts';
import { alertFetchToDeliveryBench } from './alert/fetch-to-delivery.bench.ts';
import { crawlSweepBenchmarks } from './crawl/sweep.bench.ts';
import { insertRowsBench } from './db/insert-rows.bench.ts';
import { extractBenchmarks } from './extract/index.ts';
import { matchBenchmarks } from './match/index.ts';
import { webPagesBench } from './web/pages.bench.ts';

export interface BenchResult {
  /** The headline figure, in `unit`. */
  value: number;
  /** Everything else measured, for the record: per-variant figures, sizes, versions. */
  detail: Record<string, unknown>;
}

export interface Benchmark {
  /** `<area>.<what>_<unit>`, e.g. `db.insert_rows_s`; `npm run bench -- <prefix>` selects by it. */
  name: string;
  unit: string;
  /** What good looks like and why, in words. */
  goal: string;
  run(): Promise<BenchResult>;
}

/** Every benchmark, explicitly: adding one is adding a file under bench/<area>/ and a line here. */
export const benchmarks: readonly Benchmark[] = [
  insertRowsBench,
  alertDeliveryBench,
  alertFetchToDeliveryBench,
  ...crawlSweepBenchmarks,
  ...matchBenchmarks,
  ...extractBenchmarks,
  webPagesBench,
];
