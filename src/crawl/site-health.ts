/** How a run ended, from which site health and back-off follow. */
export type RunStatus =
  | 'succeeded'
  | 'partial'
  | 'down'
  | 'captcha'
  | 'seized'
  | 'layout_broken'
  | 'tor_unavailable'
  | 'failed';

export type SiteHealth = 'up' | 'down' | 'captcha' | 'seized' | 'layout_broken';

export interface RunFacts {
  torAvailable: boolean;
  /** At least one listing page loaded (HTTP answer with a body). */
  pageLoaded: boolean;
  wall?: 'captcha' | 'login' | 'seized' | 'js_shell';
  postsSeen: number;
  /** Posts seen by recent successful runs, newest first. */
  recentPostCounts: readonly number[];
  minPosts: number;
  /** Some listing pages failed after the first loaded. */
  pagesFailed: number;
}

export interface HealthVerdict {
  status: RunStatus;
  /** The site's new health; undefined leaves it unchanged (Tor was the problem, not the site). */
  health?: SiteHealth;
  detail: string;
}

/**
 * Drift is the silent killer of leak monitors: a parser that reads nothing looks like "no new victims". A page that
 * loads but yields no posts, or far fewer than recent runs, is layout_broken — never a quiet success.
 */
export function judgeRun(facts: RunFacts): HealthVerdict {
  if (!facts.torAvailable)
    return { status: 'tor_unavailable', detail: 'Tor SOCKS proxy unavailable; site not judged' };
  if (!facts.pageLoaded) return { status: 'down', health: 'down', detail: 'no mirror answered' };
  if (facts.wall === 'seized')
    return { status: 'seized', health: 'seized', detail: 'seizure banner shown instead of the listing' };
  if (facts.wall === 'captcha' || facts.wall === 'login') {
    return {
      status: 'captcha',
      health: 'captcha',
      detail: `${facts.wall} wall shown instead of the listing`,
    };
  }
  if (facts.postsSeen < Math.max(1, facts.minPosts)) {
    const why =
      facts.wall === 'js_shell'
        ? 'the page needs JavaScript (use the browser engine)'
        : 'the page loaded but no post was read';
    return { status: 'layout_broken', health: 'layout_broken', detail: `${why}: ${facts.postsSeen} posts` };
  }
  const typical = median(facts.recentPostCounts.slice(0, 5));
  if (typical !== undefined && typical >= 5 && facts.postsSeen < typical * 0.5) {
    return {
      status: 'layout_broken',
      health: 'layout_broken',
      detail: `read ${facts.postsSeen} posts where recent runs read about ${typical}: the layout probably changed`,
    };
  }
  if (facts.pagesFailed > 0)
    return { status: 'partial', health: 'up', detail: `${facts.pagesFailed} listing pages failed` };
  return { status: 'succeeded', health: 'up', detail: `${facts.postsSeen} posts` };
}

export interface PostPageFacts {
  wanted: number;
  failed: number;
  torLost: boolean;
}

/**
 * A listing read in full but post pages lost (Tor died after the listing, pages erroring) is partial, never succeeded:
 * those posts have no body nor files yet. The site answered its listing, so it stays up; the detail says what was lost.
 */
export function judgePostPages(verdict: HealthVerdict, facts: PostPageFacts): HealthVerdict {
  if (facts.failed === 0 || (verdict.status !== 'succeeded' && verdict.status !== 'partial')) return verdict;
  const why = facts.torLost ? ': the Tor SOCKS proxy became unavailable after the listing' : '';
  const lost = `${facts.failed} of ${facts.wanted} post pages failed${why}`;
  return { ...verdict, status: 'partial', detail: `${verdict.detail}; ${lost}` };
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Exponential back-off for failing sites: base × 2^(failures-1), capped. */
export function backoffUntil(
  now: Date,
  consecutiveFailures: number,
  baseMs: number,
  capMs: number,
): Date | null {
  if (consecutiveFailures <= 0) return null;
  const delay = Math.min(capMs, baseMs * 2 ** Math.min(consecutiveFailures - 1, 30));
  return new Date(now.getTime() + delay);
}
