/**
 * The pipeline after fetching, the one every entry point drives (worker, `start`, `crawl`, `documents process`,
 * `matches hunt`). Each stage leaves durable work for the next in the database:
 *
 *   crawl ─► posts + post_match_queue ─► match posts ─► alerts (outbox, same transaction)
 *        └► documents `pending` ─► download ─► `stored` ─► extract + match ─► `extracted` ─► alerts (outbox)
 *                                                                       alerts `pending` ─► deliver (channels)
 */
import { hostname } from 'node:os';
import { dispatchOptionsFromConfig } from '../alert/dispatch-job.ts';
import { type DispatchReport, dispatchDue } from '../alert/dispatcher.ts';
import { alertOutbox } from '../alert/outbox.ts';
import type { CrawlSummary } from '../crawl/crawl-site.ts';
import type { DocumentConsumer } from '../documents/deps.ts';
import { createDocumentPipeline, type DocumentPipeline } from '../documents/pipeline.ts';
import type { ProcessSummary } from '../documents/queue.ts';
import { documentSettings } from '../documents/settings.ts';
import {
  createMatchDeps,
  type MatchChange,
  type MatchDeps,
  type MatchOutcome,
  matchDocumentForPosts,
  type OnMatches,
  recordDocumentForNewPosts,
} from '../match/match-service.ts';
import { describeMatchError, matchPendingPosts, type PendingPostsPass } from '../match/pending-posts.ts';
import { isAppError, RetryableError } from '../shared/errors.ts';
import { type AlertListItem, listAlertPage } from '../store/alerts-view.repository.ts';
import { postMatchBacklog } from '../store/post-match-queue.repository.ts';
import type { AppContext } from './context.ts';

const POSTS_PER_PASS = 500;

/** Base of links in alerts: the configured public URL, else the address the web UI listens on. */
export function publicUrlOf(ctx: AppContext): string {
  if (ctx.config.web.publicUrl) return ctx.config.web.publicUrl;
  const host = ctx.config.web.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.web.host;
  return `http://${host}:${ctx.config.web.port}`;
}

/** What one run of the downstream stages did (`leakwatch crawl`, `documents process`). */
export interface PipelineRun {
  postsMatched: number;
  postFailures: PendingPostsPass['failed'];
  documents: Pick<ProcessSummary, 'downloads' | 'extractions' | 'errors'>;
  /** Match records created or grown in this run (the evidence alerts are written for). */
  changes: MatchChange[];
  /** Alert rows written in this run, in their state after delivery. */
  alerts: AlertListItem[];
  delivery: DispatchReport | null;
  /** Work left for later: posts whose matching failed and waits for its retry. */
  postsWaiting: number;
}

/** How far one pass of the document queue goes (see processPendingDocuments). */
type DocumentsPass = Parameters<DocumentPipeline['processPending']>[0];

export interface LeakPipeline {
  match: MatchDeps;
  onMatches: OnMatches;
  documents: DocumentPipeline;
  /** Stage: matches the queued posts that are due (alerts written in the matching transactions). */
  matchPosts(options?: { limit?: number; postIds?: readonly number[] }): Promise<PendingPostsPass>;
  /** One pass of every stage after the crawl: queued posts, then the document queue. What the worker runs. */
  processPending(options?: DocumentsPass): Promise<{ posts: PendingPostsPass; documents: ProcessSummary }>;
  /**
   * Runs the stages after the crawl until nothing is due (for one-shot commands), then delivers the alerts when
   * `deliver` is set, as the worker would.
   */
  runToCompletion(options?: { limit?: number; deliver?: boolean }): Promise<PipelineRun>;
  /** Matches the posts a crawl queued, first (a backlog is left to the periodic pass). */
  afterCrawl(summary: CrawlSummary): Promise<void>;
  close(): void;
}

export interface LeakPipelineOptions {
  /** Progress lines for a person watching. */
  progress?: (message: string) => void;
  clock?: () => Date;
}

/**
 * Builds the stages once per process: the matcher (registry and terms cached), the outbox hook, and the document
 * pipeline whose consumer is the matcher — a document is `extracted` only once its matches are committed.
 */
export function createLeakPipeline(ctx: AppContext, options: LeakPipelineOptions = {}): LeakPipeline {
  const match = createMatchDeps(ctx);
  const outbox = alertOutbox({ publicUrl: publicUrlOf(ctx), phoneRegions: match.options.phoneRegions });
  const onMatches = outbox;
  // Changes are kept only while a one-shot run reports them (a worker's pipeline lives for days).
  let changes: MatchChange[] | null = null;
  const keep = (outcomes: readonly MatchOutcome[]) => {
    if (!changes) return;
    for (const outcome of outcomes)
      for (const change of outcome.changes) if (change.kind !== 'updated') changes.push(change);
  };
  // A file is read once, and what it reveals is recorded for every post that links it (one incident and alert per
  // organisation and post); a post that links it later gets those findings without a second reading. Near-duplicate
  // detection ties the later posts to the incident of the first.
  const consumer: DocumentConsumer = {
    async consume(document, records) {
      const postIds = [...new Set(document.sources.map((source) => source.postId))];
      if (postIds.length === 0) {
        for await (const _record of records) break;
        return;
      }
      try {
        keep(
          await matchDocumentForPosts(match, { documentId: document.id, postIds, records }, { onMatches }),
        );
      } catch (error) {
        // Recorded as the document's error (the file stays stored and is matched again later): the reason only.
        if (isAppError(error)) throw error;
        throw new RetryableError('match.failed', describeMatchError(error), { cause: error });
      }
    },
    async linked(document) {
      const { outcomes, unrecorded } = await recordDocumentForNewPosts(match, document.id, { onMatches });
      keep(outcomes);
      return unrecorded.length === 0;
    },
  };
  const documents = createDocumentPipeline(ctx, {
    consumer,
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const worker = `${hostname()}:${process.pid}`;
  const retryBaseMs = documentSettings(ctx.config).retryBaseMs;
  const matchPosts = async (pass: { limit?: number; postIds?: readonly number[] } = {}) => {
    const result = await matchPendingPosts(match, {
      worker,
      onMatches,
      retryBaseMs,
      ...(pass.limit !== undefined ? { limit: pass.limit } : {}),
      ...(pass.postIds ? { postIds: pass.postIds } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    keep(result.outcomes);
    if (options.progress) {
      for (const outcome of result.outcomes) {
        const found = outcome.changes.filter((c) => c.kind !== 'updated');
        if (found.length > 0)
          options.progress(
            `post ${outcome.postId} matched: ${found.map((c) => `organisation ${c.match.orgId} (${c.match.severity})`).join(', ')}`,
          );
      }
      for (const failure of result.failed)
        options.progress(`post ${failure.postId}: matching failed, retried later — ${failure.error}`);
    }
    return result;
  };
  const processPending = async (pass: DocumentsPass = {}) => {
    // Bounded, so a large backlog (an upgrade re-queues every unmatched post) never holds the files back for long.
    const posts = await matchPosts({ limit: POSTS_PER_PASS });
    return { posts, documents: await documents.processPending(pass) };
  };
  return {
    match,
    onMatches,
    documents,
    matchPosts,
    processPending,
    runToCompletion: async (run = {}) => {
      const [newest] = (await listAlertPage(ctx.database.db, { limit: 1 })).items;
      const collected: MatchChange[] = [];
      changes = collected;
      const report: PipelineRun = {
        postsMatched: 0,
        postFailures: [],
        documents: { downloads: [], extractions: [], errors: [] },
        changes: [],
        alerts: [],
        delivery: null,
        postsWaiting: 0,
      };
      // Each pass takes what the previous one left (a listing's files, a re-linked document); a pass that finds
      // nothing due ends the run (what waits for a retry is left to the next run or the service).
      try {
        for (let passes = 0; passes < 1000; passes++) {
          const { posts, documents: files } = await processPending(
            run.limit !== undefined ? { limit: run.limit } : {},
          );
          report.postsMatched += posts.outcomes.length;
          report.postFailures.push(...posts.failed);
          report.documents.downloads.push(...files.downloads);
          report.documents.extractions.push(...files.extractions);
          report.documents.errors.push(...files.errors);
          if (files.errors.length > 0) break;
          if (posts.outcomes.length + files.downloads.length + files.extractions.length === 0) break;
        }
      } finally {
        changes = null;
      }
      report.changes = collected;
      if (run.deliver) report.delivery = await dispatchDue(ctx.database.db, dispatchOptionsFromConfig(ctx));
      const recent = await listAlertPage(ctx.database.db, { limit: 500 });
      report.alerts = recent.items.filter((alert) => alert.id > (newest?.id ?? 0)).reverse();
      report.postsWaiting = (await postMatchBacklog(ctx.database.db)).waiting;
      return report;
    },
    afterCrawl: async (summary) => {
      await matchPosts({ postIds: summary.changedPostIds });
    },
    close: () => documents.close(),
  };
}
