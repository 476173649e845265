import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { createCrawler } from '../../app/crawler.ts';
import { createLeakPipeline, type PipelineRun } from '../../app/leak-pipeline.ts';
import { loadConfig } from '../../config/load-config.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';
import { pipelineRunJson, printPipelineRun } from './pipeline-report.ts';

const GOOD = new Set(['succeeded', 'partial']);

export function registerCrawlCommand(program: Command): void {
  program
    .command('crawl')
    .description(
      'crawl one site now through Tor, then match its posts, download, read and match their files and deliver the alerts, with progress; print what was found',
    )
    .argument('<site>', 'site id (see `leakwatch sites`)')
    .option('--json', 'print the summary as JSON on stdout')
    .option(
      '--crawl-only',
      'only record the posts: their matching and files stay queued for `documents process` or `leakwatch start`',
    )
    .action(async (siteId: string, options: { json?: boolean; crawlOnly?: boolean }) => {
      const loaded = loadConfig();
      // The embedded database belongs to this machine: a first crawl may create its key, as `start` would.
      const ctx = await createAppContext({
        loaded,
        migrate: true,
        createSecretKey: loaded.config.database.url === null,
      });
      const crawler = createCrawler(ctx, { progress: (line) => say(line) });
      const pipeline = createLeakPipeline(ctx, { progress: (line) => say(line) });
      try {
        say(`crawling ${siteId} through ${ctx.config.tor.socks}`);
        const summary = await crawler.crawl(siteId, 'manual');
        if (!options.json) {
          say(
            `${summary.siteId}: ${summary.status} — ${summary.detail}\n` +
              `  mirror ${summary.mirror ?? 'none answered'}, ${summary.pagesFetched} pages, ${summary.bytes} bytes, ${summary.durationMs} ms\n` +
              `  posts: ${summary.postsSeen} listed, ${summary.postsNew} new${summary.baseline ? ' (baseline: first crawl, not announced)' : ''}, ` +
              `${summary.postsUpdated} updated, ${summary.postsRemoved} removed`,
          );
          for (const error of summary.errors.slice(0, 10)) say(`  ! ${error.url ?? ''} ${error.message}`);
        }
        // The crawl queued what it found in the database; the stages after it run here to completion, as the worker
        // would run them (what they cannot finish now stays queued for the next run or the service).
        let run: PipelineRun | undefined;
        if (!options.crawlOnly) {
          say('matching posts, downloading and reading their files');
          run = await pipeline.runToCompletion({ deliver: true });
        }
        if (options.json) printJson(run ? { ...summary, pipeline: pipelineRunJson(run) } : summary);
        else if (run) printPipelineRun(run);
        else say('posts and files queued: `leakwatch documents process` or `leakwatch start` match them');
        process.exitCode = !GOOD.has(summary.status)
          ? EXIT.problems
          : run && run.documents.errors.length > 0
            ? EXIT.operator
            : EXIT.ok;
      } finally {
        pipeline.close();
        await crawler.close();
        await ctx.close();
      }
    });
}
