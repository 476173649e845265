import { alertOutbox } from '../alert/outbox.ts';
import type { CrawlSummary } from '../crawl/crawl-site.ts';
import type { DocumentConsumer } from '../documents/deps.ts';
import { createDocumentPipeline, type DocumentPipeline } from '../documents/pipeline.ts';
import {
  createMatchDeps,
  type MatchDeps,
  matchDocumentForPosts,
  matchPost,
  type OnMatches,
  recordDocumentForNewPosts,
} from '../match/match-service.ts';
import { describeError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import type { AppContext } from './context.ts';

/** Base of links in alerts: the configured public URL, else the address the web UI listens on. */
export function publicUrlOf(ctx: AppContext): string {
  if (ctx.config.web.publicUrl) return ctx.config.web.publicUrl;
  const host = ctx.config.web.host === '0.0.0.0' ? '127.0.0.1' : ctx.config.web.host;
  return `http://${host}:${ctx.config.web.port}`;
}

export interface LeakPipeline {
  match: MatchDeps;
  onMatches: OnMatches;
  documents: DocumentPipeline;
  /** Matches the posts a crawl found new or changed; alerts are written in the same transactions. */
  afterCrawl(summary: CrawlSummary): Promise<void>;
  close(): void;
}

/**
 * The pipeline after fetching: posts and posted files are matched against the registry, and the alert outbox rows are
 * written in the matching transaction (at-least-once delivery follows from there).
 */
export function createLeakPipeline(ctx: AppContext): LeakPipeline {
  const log = moduleLogger(ctx.logger, 'pipeline');
  const match = createMatchDeps(ctx);
  const onMatches = alertOutbox({ publicUrl: publicUrlOf(ctx), phoneRegions: match.options.phoneRegions });
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
      await matchDocumentForPosts(match, { documentId: document.id, postIds, records }, { onMatches });
    },
    async linked(document) {
      const { unrecorded } = await recordDocumentForNewPosts(match, document.id, { onMatches });
      return unrecorded.length === 0;
    },
  };
  const documents = createDocumentPipeline(ctx, { consumer });
  return {
    match,
    onMatches,
    documents,
    afterCrawl: async (summary) => {
      for (const postId of summary.changedPostIds) {
        try {
          await matchPost(match, postId, { onMatches });
        } catch (error) {
          log.error(
            { postId, error: describeError(error) },
            'matching a post failed; the next change or a retro-hunt reads it again',
          );
        }
      }
    },
    close: () => documents.close(),
  };
}
