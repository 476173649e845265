import { FetchError } from '../fetch/fetch-errors.ts';
import type { FetchedPage } from '../fetch/http-fetcher.ts';
import { mergeDetail, parseDetail } from '../parse/detail-parser.ts';
import type { ParsedPost } from '../parse/parsed-post.ts';
import type { SiteDefinition } from '../parse/site-definition.ts';
import { describeError } from '../shared/errors.ts';
import type { RunError } from '../store/crawl-runs.repository.ts';
import type { CrawlerDeps } from './crawl-site.ts';
import { diffPosts, type KnownPost } from './post-diff.ts';
import type { PageRecord } from './read-site.ts';

export type PostPageRecord = PageRecord & { key: string };

/** How the post pages went, for the run's verdict: wanted pages that were not read make the run partial. */
export interface PostPagesOutcome {
  wanted: number;
  failed: number;
  /** The Tor proxy went away mid-run: the pages left were not tried. */
  torLost: boolean;
}

/**
 * Opens the pages of new posts (and of posts never read in full), up to the cap, and completes their entries.
 * Stops at the first sign of Tor gone: every page left would fail the same way.
 */
export async function readPostPages(
  deps: CrawlerDeps,
  site: SiteDefinition,
  posts: ParsedPost[],
  known: readonly KnownPost[],
  now: Date,
  errors: RunError[],
) {
  const pages: Array<PageRecord & { key: string }> = [];
  const outcome: PostPagesOutcome = { wanted: 0, failed: 0, torLost: false };
  if (!site.detail || deps.settings.maxDetailPages === 0) return { posts, pages, outcome };
  const changes = diffPosts(posts, known, { now });
  const wanted = new Set(
    changes
      .filter(
        (change) =>
          change.post.link &&
          (change.kind === 'new' || change.known.bodyText === null || change.events.length > 0),
      )
      .map((change) => change.key),
  );
  const allowedHosts = new Set(site.mirrors.map((mirror) => new URL(mirror).hostname.toLowerCase()));
  const completed: ParsedPost[] = [];
  for (const change of changes) {
    if (!wanted.has(change.key) || pages.length >= deps.settings.maxDetailPages) {
      completed.push(change.post);
      continue;
    }
    outcome.wanted += 1;
    if (outcome.torLost) {
      outcome.failed += 1;
      completed.push(change.post);
      continue;
    }
    const url = change.post.link as string;
    try {
      const fetcher =
        site.engine === 'browser' && deps.fetchers.browser ? deps.fetchers.browser : deps.fetchers.http;
      const page = await fetcher.fetch({ url, siteId: site.id, allowedHosts, limits: deps.settings.limits });
      const detail = parseDetail(site, {
        url: page.url,
        body: page.body,
        contentType: page.contentType,
        fetchedAt: now,
      });
      completed.push(mergeDetail(change.post, detail));
      pages.push({
        key: change.key,
        url: page.url,
        status: page.status,
        bytes: page.bytes,
        posts: 1,
        body: page.body,
        ...capturedExtras(page),
      });
    } catch (error) {
      errors.push({ code: 'post_page_failed', message: describeError(error), url });
      completed.push(change.post);
      outcome.failed += 1;
      if (error instanceof FetchError && error.failure === 'tor_unavailable') outcome.torLost = true;
    }
  }
  return { posts: completed, pages, outcome };
}

/** The browser engine's screenshot and capture warnings, when the page came from it. */
function capturedExtras(page: FetchedPage & { screenshot?: Buffer; warnings?: string[] }) {
  return {
    ...(page.screenshot ? { screenshot: page.screenshot } : {}),
    ...(page.warnings?.length ? { warnings: page.warnings } : {}),
  };
}
