import type { PostStatus } from './parsed-post.ts';

const COUNTDOWN =
  /\b(\d+\s*(d|days?|h|hrs?|hours?|m|min|minutes?|s|sec|seconds?)\b|countdown|timer|time left|deadline|publication in|will be published|до публикации|осталось)/iu;
const PUBLISHED =
  /\b(published|leaked|released|download|all data|full dump|files? available|100\s*%|опубликовано)\b/iu;

/** Reads a status badge or countdown text as countdown / published. */
export function classifyStatus(text: string | undefined): PostStatus | undefined {
  if (!text) return undefined;
  if (PUBLISHED.test(text)) return 'published';
  if (COUNTDOWN.test(text)) return 'countdown';
  return undefined;
}

/**
 * The end of a countdown written as "3d 04h 22m 10s", "2 days 5 hours", "04:22:10" or as an absolute date or epoch.
 */
export function countdownEnd(
  text: string | undefined,
  fetchedAt: Date,
  parseDate: (raw: string) => Date | undefined,
): Date | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
  let seconds = 0;
  let found = false;
  for (const match of text.matchAll(
    /(\d+)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b/giu,
  )) {
    seconds += Number(match[1]) * (units[(match[2] as string)[0]?.toLowerCase() as string] ?? 0);
    found = true;
  }
  if (!found) {
    const clock = /\b(\d{1,3}):(\d{2}):(\d{2})\b/.exec(text);
    if (clock) {
      seconds = Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
      found = true;
    }
  }
  if (found) return new Date(fetchedAt.getTime() + seconds * 1000);
  return parseDate(text);
}
