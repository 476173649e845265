import type { Benchmark } from '../registry.ts';
import { dumpBench } from './dump.bench.ts';
import { hmacBench } from './hmac.bench.ts';
import { identifiersBench } from './identifiers.bench.ts';
import { termsMbBench, termsVsRgBench } from './terms.bench.ts';

/** The match.* benchmarks, in the order they run. */
export const matchBenchmarks: readonly Benchmark[] = [
  termsMbBench,
  termsVsRgBench,
  hmacBench,
  identifiersBench,
  dumpBench,
];
