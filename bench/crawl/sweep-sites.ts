/**
 * The simulated onion sites of the crawl sweep: a seeded plan (shape, engine, dead or alive, a Tor-like latency for
 * every page), served by one onion harness, with a log of every request actually answered and the latency it got —
 * the material the ideal schedule is computed from.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SiteDefinition } from '../../src/parse/site-definition.ts';
import {
  type FixturePost,
  fixtureDefinition,
  listingPage,
  makePosts,
  postPage,
} from '../../test/support/leak-site-fixture.ts';
import { fixtureSite, type OnionHarness, type Route } from '../../test/support/onion-harness/index.ts';

export interface SweepShape {
  sites: number;
  /** Share of sites whose every mirror is unreachable. */
  deadShare: number;
  /** Share of sites on the browser engine (dead or alive). */
  browserShare: number;
  /** Each request's latency is drawn uniformly in [min, max] ms; so is a dead mirror's time to fail. */
  latencyMs: { min: number; max: number };
  seed: number;
}

/** (listing pages, posts) with their weights: every post has its page, so a baseline crawl issues pages + posts. */
export const SITE_SHAPES: ReadonlyArray<{ pages: number; posts: number; weight: number }> = [
  { pages: 1, posts: 1, weight: 0.6 },
  { pages: 1, posts: 2, weight: 0.25 },
  { pages: 2, posts: 2, weight: 0.1 },
  { pages: 3, posts: 3, weight: 0.05 },
];

/** Mirrors of a dead site: both are tried, both fail after their drawn latency. */
const DEAD_MIRRORS = 2;

export interface PlannedSite {
  index: number;
  definition: SiteDefinition;
  engine: 'http' | 'browser';
  dead: boolean;
  pages: number;
  posts: number;
  /** Onion host of each mirror, in declaration order, with the failure latency of a dead one. */
  mirrors: Array<{ host: string; failMs?: number }>;
  /** Latency of each page of a live site, by path. */
  latencyByPath: Map<string, number>;
}

export interface ServedRequest {
  site: number;
  path: string;
  latencyMs: number;
  /** The path is not one of the site's pages (a favicon, say): answered 404 at once. */
  extra: boolean;
}

/** mulberry32: small, fast, good enough to make runs comparable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first `count` of a seeded shuffle of 0..n-1: exact shares, spread at random over the sites. */
function pick(n: number, count: number, random: () => number): Set<number> {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return new Set(order.slice(0, count));
}

function listingPath(page: number): string {
  return page === 1 ? '/' : `/?page=${page}`;
}

/**
 * The fixture's card layout, with page 1 linked as "/" (what most leak sites do) rather than "/?page=1", so the crawler
 * reads each page once instead of fetching page 1 twice and discarding the duplicate.
 */
function listingBody(posts: readonly FixturePost[], page: number, pages: number): string {
  return listingPage(posts, page, pages).replaceAll('href="/?page=1"', 'href="/"');
}

function drawShape(roll: number): (typeof SITE_SHAPES)[number] {
  let left = roll;
  for (const shape of SITE_SHAPES) {
    left -= shape.weight;
    if (left < 0) return shape;
  }
  return SITE_SHAPES[SITE_SHAPES.length - 1] as (typeof SITE_SHAPES)[number];
}

/** Draws the sweep: which sites are dead or rendered, their shapes, and every latency, from the seed alone. */
export function planSites(shape: SweepShape, newHost: () => string): PlannedSite[] {
  const random = seededRandom(shape.seed);
  const latency = () =>
    Math.round(shape.latencyMs.min + random() * (shape.latencyMs.max - shape.latencyMs.min));
  const dead = pick(shape.sites, Math.round(shape.sites * shape.deadShare), random);
  const browser = pick(shape.sites, Math.round(shape.sites * shape.browserShare), random);
  const totalWeight = SITE_SHAPES.reduce((sum, s) => sum + s.weight, 0);
  return Array.from({ length: shape.sites }, (_, index) => {
    const form = drawShape(random() * totalWeight);
    const engine = browser.has(index) ? 'browser' : 'http';
    const isDead = dead.has(index);
    const mirrors = isDead
      ? Array.from({ length: DEAD_MIRRORS }, () => ({ host: newHost(), failMs: latency() }))
      : [{ host: newHost() }];
    const latencyByPath = new Map<string, number>();
    if (!isDead) {
      for (let page = 1; page <= form.pages; page++) latencyByPath.set(listingPath(page), latency());
      for (let post = 1; post <= form.posts; post++) latencyByPath.set(`/post/s${index}-${post}`, latency());
    }
    const id = `sweep-${String(index).padStart(3, '0')}`;
    return {
      index,
      definition: fixtureDefinition(
        id,
        mirrors.map((mirror) => mirror.host),
        engine,
      ),
      engine,
      dead: isDead,
      pages: form.pages,
      posts: form.posts,
      mirrors,
      latencyByPath,
    };
  });
}

/** Answers after the page's latency (Tor's round trips), and logs what was asked and how long it was held. */
function delayed(
  site: PlannedSite,
  path: string,
  body: string,
  served: ServedRequest[],
  timers: Set<NodeJS.Timeout>,
): Route {
  const latencyMs = site.latencyByPath.get(path) ?? 0;
  return (_request: IncomingMessage, response: ServerResponse) => {
    served.push({ site: site.index, path, latencyMs, extra: false });
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed)
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    }, latencyMs);
    timers.add(timer);
  };
}

export interface ServedSweep {
  served: ServedRequest[];
  /** SOCKS attempts on each dead mirror host so far. */
  deadAttempts(): Map<string, number>;
  /** Cancels answers still pending (after the sweep, before the harness stops). */
  cancelPending(): void;
}

/** Puts every planned site behind the harness: live ones with delayed pages, dead ones as slow "host unreachable". */
export function serveSweep(harness: OnionHarness, plan: readonly PlannedSite[]): ServedSweep {
  const served: ServedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  for (const site of plan) {
    if (site.dead) {
      for (const mirror of site.mirrors)
        harness.serve(fixtureSite(), mirror.host, { dead: true, latencyMs: mirror.failMs ?? 0 });
      continue;
    }
    const posts = makePosts(site.posts, `s${site.index}`);
    const perPage = Math.ceil(posts.length / site.pages);
    const routes: Record<string, Route> = {};
    for (let page = 1; page <= site.pages; page++) {
      const path = listingPath(page);
      const body = listingBody(posts.slice((page - 1) * perPage, page * perPage), page, site.pages);
      routes[path] = delayed(site, path, body, served, timers);
    }
    for (const post of posts) {
      const path = `/post/${post.slug}`;
      routes[path] = delayed(site, path, postPage(post), served, timers);
    }
    const fixture = fixtureSite(routes);
    // Paths outside the plan (a favicon) still answer 404 at once; they are logged as extras.
    const handler = fixture.handler;
    fixture.handler = (request, response) => {
      const path = new URL(request.url ?? '/', 'http://fixture').pathname;
      const search = new URL(request.url ?? '/', 'http://fixture').search;
      if (!site.latencyByPath.has(`${path}${search}`) && !site.latencyByPath.has(path))
        served.push({ site: site.index, path: `${path}${search}`, latencyMs: 0, extra: true });
      handler(request, response);
    };
    harness.serve(fixture, site.mirrors[0]?.host);
  }
  const deadHosts = new Set(plan.filter((s) => s.dead).flatMap((s) => s.mirrors.map((m) => m.host)));
  return {
    served,
    deadAttempts: () => {
      const counts = new Map<string, number>();
      for (const record of harness.requests)
        if (deadHosts.has(record.host) && record.outcome === 'unreachable')
          counts.set(record.host, (counts.get(record.host) ?? 0) + 1);
      return counts;
    },
    cancelPending: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
