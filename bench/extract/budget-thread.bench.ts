/**
 * extract.budget_thread_overhead_pct: what the budget's worker thread costs on a CSV dump (the commonest leak):
 * a generated 256 MB credential CSV, stored encrypted, extracted to a counting consumer in this process and through
 * extractWithinBudget (thread, records 512 per message). Best of two runs each; the thread is warm (started once).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import { extractWithinBudget } from '../../src/documents/extract-budget.ts';
import { documentSettings } from '../../src/documents/settings.ts';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { disabledOcr } from '../../src/extract/ocr.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import type { Benchmark, BenchResult } from '../registry.ts';
import { HEADER, ROW_BYTES, row } from './dump-csv.ts';

const MB = 1024 * 1024;
const DUMP_MB = Number(process.env.LW_BENCH_BUDGET_MB ?? 256);

async function* dump(rows: number): AsyncGenerator<Buffer> {
  yield Buffer.from(HEADER, 'latin1');
  for (let next = 0; next < rows; next += 8192) {
    const lines: string[] = [];
    for (let i = next; i < Math.min(rows, next + 8192); i++) lines.push(row(i));
    yield Buffer.from(lines.join(''), 'latin1');
  }
}

export const budgetThreadBench: Benchmark = {
  name: 'extract.budget_thread_overhead_pct',
  unit: '%',
  goal: 'under 10 %: the budget (a thread per extraction) must not make dumps noticeably slower to read',
  async run(): Promise<BenchResult> {
    const directory = mkdtempSync(join(tmpdir(), 'lw-bench-budget-'));
    const evidence = new LocalEvidenceStore(directory, randomBytes(32));
    const settings = documentSettings(loadConfig({ env: {}, cwd: tmpdir() }).config);
    const ocr = disabledOcr('bench');
    try {
      const { sha256, size } = await evidence.putStream(dump(Math.floor((DUMP_MB * MB) / ROW_BYTES) - 1));
      const inProcess = async () => {
        const reader = await evidence.openReader(sha256);
        const started = performance.now();
        let records = 0;
        for await (const _ of extractDocument(
          { name: 'clients.csv', access: reader },
          { limits: settings.extract, ocr },
        ).records)
          records++;
        await reader.close();
        return { seconds: (performance.now() - started) / 1000, records };
      };
      const inThread = async () => {
        const reader = await evidence.openReader(sha256);
        const started = performance.now();
        let records = 0;
        const extraction = extractWithinBudget(
          { name: 'clients.csv', access: reader },
          { limits: settings.extract, ocr },
          settings.budget,
        );
        for await (const _ of extraction.records) records++;
        await reader.close();
        return {
          seconds: (performance.now() - started) / 1000,
          records,
          status: extraction.summary().status,
        };
      };
      // Starts the thread (and loads its code) outside the measure, as a worker does once.
      const warm = extractWithinBudget(
        { name: 'w.csv', access: await evidence.openReader(sha256) },
        { limits: settings.extract, ocr },
        settings.budget,
      );
      for await (const _ of warm.records) break;
      const direct = [await inProcess(), await inProcess()].sort((a, b) => a.seconds - b.seconds)[0];
      const threaded = [await inThread(), await inThread()].sort((a, b) => a.seconds - b.seconds)[0];
      if (!direct || !threaded) throw new Error('no run');
      if (threaded.records !== direct.records)
        throw new Error(`records differ: ${threaded.records} vs ${direct.records}`);
      const mbs = (seconds: number) => Math.round((size / MB / seconds) * 10) / 10;
      return {
        value: Math.round(((threaded.seconds - direct.seconds) / direct.seconds) * 1000) / 10,
        detail: {
          dump_mb: Math.round(size / MB),
          records: direct.records,
          in_process_mb_s: mbs(direct.seconds),
          thread_mb_s: mbs(threaded.seconds),
          thread_status: threaded.status,
          load_average: loadavg().map((value) => Math.round(value * 100) / 100),
        },
      };
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  },
};
