import { readFileSync, statSync } from 'node:fs';
import { load } from 'cheerio';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { crawlSettings } from '../../crawl/crawl-settings.ts';
import { decodeBody, sniffContentType } from '../../fetch/decode.ts';
import { HttpFetcher } from '../../fetch/http-fetcher.ts';
import { definitionYaml, suggestDefinition } from '../../parse/generic/definition.ts';
import { type ExtractionResult, extractListing } from '../../parse/generic/index.ts';
import type { PageInput } from '../../parse/parsed-post.ts';
import { InputError } from '../../shared/errors.ts';
import { visibleLine } from '../../shared/visible-text.ts';
import { onionUrlProblem } from '../../tor/onion-address.ts';
import { SocksAgentPool } from '../../tor/socks-agent.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';

interface ExtractOptions {
  json?: boolean;
  suggest?: boolean;
  mirror?: string;
  url?: string;
}

/** A saved page larger than this is refused, as the fetcher would refuse it. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const UNKNOWN_URL = 'http://page.invalid/';

function usage(message: string): void {
  say(`leakwatch: ${message}`);
  process.exitCode = EXIT.usage;
}

function readSavedPage(file: string, url: string): PageInput {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_FILE_BYTES)
      throw new InputError('extract.too_large', `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      'extract.unreadable',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const declared = /\.json$/i.test(file) ? 'application/json' : undefined;
  const contentType = sniffContentType(declared, bytes);
  const { text } = decodeBody(bytes, contentType);
  return { url, body: text, contentType, fetchedAt: statSync(file).mtime };
}

/** Fetches an onion page through the configured Tor SOCKS proxy, allowing redirects on that host only. */
async function fetchOnionPage(url: string): Promise<PageInput> {
  const { config } = loadConfig();
  const { limits } = crawlSettings(config);
  const agents = new SocksAgentPool(config.tor.socks, limits.connectTimeoutMs);
  try {
    const host = new URL(url).hostname.toLowerCase();
    say(`fetching ${url} through ${config.tor.socks}`);
    const page = await new HttpFetcher(agents).fetch({
      url,
      siteId: 'extract',
      allowedHosts: new Set([host]),
      limits,
    });
    return { url: page.url, body: page.body, contentType: page.contentType, fetchedAt: new Date() };
  } finally {
    agents.close();
  }
}

/** Titles come from hostile pages: invisible characters shown, whitespace folded, clipped. */
const safe = visibleLine;

function humanReport(result: ExtractionResult): string {
  const lines = [
    `kind: ${result.kind}  confidence: ${result.confidence.toFixed(2)}  posts: ${result.posts.length}`,
  ];
  if (result.posts.length > 0) {
    const rows = result.posts.map((post, index) => [
      String(index + 1),
      post.confidence.toFixed(2),
      safe(post.title, 60),
      safe(post.date ?? '-', 24),
      post.status ?? '-',
      safe(post.link ?? '-', 70),
    ]);
    const header = ['#', 'conf', 'title', 'date', 'status', 'link'];
    const widths = header.map((_, column) =>
      Math.max(...[header, ...rows].map((row) => (row[column] as string).length)),
    );
    for (const row of [header, ...rows])
      lines.push(
        row
          .map((cell, column) => cell.padEnd(widths[column] as number))
          .join('  ')
          .trimEnd(),
      );
  }
  lines.push('', ...result.explanation.split('\n').map((line) => safe(line, 400)));
  if (result.nextPages.length > 0)
    lines.push(`next pages: ${result.nextPages.map((url) => safe(url, 120)).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** The `--json` document: exactly kind, confidence, posts (title, link, date, description, status, confidence), explanation. */
function jsonReport(result: ExtractionResult): unknown {
  return {
    kind: result.kind,
    confidence: result.confidence,
    posts: result.posts.map((post) => ({
      title: post.title,
      ...(post.link ? { link: post.link } : {}),
      ...(post.date ? { date: post.date } : {}),
      ...(post.description ? { description: post.description } : {}),
      ...(post.status ? { status: post.status } : {}),
      confidence: post.confidence,
    })),
    explanation: result.explanation,
  };
}

function pageName(page: PageInput): string | undefined {
  if (/json/i.test(page.contentType)) return undefined;
  const title = load(page.body)('title').first().text().replace(/\s+/g, ' ').trim();
  return title || undefined;
}

export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description('show what the generic extractor reads on a saved page or an onion site (through Tor)')
    .argument('<file-or-url>', 'a saved page (HTML or JSON), or an http(s)://….onion/ URL')
    .option('--json', 'print {kind, confidence, posts, explanation} as JSON on stdout')
    .option('--suggest', 'print a suggested site definition (YAML) instead of the posts')
    .option('--mirror <url>', "the site's onion mirror, to make the suggested definition complete")
    .option('--url <url>', 'the URL a saved page was fetched from (resolves its relative links)')
    .action(async (target: string, options: ExtractOptions) => {
      if (options.json && options.suggest) return usage('choose --json or --suggest, not both');
      if (options.mirror && onionUrlProblem(options.mirror))
        return usage(`--mirror: ${onionUrlProblem(options.mirror)}`);
      let page: PageInput;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        const problem = onionUrlProblem(target);
        if (problem) {
          return usage(
            `refusing ${safe(target, 200)}: ${problem}. Only .onion sites are fetched, through Tor; ` +
              'save the page and pass the file instead',
          );
        }
        page = await fetchOnionPage(target);
      } else {
        page = readSavedPage(target, options.url ?? options.mirror ?? UNKNOWN_URL);
      }
      const result = extractListing(page);
      process.exitCode = EXIT.ok;
      if (options.suggest) {
        const onTarget =
          page.url !== UNKNOWN_URL && !onionUrlProblem(page.url)
            ? new URL('/', page.url).toString()
            : undefined;
        const mirror = options.mirror ?? onTarget;
        const suggestion = suggestDefinition(result, {
          ...(mirror ? { mirror } : {}),
          ...(page.url !== UNKNOWN_URL ? { url: page.url } : {}),
          ...(pageName(page) ? { name: pageName(page) as string } : {}),
        });
        if (!suggestion) {
          say(`leakwatch: nothing to suggest: the page is ${result.kind} (${safe(result.explanation, 300)})`);
          process.exitCode = EXIT.problems;
          return;
        }
        process.stdout.write(definitionYaml(suggestion, safe(target, 200)));
        if (!suggestion.template && suggestion.problems.length > 0) process.exitCode = EXIT.problems;
        return;
      }
      if (options.json) printJson(jsonReport(result));
      else process.stdout.write(humanReport(result));
    });
}
