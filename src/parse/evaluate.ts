import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../shared/errors.ts';
import { precisionOf, recallOf, scoreTitles } from './evaluate-score.ts';
import type { PageInput, ParsedListing } from './parsed-post.ts';
import { parseListing } from './selector-parser.ts';
import type { SiteDefinition } from './site-definition.ts';
import type { SiteRegistry } from './site-registry.ts';

/**
 * Parser evaluation on saved pages: a folder with one sub-folder per page, each holding `page.html` and
 * `truth.json` ({ group, posts: [{ title, non_victim? }], content_type? }). Each page is read by a strategy and the
 * titles it returns are scored against the truth (see evaluate-score.ts).
 */

/**
 * Reads one page. `site` is the definition found for the page's group, if any. Returning undefined means "this
 * strategy cannot read this page" (the page is listed, not scored). The site definitions are one strategy; a
 * generic extractor is another that also reads pages without a definition.
 */
export type ParseStrategy = (page: PageInput, site: SiteDefinition | undefined) => ParsedListing | undefined;

export const definitionStrategy: ParseStrategy = (page, site) =>
  site ? parseListing(site, page) : undefined;

const truthSchema = z.object({
  group: z.string().min(1),
  content_type: z.string().optional(),
  source: z.string().optional(),
  posts: z.array(z.object({ title: z.string(), non_victim: z.boolean().optional() })),
});
type Truth = z.infer<typeof truthSchema>;

export interface PageResult {
  page: string;
  group: string | null;
  /** Id of the definition used, or null. */
  definition: string | null;
  /** scored: in the totals; no_definition / unreadable: listed only. */
  outcome: 'scored' | 'no_definition' | 'unreadable';
  /** The truth lists no posts at all (captcha, empty app shell). */
  wall: boolean;
  expected: number;
  returned: number;
  matched: number;
  ignored: number;
  precision: number | null;
  recall: number | null;
  missed: string[];
  extra: string[];
  /** Why the page was not scored, or the parser's error. */
  error?: string;
}

export interface EvaluationTotal {
  pages: number;
  expected: number;
  returned: number;
  matched: number;
  precision: number;
  recall: number;
  walls_with_posts: number;
}

export interface EvaluationReport {
  pages: PageResult[];
  total: EvaluationTotal;
}

export interface EvaluateOptions {
  registry: SiteRegistry;
  strategy?: ParseStrategy;
}

export function evaluateFolder(folder: string, options: EvaluateOptions): EvaluationReport {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new InputError('eval.no_folder', `${folder} is not a folder of saved pages`);
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const pages = names.map((name) => evaluatePage(join(folder, name), name, options));
  return { pages, total: totalOf(pages) };
}

function blank(
  page: string,
  group: string | null,
  outcome: PageResult['outcome'],
  error?: string,
): PageResult {
  return {
    page,
    group,
    definition: null,
    outcome,
    wall: false,
    expected: 0,
    returned: 0,
    matched: 0,
    ignored: 0,
    precision: null,
    recall: null,
    missed: [],
    extra: [],
    ...(error ? { error } : {}),
  };
}

function readTruth(path: string): Truth {
  const parsed = truthSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`truth.json: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

export function evaluatePage(dir: string, name: string, options: EvaluateOptions): PageResult {
  let truth: Truth;
  let body: string;
  let fetchedAt: Date;
  try {
    truth = readTruth(join(dir, 'truth.json'));
    body = readFileSync(join(dir, 'page.html'), 'utf8');
    fetchedAt = statSync(join(dir, 'page.html')).mtime;
  } catch (error) {
    return blank(name, null, 'unreadable', (error as Error).message);
  }
  const site = options.registry.byGroup(truth.group)[0];
  const page: PageInput = {
    url: pageUrl(site, truth),
    body,
    contentType: truth.content_type ?? sniffContentType(body),
    fetchedAt,
  };
  const strategy = options.strategy ?? definitionStrategy;
  let titles: string[];
  let error: string | undefined;
  try {
    const listing = strategy(page, site);
    if (!listing)
      return blank(name, truth.group, 'no_definition', `no definition for group "${truth.group}"`);
    titles = listing.posts.map((post) => post.title);
  } catch (thrown) {
    titles = [];
    error = `parser failed: ${(thrown as Error).message}`;
  }
  const score = scoreTitles(truth.posts, titles);
  return {
    page: name,
    group: truth.group,
    definition: site?.id ?? null,
    outcome: 'scored',
    wall: truth.posts.length === 0,
    ...score,
    precision: precisionOf(score.matched, score.returned, score.expected),
    recall: recallOf(score.matched, score.expected),
    ...(error ? { error } : {}),
  };
}

/** The URL the page is read as: the definition's first mirror, else the onion named in the truth's source. */
function pageUrl(site: SiteDefinition | undefined, truth: Truth): string {
  if (site?.mirrors[0]) return `${site.mirrors[0].replace(/\/+$/, '')}/`;
  const onion = /[a-z2-7]{56}\.onion/.exec(truth.source ?? '');
  return onion ? `http://${onion[0]}/` : 'http://page.invalid/';
}

export function sniffContentType(body: string): string {
  const first = body.trimStart()[0];
  return first === '{' || first === '[' ? 'application/json' : 'text/html';
}

/** Micro-averaged over titles, across scored pages. */
export function totalOf(pages: readonly PageResult[]): EvaluationTotal {
  const scored = pages.filter((page) => page.outcome === 'scored');
  const sum = (key: 'expected' | 'returned' | 'matched') =>
    scored.reduce((total, page) => total + page[key], 0);
  const expected = sum('expected');
  const returned = sum('returned');
  const matched = sum('matched');
  return {
    pages: scored.length,
    expected,
    returned,
    matched,
    precision: precisionOf(matched, returned, expected),
    recall: recallOf(matched, expected),
    walls_with_posts: scored.filter((page) => page.wall && page.returned > 0).length,
  };
}
