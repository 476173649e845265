import { writePostEventFollowUps } from '../alert/post-event-alerts.ts';
import { writeReadingAlerts } from '../alert/site-alerts.ts';
import type { ParsedPost } from '../parse/parsed-post.ts';
import type { Db } from '../store/db.ts';
import { queuePostMatches } from '../store/post-match-queue.repository.ts';
import { markPostsMissing, type PostInput, upsertPosts } from '../store/posts.repository.ts';
import { documents, postDocuments, postEvents } from '../store/schema/index.ts';
import { diffPosts, type KnownPost } from './post-diff.ts';
import { stableKey } from './post-identity.ts';

export interface RecordReadingInput {
  siteId: string;
  runId: number;
  /** First successful crawl of the site: posts are recorded, but not announced as new. */
  baseline: boolean;
  posts: readonly ParsedPost[];
  known: readonly KnownPost[];
  /** Every listing page was read and the run is trusted: only then do unlisted posts count as missing. */
  countMissing: boolean;
  removeAfterRuns: number;
  /** Regions whose national phone format is masked in new-post alerts (match.phoneRegions). */
  phoneRegions: readonly string[];
  now: Date;
}

export interface RecordedReading {
  postsNew: number;
  postsUpdated: number;
  postsRemoved: number;
  events: number;
  /** Post id by stable key, for captures and detail pages. */
  postIds: Map<string, number>;
  /** Posts that are new or whose content changed in this run: what matching must (re)read. */
  changedPostIds: number[];
}

function toInput(siteId: string, post: ParsedPost): PostInput {
  return {
    siteId,
    stableKey: stableKey(post),
    title: post.title,
    url: post.link ?? null,
    bodyText: post.description ?? null,
    website: post.website ?? null,
    sizeText: post.size ?? null,
    status: post.status ?? 'unknown',
    publishedAt: post.publishedAt ?? null,
    publishedRaw: post.date ?? null,
    countdownEndsAt: post.countdownEndsAt ?? null,
  };
}

function fileName(url: string): string {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');
    return last.slice(0, 255) || 'index';
  } catch {
    return 'file';
  }
}

/**
 * Writes one run's view of a site in one transaction: posts (new and refreshed, queued for matching), their events,
 * links to posted files (queued for download), and missing/removed posts. Either all of it is recorded or none.
 */
export async function recordReading(db: Db, input: RecordReadingInput): Promise<RecordedReading> {
  const changes = diffPosts(input.posts, input.known, { now: input.now });
  return db.transaction(async (tx) => {
    const upserted = await upsertPosts(
      tx as unknown as Db,
      changes.map((change) => toInput(input.siteId, change.post)),
    );
    const postIds = new Map(upserted.map((row) => [row.post.stableKey, row.post.id]));
    const outcomes = new Map(upserted.map((row) => [row.post.stableKey, row.outcome]));
    const events: Array<typeof postEvents.$inferInsert> = [];
    let postsUpdated = 0;
    const changedPostIds: number[] = [];
    for (const change of changes) {
      const postId = postIds.get(change.key) as number;
      if (change.kind === 'new') {
        events.push({ postId, runId: input.runId, kind: 'new', details: { baseline: input.baseline } });
        changedPostIds.push(postId);
        continue;
      }
      if (change.events.length > 0 || outcomes.get(change.key) === 'updated') {
        postsUpdated++;
        changedPostIds.push(postId);
      }
      for (const event of change.events)
        events.push({ postId, runId: input.runId, kind: event.kind, details: event.details });
    }

    // Matching is durable work for the next stage: queued with the post, so a crash or a failed match is resumed.
    await queuePostMatches(tx as unknown as Db, changedPostIds);

    const links: Array<{ postId: number; url: string }> = [];
    const knownLinks = new Map(input.known.map((post) => [post.stableKey, new Set(post.attachments)]));
    for (const change of changes) {
      for (const url of change.post.attachments ?? []) {
        if (!knownLinks.get(change.key)?.has(url))
          links.push({ postId: postIds.get(change.key) as number, url });
      }
    }
    if (links.length > 0) {
      const created = await tx
        .insert(documents)
        .values(links.map((link) => ({ name: fileName(link.url), status: 'pending' as const })))
        .returning({ id: documents.id });
      await tx
        .insert(postDocuments)
        .values(
          links.map((link, i) => ({
            postId: link.postId,
            documentId: created[i]?.id as number,
            sourceUrl: link.url,
            fileName: fileName(link.url),
          })),
        )
        .onConflictDoNothing();
    }

    let postsRemoved = 0;
    if (input.countMissing) {
      const missing = await markPostsMissing(tx as unknown as Db, {
        siteId: input.siteId,
        seenKeys: [...postIds.keys()],
        removeAfterRuns: input.removeAfterRuns,
      });
      postsRemoved = missing.removed.length;
      for (const post of missing.removed)
        events.push({ postId: post.id, runId: input.runId, kind: 'removed', details: {} });
    }
    const recorded =
      events.length > 0
        ? await tx.insert(postEvents).values(events).returning({
            id: postEvents.id,
            postId: postEvents.postId,
            kind: postEvents.kind,
            details: postEvents.details,
          })
        : [];
    // Alerts these events cause (follow-ups of match alerts, the analysts' new site and new posts) are written here, in
    // the same transaction: recorded events and their alerts stand or fall together.
    await writePostEventFollowUps(tx as unknown as Db, recorded, input.now);
    await writeReadingAlerts(tx as unknown as Db, {
      siteId: input.siteId,
      baseline: input.baseline,
      newPostIds: recorded.filter((e) => e.kind === 'new').map((e) => e.postId),
      phoneRegions: input.phoneRegions,
      now: input.now,
    });
    return {
      postsNew: changes.filter((change) => change.kind === 'new').length,
      postsUpdated,
      postsRemoved,
      events: events.length,
      postIds,
      changedPostIds,
    };
  });
}
