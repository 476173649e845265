import type { Command } from 'commander';
import { runDoctor } from '../../app/doctor/index.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skipped: 'skip' } as const;

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the configuration, database, Tor, Chromium and OCR tools, with a fix for each problem',
    )
    .option('--json', 'print { ok, checks } as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const report = await runDoctor();
      if (options.json) printJson(report);
      else {
        for (const check of report.checks) {
          process.stdout.write(`${MARK[check.status]}  ${check.name.padEnd(15)} ${check.detail}\n`);
          if (check.hint && check.status !== 'ok')
            process.stdout.write(`${' '.repeat(22)}fix: ${check.hint}\n`);
        }
        process.stdout.write(
          report.ok ? '\nall required checks passed\n' : '\nsome checks failed: see the fixes above\n',
        );
      }
      process.exitCode = report.ok ? EXIT.ok : EXIT.problems;
    });
}
