/**
 * alert.fetch_to_delivery_s: the product as an operator runs it — `leakwatch start` (embedded PGlite, default alert
 * settings) crawling a leak site served as an onion by the SOCKS harness. A new post naming the organisation is
 * published; the clock starts when the crawler fetches its post page (seen by the fixture site) and stops when the mock
 * Discord has received the alert (discord.js through the real dispatcher). Crawl → match → outbox → dispatch, no step
 * called by hand. Median and p95 over several posts, one after another.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningCli, runCli, startCli } from '../../test/support/cli.ts';
import {
  type FixturePost,
  publish,
  serveLeakSite,
  writeLockerSitesDir,
} from '../../test/support/leak-site-fixture.ts';
import { startMockDiscord } from '../../test/support/mock-discord.ts';
import { startOnionHarness } from '../../test/support/onion-harness/index.ts';
import type { Benchmark } from '../registry.ts';

const POSTS = 10;
const POLL_MS = 5;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

export const alertFetchToDeliveryBench: Benchmark = {
  name: 'alert.fetch_to_delivery_s',
  unit: 's',
  goal: '< 5 s from the fetch of a post page to the alert received by Discord (issue 7), median and p95',
  async run() {
    const harness = await startOnionHarness();
    const discord = await startMockDiscord();
    let leakwatch: RunningCli | undefined;
    try {
      const base: FixturePost[] = [
        { slug: 'rotor', title: 'Rotor Leasing Company', status: 'published', date: '2026-11-19' },
      ];
      const fixture = serveLeakSite(base, 1);
      // First fetch of each post page, by slug.
      const fetchedAt = new Map<string, number>();
      const handler = fixture.handler;
      fixture.handler = (request, response) => {
        const slug = /^\/post\/([^/?]+)/.exec(request.url ?? '')?.[1];
        if (slug && !fetchedAt.has(slug)) fetchedAt.set(slug, performance.now());
        handler(request, response);
      };
      const host = harness.serve(fixture);
      const sitesDir = writeLockerSitesDir(host);
      const env = {
        LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-bench-data-')),
        LEAKWATCH_SITES_DIR: sitesDir,
        LEAKWATCH_TOR_SOCKS: harness.url,
        LEAKWATCH_DISCORD_API: discord.api,
        LEAKWATCH_PORT: String(await freePort()),
        LEAKWATCH_LOG_LEVEL: 'warn',
      };
      for (const args of [
        ['org', 'add', 'azur', '--name', 'Azur Analyses Médicales', '--sector', 'health'],
        [
          'channels',
          'add',
          'azur-soc',
          '--type',
          'discord',
          '--org',
          'azur',
          '--webhook-url',
          'https://discord.com/api/webhooks/123456789012345678/bench-token',
        ],
      ]) {
        const result = await runCli(args, { env });
        if (result.code !== 0) throw new Error(`leakwatch ${args[0]} failed: ${result.stderr}`);
      }
      leakwatch = startCli(['start'], { env });
      const started = leakwatch;
      // The baseline crawl (its post names nobody).
      await until('the baseline crawl', () => (fetchedAt.has('rotor') ? true : undefined), 120_000);

      const times: number[] = [];
      const listed = [...base];
      for (let i = 0; i < POSTS; i++) {
        const slug = `azur-${i}`;
        listed.unshift({
          slug,
          title: `Azur Analyses Médicales — part ${i}`,
          status: 'countdown',
          date: '2026-11-20',
        });
        publish(fixture, listed, 1);
        await until(
          `the alert for post ${i}`,
          () => {
            if (started.child.exitCode !== null) throw new Error(`leakwatch exited:\n${started.output()}`);
            return discord.delivered().length > i ? true : undefined;
          },
          120_000,
        );
        const received = performance.now();
        const fetched = fetchedAt.get(slug);
        if (fetched === undefined) throw new Error(`post ${slug} was alerted but never fetched`);
        times.push((received - fetched) / 1000);
      }
      if (discord.delivered().length !== POSTS)
        throw new Error(`expected ${POSTS} alerts, Discord received ${discord.delivered().length}`);
      const sorted = [...times].sort((a, b) => a - b);
      return {
        value: Number(quantile(sorted, 0.5).toFixed(3)),
        detail: {
          posts: POSTS,
          median_s: Number(quantile(sorted, 0.5).toFixed(3)),
          p95_s: Number(quantile(sorted, 0.95).toFixed(3)),
          min_s: Number((sorted[0] as number).toFixed(3)),
          max_s: Number((sorted.at(-1) as number).toFixed(3)),
          driver: 'pglite (embedded, leakwatch start)',
          dispatch: 'default alerts.dispatchIntervalSeconds',
        },
      };
    } finally {
      await leakwatch?.stop('SIGKILL');
      await discord.close();
      await harness.stop();
    }
  },
};
