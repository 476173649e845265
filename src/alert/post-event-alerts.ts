/**
 * Follow-ups from what a crawl saw happen to a post that already has a match alert: the countdown ended, the data was
 * published, or files were added. Written in the crawl's transaction with the post events themselves; the dedupe key
 * names the event, so a follow-up is written once per event and unchanged re-crawls (no event) write nothing.
 */
import { and, eq, inArray, isNull, like } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { alerts, channels, posts } from '../store/schema/index.ts';
import { factsOfPayload, mutesFor } from './mutes.ts';
import { MATCH_KIND } from './outbox.ts';
import { writeOutboxRow } from './outbox-rows.ts';
import type { AlertPayload } from './payload.ts';

export interface RecordedPostEvent {
  id: number;
  postId: number;
  kind: string;
  details: Record<string, unknown>;
}

/** The events a responder must hear about, and what the follow-up says. */
function reasonOf(event: RecordedPostEvent): string | null {
  if (event.kind === 'countdown_ended') return 'the countdown ended: the data may now be published';
  if (event.kind === 'status_changed' && event.details.to === 'published')
    return 'the post now says the data is published';
  if (event.kind === 'files_added') {
    const count = Number(event.details.count ?? 0);
    return `${count} new file${count === 1 ? '' : 's'} posted (they are downloaded and matched next)`;
  }
  return null;
}

export async function writePostEventFollowUps(
  tx: Db,
  events: readonly RecordedPostEvent[],
  now: Date,
): Promise<number> {
  const relevant = events.filter((e) => reasonOf(e) !== null);
  if (relevant.length === 0) return 0;
  const postIds = [...new Set(relevant.map((e) => e.postId))];
  // The first alert of each (organisation, post) on each channel: the one follow-ups reference.
  const roots = await tx
    .select({ alert: alerts, channel: channels })
    .from(alerts)
    .innerJoin(channels, eq(channels.id, alerts.channelId))
    .where(
      and(
        inArray(alerts.postId, postIds),
        eq(alerts.kind, MATCH_KIND),
        isNull(alerts.parentAlertId),
        like(alerts.dedupeKey, `${MATCH_KIND}:org:%`),
        eq(channels.enabled, true),
      ),
    );
  if (roots.length === 0) return 0;
  const statusOf = new Map(
    (
      await tx.select({ id: posts.id, status: posts.status }).from(posts).where(inArray(posts.id, postIds))
    ).map((p) => [p.id, p.status]),
  );
  let written = 0;
  for (const event of relevant) {
    for (const { alert: root, channel } of roots.filter((r) => r.alert.postId === event.postId)) {
      const first = root.payload as unknown as AlertPayload;
      const payload: AlertPayload = {
        ...first,
        post: { ...first.post, status: statusOf.get(event.postId) ?? first.post.status },
        followUp: {
          parentAlertId: root.id,
          identifiersAdded: 0,
          categoriesAdded: [],
          termsAdded: 0,
          reason: reasonOf(event) as string,
        },
      };
      const mutes = await mutesFor(tx, root.orgId, root.siteId);
      const facts = factsOfPayload(root, root.payload);
      const row = {
        orgId: root.orgId,
        postId: root.postId,
        siteId: root.siteId,
        incidentId: root.incidentId,
        kind: MATCH_KIND,
        dedupeKey: `${root.dedupeKey}:event:${event.id}`,
        parentAlertId: root.id,
        severity: root.severity,
        payload,
        termIds: facts.termIds,
        identifierEvidence: facts.identifierEvidence,
      };
      if (await writeOutboxRow(tx, channel, row, mutes, now)) written++;
    }
  }
  return written;
}
