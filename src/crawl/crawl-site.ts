import { and, desc, eq, inArray } from 'drizzle-orm';
import { writeHealthAlerts } from '../alert/site-alerts.ts';
import type { SiteDefinition } from '../parse/site-definition.ts';
import { describeError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { finishRun, type RunError, startRun } from '../store/crawl-runs.repository.ts';
import type { Db } from '../store/db.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { crawlRuns } from '../store/schema/index.ts';
import {
  recordMirrorResult,
  recordSiteHealth,
  type SiteWithMirrors,
  upsertSite,
} from '../store/sites.repository.ts';
import { storeCaptures } from './captures.ts';
import { CrawlLease } from './crawl-lease.ts';
import type { CrawlSettings } from './crawl-settings.ts';
import { loadKnownPosts } from './known-posts.ts';
import { readPostPages } from './post-pages.ts';
import { type Fetchers, type ListingParser, type ReadSiteOptions, readSite } from './read-site.ts';
import { recordReading } from './record-reading.ts';
import { backoffUntil, judgePostPages, judgeRun } from './site-health.ts';

export interface CrawlerDeps {
  db: Db;
  fetchers: Fetchers;
  evidence: EvidenceStore;
  parse: ListingParser;
  settings: CrawlSettings;
  logger: Logger;
  /** Identifies this worker in leases and runs. */
  worker: string;
  /** Cross-checks defined sites against the generic extractor (drift); off when undefined. */
  crossCheck?: ReadSiteOptions['crossCheck'];
  /** Progress lines for a person watching (`leakwatch crawl`). */
  progress?: (message: string) => void;
  clock?: () => Date;
}

export interface CrawlSummary {
  siteId: string;
  runId?: number;
  status: string;
  detail: string;
  mirror?: string;
  pagesFetched: number;
  bytes: number;
  postsSeen: number;
  postsNew: number;
  postsUpdated: number;
  postsRemoved: number;
  baseline: boolean;
  /** New and changed posts of this run (baseline included: its posts are matched, only not announced as new). */
  changedPostIds: number[];
  /** Set when the run is flagged for an analyst's review (the definition and the generic extractor disagree). */
  review?: string;
  errors: RunError[];
  durationMs: number;
}

/** The site's definition as stored rows: keeps the sites table in step with crawlers/ and the YAML folder. */
export async function syncSite(db: Db, site: SiteDefinition): Promise<SiteWithMirrors> {
  const { site: row } = await upsertSite(db, {
    id: site.id,
    name: site.name,
    groupName: site.group,
    engine: site.engine,
    schedule: site.schedule,
    definitionSource: site.source,
    mirrors: site.mirrors,
  });
  return row;
}

/** Mirrors in the order worth trying: recently successful first, failing last, declaration order otherwise. */
function orderMirrors(site: SiteWithMirrors): string[] {
  return [...site.mirrors]
    .sort(
      (a, b) =>
        (b.lastSuccessAt?.getTime() ?? 0) - (a.lastSuccessAt?.getTime() ?? 0) ||
        a.consecutiveFailures - b.consecutiveFailures ||
        a.position - b.position,
    )
    .map((mirror) => mirror.url);
}

/**
 * One crawl of one site: lease, run row, listing pages through a working mirror, post pages of new posts, evidence,
 * post lifecycle and site health. Never throws for what the site does; a lost lease returns status "skipped".
 */
export async function crawlSite(
  deps: CrawlerDeps,
  site: SiteDefinition,
  trigger: 'schedule' | 'manual' | 'retry',
): Promise<CrawlSummary> {
  const clock = deps.clock ?? (() => new Date());
  const started = performance.now();
  const log = deps.logger.child({ site: site.id });
  const stored = await syncSite(deps.db, site);
  const summary: CrawlSummary = {
    siteId: site.id,
    status: 'skipped',
    detail: '',
    pagesFetched: 0,
    bytes: 0,
    postsSeen: 0,
    postsNew: 0,
    postsUpdated: 0,
    postsRemoved: 0,
    baseline: false,
    changedPostIds: [],
    errors: [],
    durationMs: 0,
  };
  const lease = await CrawlLease.acquire(deps.db, site.id, deps.worker, deps.settings.leaseMs);
  if (!lease) {
    summary.detail = 'another worker is crawling this site';
    return summary;
  }
  try {
    const known = await loadKnownPosts(deps.db, site.id);
    summary.baseline = stored.lastSuccessAt === null && known.length === 0;
    const run = await startRun(deps.db, {
      siteId: site.id,
      trigger,
      worker: deps.worker,
      baseline: summary.baseline,
    });
    summary.runId = run.id;
    const now = clock();
    const reading = await readSite({
      site,
      mirrors: orderMirrors(stored),
      fetchers: deps.fetchers,
      parse: deps.parse,
      ...(deps.crossCheck ? { crossCheck: deps.crossCheck } : {}),
      limits: deps.settings.limits,
      maxPages: deps.settings.maxPages,
      now,
      onPage: (page) => {
        log.debug({ url: page.url, posts: page.posts, error: page.error?.message }, 'listing page');
        deps.progress?.(
          `listing ${page.url}: ${page.error ? `failed (${page.error.message})` : `${page.posts} posts`}`,
        );
      },
    });
    for (const attempt of reading.mirrorAttempts) {
      const mirror = stored.mirrors.find((candidate) => candidate.url === attempt.mirror);
      if (mirror && reading.torAvailable)
        await recordMirrorResult(deps.db, mirror.id, attempt.ok ? null : (attempt.error ?? 'failed'));
    }
    for (const page of reading.pages)
      if (page.error)
        summary.errors.push({ code: page.error.code, message: page.error.message, url: page.url });
    for (const attempt of reading.mirrorAttempts)
      if (!attempt.ok)
        summary.errors.push({
          code: 'mirror_failed',
          message: attempt.error ?? 'failed',
          url: attempt.mirror,
        });

    const listingVerdict = judgeRun({
      torAvailable: reading.torAvailable,
      pageLoaded: reading.pages.some((page) => page.status !== undefined),
      ...(reading.wall ? { wall: reading.wall } : {}),
      postsSeen: reading.posts.length,
      recentPostCounts: await recentPostCounts(deps.db, site.id),
      minPosts: site.minPosts,
      pagesFailed: reading.pagesFailed,
    });
    if (reading.disagreement) {
      // Flagged, not failed: the posts read are kept, but nobody is declared missing on a view that may be partial.
      summary.errors.push({ code: 'drift_suspected', message: reading.disagreement.message });
      summary.review = reading.disagreement.message;
      listingVerdict.detail = `${listingVerdict.detail}; review: ${reading.disagreement.message}`;
    }
    const details = await readPostPages(deps, site, reading.posts, known, now, summary.errors);
    const verdict = judgePostPages(listingVerdict, details.outcome);
    const recorded = await recordReading(deps.db, {
      siteId: site.id,
      runId: run.id,
      baseline: summary.baseline,
      posts: details.posts,
      known,
      // Lost post pages do not make the listing less complete: missing posts are still counted.
      countMissing: reading.complete && listingVerdict.status === 'succeeded' && !reading.disagreement,
      removeAfterRuns: deps.settings.removeAfterRuns,
      phoneRegions: deps.settings.phoneRegions ?? [],
      now,
    });
    await storeCaptures(
      deps,
      site.id,
      run.id,
      reading.pages,
      details.pages,
      recorded.postIds,
      summary.errors,
    );

    Object.assign(summary, {
      status: verdict.status,
      detail: verdict.detail,
      ...(reading.mirror ? { mirror: reading.mirror } : {}),
      pagesFetched: reading.pages.length + details.pages.length,
      bytes: reading.bytes + details.pages.reduce((total, page) => total + page.bytes, 0),
      postsSeen: reading.posts.length,
      postsNew: recorded.postsNew,
      postsUpdated: recorded.postsUpdated,
      postsRemoved: recorded.postsRemoved,
      changedPostIds: recorded.changedPostIds,
    });
    if (verdict.health) {
      const failures = verdict.health === 'up' ? 0 : stored.consecutiveFailures + 1;
      const health = verdict.health;
      // The health change and the analysts' alerts it causes (layout broken, down too long, back up): one transaction.
      await deps.db.transaction(async (tx) => {
        await recordSiteHealth(tx as unknown as Db, site.id, {
          health,
          detail: verdict.detail,
          nextAttemptAt: backoffUntil(
            clock(),
            failures,
            deps.settings.backoffBaseMs,
            deps.settings.backoffCapMs,
          ),
        });
        await writeHealthAlerts(tx as unknown as Db, {
          siteId: site.id,
          previous: { health: stored.health, since: stored.healthSince },
          now: clock(),
          downAfterMs: deps.settings.siteDownAlertMs,
        });
      });
    }
    summary.durationMs = Math.round(performance.now() - started);
    await finishRun(deps.db, run.id, {
      status: verdict.status,
      counters: {
        pagesFetched: summary.pagesFetched,
        bytesFetched: summary.bytes,
        postsSeen: summary.postsSeen,
        postsNew: summary.postsNew,
        postsUpdated: summary.postsUpdated,
        postsRemoved: summary.postsRemoved,
      },
      errors: summary.errors.slice(0, 100),
      timings: { totalMs: summary.durationMs },
    });
    log.info(
      { status: summary.status, posts: summary.postsSeen, new: summary.postsNew, baseline: summary.baseline },
      'crawl finished',
    );
    return summary;
  } catch (error) {
    summary.status = 'failed';
    summary.detail = describeError(error);
    summary.durationMs = Math.round(performance.now() - started);
    if (summary.runId !== undefined) {
      await finishRun(deps.db, summary.runId, {
        status: 'failed',
        errors: [{ code: 'crawl.failed', message: summary.detail }],
      }).catch(() => undefined);
    }
    log.error({ err: error }, 'crawl failed');
    throw error;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function recentPostCounts(db: Db, siteId: string): Promise<number[]> {
  const rows = await db
    .select({ postsSeen: crawlRuns.postsSeen })
    .from(crawlRuns)
    .where(and(eq(crawlRuns.siteId, siteId), inArray(crawlRuns.status, ['succeeded', 'partial'])))
    .orderBy(desc(crawlRuns.startedAt))
    .limit(5);
  return rows.map((row) => row.postsSeen);
}
