import { describe, expect, it } from 'vitest';
import { backoffUntil, judgePostPages, judgeRun, type RunFacts } from './site-health.ts';

const facts = (overrides: Partial<RunFacts>): RunFacts => ({
  torAvailable: true,
  pageLoaded: true,
  postsSeen: 20,
  recentPostCounts: [20, 19, 20],
  minPosts: 1,
  pagesFailed: 0,
  ...overrides,
});

describe('judgeRun', () => {
  it('never blames the site when Tor is down', () => {
    const verdict = judgeRun(facts({ torAvailable: false, pageLoaded: false }));
    expect(verdict.status).toBe('tor_unavailable');
    expect(verdict.health).toBeUndefined();
  });

  it('calls a site down when no mirror answered', () => {
    expect(judgeRun(facts({ pageLoaded: false }))).toMatchObject({ status: 'down', health: 'down' });
  });

  it('reports walls as what they are', () => {
    expect(judgeRun(facts({ wall: 'captcha', postsSeen: 0 }))).toMatchObject({
      status: 'captcha',
      health: 'captcha',
    });
    expect(judgeRun(facts({ wall: 'seized', postsSeen: 0 }))).toMatchObject({
      status: 'seized',
      health: 'seized',
    });
  });

  it('treats a loaded page with no posts as a broken layout, not as "no news"', () => {
    expect(judgeRun(facts({ postsSeen: 0 }))).toMatchObject({
      status: 'layout_broken',
      health: 'layout_broken',
    });
    expect(judgeRun(facts({ postsSeen: 0, wall: 'js_shell' })).detail).toContain('browser engine');
  });

  it('treats far fewer posts than recent runs as drift', () => {
    const verdict = judgeRun(facts({ postsSeen: 4, recentPostCounts: [20, 21, 19, 20] }));
    expect(verdict).toMatchObject({ status: 'layout_broken' });
    expect(verdict.detail).toContain('about 20');
    expect(judgeRun(facts({ postsSeen: 15, recentPostCounts: [20, 21, 19] })).status).toBe('succeeded');
  });

  it('calls a run partial when later listing pages failed', () => {
    expect(judgeRun(facts({ pagesFailed: 1 }))).toMatchObject({ status: 'partial', health: 'up' });
  });
});

describe('judgePostPages', () => {
  it('makes a run partial when post pages were lost, and says why', () => {
    const listing = judgeRun(facts({}));
    const verdict = judgePostPages(listing, { wanted: 8, failed: 7, torLost: true });
    expect(verdict).toMatchObject({ status: 'partial', health: 'up' });
    expect(verdict.detail).toMatch(/7 of 8 post pages failed: the Tor SOCKS proxy became unavailable/);
    expect(judgePostPages(listing, { wanted: 8, failed: 0, torLost: false })).toBe(listing);
    const broken = judgeRun(facts({ postsSeen: 0 }));
    expect(judgePostPages(broken, { wanted: 1, failed: 1, torLost: false })).toBe(broken);
  });
});

describe('backoffUntil', () => {
  it('doubles from the base up to the cap', () => {
    const now = new Date(0);
    const minutes = (n: number) => (backoffUntil(now, n, 60_000, 3_600_000)?.getTime() ?? 0) / 60_000;
    expect(backoffUntil(now, 0, 60_000, 3_600_000)).toBeNull();
    expect([1, 2, 3, 4, 7, 8, 50].map(minutes)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
