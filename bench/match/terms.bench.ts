/**
 * match.terms_mb_s and match.terms_vs_rg: 10 000 watch terms (names, brands, domains) over 100 MB of leak-like text,
 * with folding (case, accents, punctuation) and word boundaries, through the matcher the pipeline uses
 * (CompiledTerms: the automaton plus domain confirmation). Side by side in the same run, ripgrep `rg -F -o -f` on the
 * same corpus file and the same terms (as written: rg does no folding, so it finds fewer).
 *
 * Throughput is bytes over CPU time of the scanning thread's process ("per core"); wall-clock figures are kept in the
 * details, with the load average, since the machine may be shared.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fold } from '../../src/match/fold.ts';
import { CompiledTerms } from '../../src/match/terms.ts';
import type { WatchTerm } from '../../src/store/organisations.repository.ts';
import type { Benchmark, BenchResult } from '../registry.ts';
import { termsCorpus } from './files.ts';

const MEGABYTES = 100;
const TERMS = 10_000;
const RECORD_CHARS = 1 << 20; // pages of about 1 MB, cut at line ends

function compiled(terms: readonly string[]): CompiledTerms {
  return new CompiledTerms(
    terms.map((pattern, i): WatchTerm => {
      const domain = /^[a-z0-9-]+\.[a-z]+$/.test(pattern);
      return {
        id: i + 1,
        orgId: (i % 500) + 1,
        kind: domain ? 'domain' : pattern.includes(' ') ? 'phrase' : 'keyword',
        pattern,
        normalised: domain ? pattern : fold(pattern),
        muted: false,
        createdAt: new Date(),
      };
    }),
  );
}

function records(text: string): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + RECORD_CHARS);
    const newline = text.indexOf('\n', end);
    end = newline < 0 ? text.length : newline + 1;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

interface Scan {
  matches: number;
  cpuSeconds: number;
  wallSeconds: number;
}

function scanOurs(matcher: CompiledTerms, pages: readonly string[]): Scan {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  let matches = 0;
  for (const page of pages) matches += matcher.scan(page).length;
  const used = process.cpuUsage(cpu);
  return {
    matches,
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - wall) / 1000,
  };
}

/** rg -F -o -f terms corpus, its output counted (lines) here; CPU and wall time from /usr/bin/time. */
function scanRipgrep(termsFile: string, corpus: string): Promise<Scan> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S', 'rg', '-F', '-o', '-f', termsFile, corpus], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let matches = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) matches++;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const times = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !times) return reject(new Error(`rg failed (${code}): ${stderr.slice(0, 300)}`));
      resolve({ matches, wallSeconds: Number(times[1]), cpuSeconds: Number(times[2]) + Number(times[3]) });
    });
  });
}

async function run(): Promise<{ ours: Scan; rg: Scan; bytes: number; states: number; buildSeconds: number }> {
  const corpus = await termsCorpus(MEGABYTES, TERMS);
  const pages = records(readFileSync(corpus.corpus, 'utf8'));
  const built = performance.now();
  const matcher = compiled(corpus.terms);
  const buildSeconds = (performance.now() - built) / 1000;
  scanOurs(matcher, pages.slice(0, 5)); // warm-up: compile the hot loop
  const ours = scanOurs(matcher, pages);
  const rg = await scanRipgrep(corpus.termsFile, corpus.corpus);
  return { ours, rg, bytes: corpus.bytes, states: 0, buildSeconds };
}

const mbs = (bytes: number, seconds: number) => bytes / 1024 / 1024 / seconds;
let shared: Promise<Awaited<ReturnType<typeof run>>> | undefined;

function detail(r: Awaited<ReturnType<typeof run>>): BenchResult['detail'] {
  return {
    corpus_mb: Math.round(r.bytes / 1024 / 1024),
    terms: TERMS,
    build_s: r.buildSeconds,
    ours: {
      cpu_mb_s: mbs(r.bytes, r.ours.cpuSeconds),
      wall_mb_s: mbs(r.bytes, r.ours.wallSeconds),
      matches: r.ours.matches,
    },
    rg: {
      cpu_mb_s: mbs(r.bytes, r.rg.cpuSeconds),
      wall_mb_s: mbs(r.bytes, r.rg.wallSeconds),
      matches: r.rg.matches,
      version: 'ripgrep 13 (Debian)',
    },
    load_average_1m: loadavg()[0],
  };
}

export const termsMbBench: Benchmark = {
  name: 'match.terms_mb_s',
  unit: 'MB/s',
  goal: '≥ 150 MB/s per core: 10 000 terms over 100 MB with folding and word boundaries',
  async run() {
    shared ??= run();
    const r = await shared;
    return { value: mbs(r.bytes, r.ours.cpuSeconds), detail: detail(r) };
  },
};

export const termsVsRgBench: Benchmark = {
  name: 'match.terms_vs_rg',
  unit: '×',
  goal: '≥ 3 × ripgrep `rg -F -o -f` on the same corpus and terms, same run (CPU time)',
  async run() {
    shared ??= run();
    const r = await shared;
    return {
      value: r.rg.cpuSeconds / r.ours.cpuSeconds,
      detail: { ...detail(r), wall_ratio: r.rg.wallSeconds / r.ours.wallSeconds },
    };
  },
};
