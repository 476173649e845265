import type { Command } from 'commander';
import { SHIPPED_SITES } from '../../../crawlers/index.ts';
import { definitionStrategy, evaluateFolder, type ParseStrategy } from '../../parse/evaluate.ts';
import { formatReport, type ReportStyle, reportJson } from '../../parse/evaluate-report.ts';
import { genericStrategy } from '../../parse/generic/index.ts';
import { SiteRegistry } from '../../parse/site-registry.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';

interface EvalOptions {
  json?: boolean;
  generic?: boolean;
}

/**
 * How pages are read: the shipped site definitions, or with `--generic` the generic extractor, which reads every
 * page without a definition (so walls are scored too and the TOTAL line carries walls_with_posts).
 */
function modeFor(options: EvalOptions): { strategy: ParseStrategy; style: ReportStyle } {
  if (options.generic) return { strategy: genericStrategy, style: { showWalls: true } };
  return { strategy: definitionStrategy, style: { showWalls: false } };
}

export function registerEvalParsersCommand(program: Command): void {
  program
    .command('eval-parsers')
    .description(
      'score the site parsers on saved pages: <dir> holds one folder per page with page.html and truth.json',
    )
    .argument('<dir>', 'folder of saved pages')
    .option('--json', 'print { pages, total } as JSON on stdout')
    .option('--generic', 'read the pages with the generic extractor instead of the site definitions')
    .action((dir: string, options: EvalOptions) => {
      const { strategy, style } = modeFor(options);
      const report = evaluateFolder(dir, { registry: new SiteRegistry(SHIPPED_SITES), strategy });
      if (options.json) printJson(reportJson(report));
      else process.stdout.write(formatReport(report, style));
      // The figures are a measurement, not a verdict: a run that completed exits 0.
      process.exitCode = EXIT.ok;
    });
}
