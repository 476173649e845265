import type { Benchmark } from '../registry.ts';
import { budgetThreadBench } from './budget-thread.bench.ts';
import { dumpPeakRssBench, dumpThroughputBench } from './dump-1gb.bench.ts';
import { pdfPagesBench } from './pdf-pages.bench.ts';

/** extract.*: the 1 GB dump (peak RSS and throughput, one shared run), PDF pages per second, the budget's cost. */
export const extractBenchmarks: readonly Benchmark[] = [
  dumpPeakRssBench,
  dumpThroughputBench,
  pdfPagesBench,
  budgetThreadBench,
];
