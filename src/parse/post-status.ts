import type { PostStatus } from './parsed-post.ts';

/**
 * Word edges that also hold for Cyrillic and for "100%": JavaScript's \b only knows ASCII word characters, so
 * "\bопубликовано\b" never matched after a space and "100%\b" never matched at the end of a cell.
 */
const START = '(?<![\\p{L}\\p{N}_])';
const END = '(?![\\p{L}\\p{N}_])';
/** Announced, not yet done: checked first, as "will be published" contains "published". */
const UPCOMING = new RegExp(
  `${START}(publication in|will be (published|posted|released|leaked)|до публикации|осталось)${END}`,
  'iu',
);
const COUNTDOWN = new RegExp(
  `${START}(\\d+\\s*(d|days?|h|hrs?|hours?|m|min|minutes?|s|sec|seconds?)${END}|countdown|timer|time left|deadline)`,
  'iu',
);
const PUBLISHED = new RegExp(
  `${START}(published|leaked|released|download|all data|full dump|files? available|опубликовано)${END}|${START}100\\s*%`,
  'iu',
);

/** Reads a status badge or countdown text as countdown / published. */
export function classifyStatus(text: string | undefined): PostStatus | undefined {
  if (!text) return undefined;
  if (UPCOMING.test(text)) return 'countdown';
  if (PUBLISHED.test(text)) return 'published';
  if (COUNTDOWN.test(text)) return 'countdown';
  return undefined;
}

/** A calendar date in the text ("2022-08-10 02:55:00", "16.05.2024 12:00:00"): the countdown is a deadline. */
const CALENDAR_DATE = /\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}/;

/**
 * The end of a countdown written as "3d 04h 22m 10s", "2 days 5 hours", "04:22:10" or as an absolute date or epoch.
 * A date with a time of day is a deadline, not a remaining "hh:mm:ss".
 */
export function countdownEnd(
  text: string | undefined,
  fetchedAt: Date,
  parseDate: (raw: string) => Date | undefined,
): Date | undefined {
  if (!text) return undefined;
  if (CALENDAR_DATE.test(text)) {
    const deadline = parseDate(text);
    if (deadline) return deadline;
  }
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
