import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { createCrawler } from '../../app/crawler.ts';
import { readListing } from '../../crawl/listing-strategy.ts';
import { readYamlDefinition } from '../../parse/site-registry.ts';
import { listSites } from '../../store/sites.repository.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';

export function registerSitesCommand(program: Command): void {
  const sites = program
    .command('sites')
    .description('list leak sites with health, last run and post counts')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await createAppContext({ migrate: true, createSecretKey: true });
      const crawler = createCrawler(ctx);
      try {
        await crawler.syncAll();
        const rows = await listSites(ctx.database.db);
        const known = new Set(crawler.registry.all().map((site) => site.id));
        const list = rows.map((row) => ({
          id: row.id,
          name: row.name,
          group: row.groupName,
          engine: row.engine,
          defined: known.has(row.id),
          enabled: row.enabled,
          health: row.health,
          healthDetail: row.healthDetail,
          lastRun: row.lastRun
            ? {
                status: row.lastRun.status,
                startedAt: row.lastRun.startedAt,
                postsSeen: row.lastRun.postsSeen,
              }
            : null,
          nextAttemptAt: row.nextAttemptAt,
          posts: row.posts,
          mirrors: row.mirrors.map((mirror) => ({
            url: mirror.url,
            failures: mirror.consecutiveFailures,
            lastSuccessAt: mirror.lastSuccessAt,
          })),
        }));
        if (options.json) printJson({ sites: list, definitionErrors: crawler.definitionErrors });
        else {
          for (const site of list) {
            const last = site.lastRun
              ? `${site.lastRun.status} ${site.lastRun.startedAt.toISOString()}`
              : 'never crawled';
            process.stdout.write(
              `${site.id.padEnd(16)} ${site.health.padEnd(15)} ${String(site.posts.active).padStart(5)} posts  ${last}${site.defined ? '' : '  (definition gone)'}\n`,
            );
          }
          for (const error of crawler.definitionErrors) say(`definition skipped: ${error}`);
        }
      } finally {
        await crawler.close();
        await ctx.close();
      }
    });

  sites
    .command('validate')
    .description('check a YAML site definition; with --page, show what it reads from a saved listing page')
    .argument('<file>', 'YAML definition')
    .option('--page <html>', 'a saved listing page to parse with the definition')
    .option('--json', 'print the result as JSON on stdout')
    .action((file: string, options: { page?: string; json?: boolean }) => {
      const site = readYamlDefinition(file);
      const result: Record<string, unknown> = {
        ok: true,
        id: site.id,
        group: site.group,
        mirrors: site.mirrors,
        engine: site.engine,
      };
      if (options.page) {
        // As a crawl reads it: the selectors, or the generic extractor for a URL-only definition.
        const listing = readListing(site, {
          url: new URL(site.listing.paths[0] ?? '/', site.mirrors[0]).toString(),
          body: readFileSync(options.page, 'utf8'),
          contentType: site.listing.format === 'json' ? 'application/json' : 'text/html',
          fetchedAt: new Date(),
        });
        result.posts = listing.posts;
        result.nextPages = listing.nextPages;
        if (listing.posts.length === 0) {
          result.ok = false;
          result.problem = 'the definition reads no post from this page';
        }
      }
      if (options.json) printJson(result);
      else {
        say(
          `${file}: valid definition of site "${site.id}" (${site.mirrors.length} mirror(s), ${site.engine} engine)`,
        );
        if (Array.isArray(result.posts)) {
          say(`${result.posts.length} posts read from ${options.page}:`);
          for (const post of result.posts as Array<{ title: string; date?: string; link?: string }>) {
            say(`  - ${post.title}${post.date ? ` (${post.date})` : ''}${post.link ? ` ${post.link}` : ''}`);
          }
        }
        if (result.problem) say(`problem: ${result.problem}`);
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.problems;
    });
}
