import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { createCrawler } from '../../app/crawler.ts';
import { loadConfig } from '../../config/load-config.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';

const GOOD = new Set(['succeeded', 'partial']);

export function registerCrawlCommand(program: Command): void {
  program
    .command('crawl')
    .description('crawl one site now through Tor, with progress on the terminal, and print a summary')
    .argument('<site>', 'site id (see `leakwatch sites`)')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (siteId: string, options: { json?: boolean }) => {
      const loaded = loadConfig();
      // The embedded database belongs to this machine: a first crawl may create its key, as `start` would.
      const ctx = await createAppContext({
        loaded,
        migrate: true,
        createSecretKey: loaded.config.database.url === null,
      });
      const crawler = createCrawler(ctx, { progress: (line) => say(line) });
      try {
        say(`crawling ${siteId} through ${ctx.config.tor.socks}`);
        const summary = await crawler.crawl(siteId, 'manual');
        if (options.json) printJson(summary);
        else {
          say(
            `${summary.siteId}: ${summary.status} — ${summary.detail}\n` +
              `  mirror ${summary.mirror ?? 'none answered'}, ${summary.pagesFetched} pages, ${summary.bytes} bytes, ${summary.durationMs} ms\n` +
              `  posts: ${summary.postsSeen} listed, ${summary.postsNew} new${summary.baseline ? ' (baseline: first crawl, not announced)' : ''}, ` +
              `${summary.postsUpdated} updated, ${summary.postsRemoved} removed`,
          );
          for (const error of summary.errors.slice(0, 10)) say(`  ! ${error.url ?? ''} ${error.message}`);
        }
        process.exitCode = GOOD.has(summary.status) ? EXIT.ok : EXIT.problems;
      } finally {
        await crawler.close();
        await ctx.close();
      }
    });
}
