import type { ParsedPost } from '../parse/parsed-post.ts';
import { stableKey } from './post-identity.ts';

/** What the store knows of a post, as far as change detection needs. */
export interface KnownPost {
  id: number;
  stableKey: string;
  title: string;
  status: 'unknown' | 'countdown' | 'published' | 'removed';
  bodyText: string | null;
  countdownEndsAt: Date | null;
  removedAt: Date | null;
  missingRuns: number;
  attachments: readonly string[];
}

/** Posts not listed any more are counted in SQL (markPostsMissing), atomically with the other writes of a run. */
export type PostChange =
  | { kind: 'new'; key: string; post: ParsedPost }
  | { kind: 'seen'; key: string; post: ParsedPost; known: KnownPost; events: PostEvent[] };

export interface PostEvent {
  kind: 'updated' | 'status_changed' | 'countdown_ended' | 'files_added' | 'reappeared';
  details: Record<string, unknown>;
}

export interface DiffOptions {
  now: Date;
}

/** Compares one run's posts with the stored ones. Pure: the caller persists the result in one transaction. */
export function diffPosts(
  parsed: readonly ParsedPost[],
  known: readonly KnownPost[],
  options: DiffOptions,
): PostChange[] {
  const byKey = new Map(known.map((post) => [post.stableKey, post]));
  const seen = new Set<string>();
  const changes: PostChange[] = [];
  for (const post of parsed) {
    const key = stableKey(post);
    if (seen.has(key)) continue; // the same post listed twice (pinned and in the list)
    seen.add(key);
    const existing = byKey.get(key);
    if (!existing) changes.push({ kind: 'new', key, post });
    else
      changes.push({
        kind: 'seen',
        key,
        post,
        known: existing,
        events: eventsFor(existing, post, options.now),
      });
  }
  return changes;
}

function eventsFor(known: KnownPost, post: ParsedPost, now: Date): PostEvent[] {
  const events: PostEvent[] = [];
  if (known.removedAt)
    events.push({ kind: 'reappeared', details: { removedAt: known.removedAt.toISOString() } });
  const previous = known.status === 'removed' ? 'unknown' : known.status;
  const current = post.status ?? previous;
  if (previous === 'countdown' && current === 'published') {
    events.push({ kind: 'countdown_ended', details: { from: previous, to: current } });
  } else if (previous !== current && current !== 'unknown') {
    events.push({ kind: 'status_changed', details: { from: previous, to: current } });
  } else if (
    previous === 'countdown' &&
    known.countdownEndsAt &&
    known.countdownEndsAt <= now &&
    current === 'countdown'
  ) {
    events.push({
      kind: 'countdown_ended',
      details: { endedAt: known.countdownEndsAt.toISOString(), statusOnSite: current },
    });
  }
  const added = (post.attachments ?? []).filter((url) => !known.attachments.includes(url));
  if (added.length > 0) events.push({ kind: 'files_added', details: { count: added.length } });
  const textChanged = post.description !== undefined && post.description !== (known.bodyText ?? undefined);
  const titleChanged = post.title !== known.title;
  if (textChanged || titleChanged) {
    events.push({ kind: 'updated', details: { title: titleChanged, text: textChanged } });
  }
  return events;
}
