import { createHash } from 'node:crypto';
import type { BrowserFetcher } from '../fetch/browser-fetcher.ts';
import { FetchError, PageRejectedError } from '../fetch/fetch-errors.ts';
import type { FetchLimits } from '../fetch/fetch-limits.ts';
import type { FetchedPage, HttpFetcher } from '../fetch/http-fetcher.ts';
import { detectWall, type WallKind } from '../parse/page-kind.ts';
import type { PageInput, ParsedListing, ParsedPost } from '../parse/parsed-post.ts';
import type { SiteDefinition } from '../parse/site-definition.ts';
import { OperatorError } from '../shared/errors.ts';
import type { ParserDisagreement } from './listing-strategy.ts';
import { stableKey } from './post-identity.ts';

/** Reads a listing page into posts: the site's own parser, or the generic extractor for URL-only definitions. */
export type ListingParser = (site: SiteDefinition, page: PageInput) => ParsedListing;

export interface Fetchers {
  http: HttpFetcher;
  browser?: BrowserFetcher;
}

export interface PageRecord {
  url: string;
  status?: number;
  bytes: number;
  posts: number;
  wall?: WallKind;
  error?: { code: string; message: string };
  /** The page as fetched (HTML or JSON), kept as evidence. */
  body?: string;
  screenshot?: Buffer;
  /** What went wrong while capturing without failing the page (a screenshot that could not be taken). */
  warnings?: string[];
}

export interface SiteReading {
  torAvailable: boolean;
  /** The mirror that answered, when one did. */
  mirror?: string;
  mirrorAttempts: Array<{ mirror: string; ok: boolean; error?: string }>;
  pages: PageRecord[];
  posts: ParsedPost[];
  wall?: WallKind;
  pagesFailed: number;
  /** Every listing page was read: only then may posts not seen count as missing. */
  complete: boolean;
  bytes: number;
  /** The definition and the generic extractor disagree strongly on the first page: flag for review. */
  disagreement?: ParserDisagreement;
}

export interface ReadSiteOptions {
  /** Compares the definition with the generic extractor on the first page (see listing-strategy.ts). */
  crossCheck?: (
    site: SiteDefinition,
    page: PageInput,
    listing: ParsedListing,
  ) => ParserDisagreement | undefined;
  site: SiteDefinition;
  /** Mirror base URLs, best first. */
  mirrors: readonly string[];
  fetchers: Fetchers;
  parse: ListingParser;
  limits: FetchLimits;
  maxPages: number;
  now: Date;
  onPage?: (page: PageRecord) => void;
}

/**
 * Reads every listing page of a site through one mirror: tries mirrors in order until one answers, then follows
 * pagination (links the parser found, the definition's paths and page template) up to the page cap.
 */
export async function readSite(options: ReadSiteOptions): Promise<SiteReading> {
  const { site } = options;
  if (site.engine === 'browser' && !options.fetchers.browser) {
    throw new OperatorError(
      'browser.unavailable',
      `site ${site.id} needs the browser engine, and no Chromium is configured`,
      {
        hint: 'apt-get install chromium, or set LEAKWATCH_CHROMIUM_PATH',
      },
    );
  }
  const allowedHosts = new Set(site.mirrors.map((mirror) => new URL(mirror).hostname.toLowerCase()));
  const reading: SiteReading = {
    torAvailable: true,
    mirrorAttempts: [],
    pages: [],
    posts: [],
    pagesFailed: 0,
    complete: false,
    bytes: 0,
  };
  const fetchPage = (url: string) =>
    fetchWith(options.fetchers, site, { url, siteId: site.id, allowedHosts, limits: options.limits });

  let first: { page: FetchedPage & { screenshot?: Buffer; warnings?: string[] }; base: string } | undefined;
  for (const mirror of options.mirrors) {
    const url = new URL(site.listing.paths[0] ?? '/', mirror).toString();
    try {
      first = { page: await fetchPage(url), base: mirror };
      reading.mirrorAttempts.push({ mirror, ok: true });
      break;
    } catch (error) {
      if (error instanceof FetchError && error.failure === 'tor_unavailable') {
        reading.torAvailable = false;
        return reading;
      }
      reading.mirrorAttempts.push({ mirror, ok: false, error: (error as Error).message });
    }
  }
  if (!first) return reading;
  reading.mirror = first.base;

  const queue: string[] = [];
  const queued = new Set<string>();
  const enqueue = (url: string) => {
    const normal = url.replace(/#.*$/, '');
    if (queued.has(normal) || new URL(normal).host !== new URL(first.base).host) return;
    queued.add(normal);
    queue.push(normal);
  };
  enqueue(first.page.url);
  for (const path of site.listing.paths.slice(1)) enqueue(new URL(path, first.base).toString());

  const seenKeys = new Set<string>();
  const bodies = new Set<string>();
  let templateNumber = 2;
  let capped = false;
  for (let index = 0; index < queue.length; index++) {
    if (index >= options.maxPages) {
      capped = true;
      break;
    }
    const url = queue[index] as string;
    let page: FetchedPage & { screenshot?: Buffer; warnings?: string[] };
    try {
      page = index === 0 ? first.page : await fetchPage(url);
    } catch (error) {
      reading.pagesFailed++;
      const record: PageRecord = { url, bytes: 0, posts: 0, error: describe(error) };
      reading.pages.push(record);
      options.onPage?.(record);
      if (error instanceof FetchError && error.failure === 'tor_unavailable') break;
      continue;
    }
    reading.bytes += page.bytes;
    // "/?page=1" is usually "/" again: the same content under another URL is read once.
    const digest = createHash('sha256').update(page.body).digest('hex');
    if (bodies.has(digest)) continue;
    bodies.add(digest);
    const record: PageRecord = {
      url: page.url,
      status: page.status,
      bytes: page.bytes,
      posts: 0,
      body: page.body,
    };
    if (page.screenshot) record.screenshot = page.screenshot;
    if (page.warnings?.length) record.warnings = page.warnings;
    const wall = page.contentType.includes('html') ? detectWall(page.body) : undefined;
    let listing: ParsedListing = { posts: [], nextPages: [] };
    try {
      listing = options.parse(site, {
        url: page.url,
        body: page.body,
        contentType: page.contentType,
        fetchedAt: options.now,
      });
    } catch (error) {
      record.error = describe(error);
    }
    if (index === 0 && options.crossCheck && !record.error) {
      const disagreement = options.crossCheck(
        site,
        { url: page.url, body: page.body, contentType: page.contentType, fetchedAt: options.now },
        listing,
      );
      if (disagreement) reading.disagreement = disagreement;
    }
    if (wall && listing.posts.length === 0) {
      record.wall = wall;
      if (index === 0) reading.wall = wall;
    }
    for (const post of listing.posts) {
      const key = stableKey(post);
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      reading.posts.push(post);
      record.posts++;
    }
    reading.pages.push(record);
    options.onPage?.(record);
    for (const next of listing.nextPages) enqueue(next);
    const template = site.listing.pagination?.template;
    if (template && record.posts > 0 && index === queue.length - 1) {
      enqueue(new URL(template.replace('{n}', String(templateNumber++)), first.base).toString());
    }
  }
  if (queue.length > options.maxPages) capped = true;
  reading.complete = !capped && reading.pagesFailed === 0;
  return reading;
}

async function fetchWith(
  fetchers: Fetchers,
  site: SiteDefinition,
  request: Parameters<HttpFetcher['fetch']>[0],
) {
  if (site.engine === 'browser' && fetchers.browser) return fetchers.browser.fetch(request);
  return fetchers.http.fetch(request);
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof FetchError || error instanceof PageRejectedError)
    return { code: error.code, message: error.message };
  if (error instanceof Error && 'code' in error && typeof error.code === 'string')
    return { code: error.code, message: error.message };
  return { code: 'error', message: error instanceof Error ? error.message : String(error) };
}
