/**
 * Title scoring for the parser evaluation: which titles a parser returned for a page against the titles the page
 * really lists. Pure functions, no I/O.
 */

export interface TruthTitle {
  title: string;
  /** A group announcement listed among the victims: neither a miss nor a false positive. */
  non_victim?: boolean;
}

export interface TitleScore {
  /** Victim titles the page lists (non-victims left out). */
  expected: number;
  /** Titles the parser returned, non-victims left out. */
  returned: number;
  matched: number;
  /** Returned titles that are announcements (ignored). */
  ignored: number;
  /** Expected titles the parser did not return, as the truth writes them. */
  missed: string[];
  /** Returned titles the page does not list, as the parser wrote them. */
  extra: string[];
}

/** How titles are compared: Unicode NFKC, whitespace folded, case folded. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff]+/gu, ' ')
    .trim()
    .toLowerCase();
}

/** Matches returned titles to expected ones, each expected title at most once (a page may list a name twice). */
export function scoreTitles(truth: readonly TruthTitle[], returnedTitles: readonly string[]): TitleScore {
  const victims = truth.filter((post) => !post.non_victim);
  const unmatched = new Map<string, string[]>();
  for (const post of victims) {
    const key = titleKey(post.title);
    unmatched.set(key, [...(unmatched.get(key) ?? []), post.title]);
  }
  const announcements = new Set(truth.filter((post) => post.non_victim).map((post) => titleKey(post.title)));
  const score: TitleScore = {
    expected: victims.length,
    returned: 0,
    matched: 0,
    ignored: 0,
    missed: [],
    extra: [],
  };
  for (const title of returnedTitles) {
    const key = titleKey(title);
    const waiting = unmatched.get(key);
    if (waiting && waiting.length > 0) {
      waiting.pop();
      score.returned += 1;
      score.matched += 1;
    } else if (announcements.has(key)) {
      score.ignored += 1;
    } else {
      score.returned += 1;
      score.extra.push(title);
    }
  }
  for (const post of victims) {
    const waiting = unmatched.get(titleKey(post.title));
    if (waiting?.includes(post.title)) {
      waiting.splice(waiting.indexOf(post.title), 1);
      score.missed.push(post.title);
    }
  }
  return score;
}

/**
 * matched / returned. Returning nothing is right only when there was nothing to find, so an empty answer scores 1
 * on a page with no victims and 0 otherwise.
 */
export function precisionOf(matched: number, returned: number, expected: number): number {
  if (returned === 0) return expected === 0 ? 1 : 0;
  return matched / returned;
}

/** matched / expected; nothing to find counts as everything found. */
export function recallOf(matched: number, expected: number): number {
  return expected === 0 ? 1 : matched / expected;
}
