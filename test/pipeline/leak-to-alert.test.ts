/**
 * The whole product as an operator runs it: `leakwatch org add`, `channels add`, then `leakwatch start` with a leak
 * site (served as an onion by the SOCKS harness) on an every-second schedule. The post naming the organisation is
 * crawled, matched and alerted to (mock) Discord through discord.js — no step called by hand.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningCli, runCli, startCli } from '../support/cli.ts';
import { type FixturePost, serveLeakSite, writeLockerSitesDir } from '../support/leak-site-fixture.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { waitFor } from '../support/wait.ts';

describe('from a leak post to a Discord alert', () => {
  let harness: OnionHarness;
  let discord: MockDiscord;
  let leakwatch: RunningCli | undefined;
  beforeAll(async () => {
    harness = await startOnionHarness();
    discord = await startMockDiscord();
  });
  afterAll(async () => {
    await leakwatch?.stop('SIGKILL');
    await discord?.close();
    await harness?.stop();
  });

  it('crawls, matches and delivers one alert for the organisation named in a new post', async () => {
    const posts: FixturePost[] = [
      {
        slug: 'azur',
        title: 'Azur Analyses Médicales — 40 000 patients',
        status: 'countdown',
        date: '2026-11-20',
      },
      { slug: 'other', title: 'Rotor Leasing Company', status: 'published', date: '2026-11-19' },
    ];
    const host = harness.serve(serveLeakSite(posts, 1));
    const sitesDir = writeLockerSitesDir(host);
    const port = await freePort();
    const env = {
      LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-data-')),
      LEAKWATCH_SITES_DIR: sitesDir,
      LEAKWATCH_TOR_SOCKS: harness.url,
      LEAKWATCH_DISCORD_API: discord.api,
      LEAKWATCH_ALERTS_DISPATCH_INTERVAL: '1',
      LEAKWATCH_WORKER_POLL_INTERVAL: '0.5',
      LEAKWATCH_PORT: String(port),
    };
    const org = await runCli(
      ['org', 'add', 'azur', '--name', 'Azur Analyses Médicales', '--sector', 'health'],
      { env },
    );
    expect(org.code, org.stderr).toBe(0);
    const channel = await runCli(
      [
        'channels',
        'add',
        'azur-soc',
        '--type',
        'discord',
        '--org',
        'azur',
        '--webhook-url',
        'https://discord.com/api/webhooks/123456789012345678/tok-en_secret',
      ],
      { env },
    );
    expect(channel.code, channel.stderr).toBe(0);

    leakwatch = startCli(['start'], { env });
    const delivered = await waitFor('an alert delivered to Discord', () => discord.delivered()[0], {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    const text = JSON.stringify(delivered.body);
    expect(delivered.webhookId).toBe('123456789012345678');
    expect(text).toContain('Azur Analyses Médicales');
    expect(text).toContain(`http://127.0.0.1:${port}/posts/`);
    expect(text).not.toContain('Rotor Leasing');

    // Later crawls of the unchanged site send nothing more. Each crawl kicks a delivery pass when it ends, so once
    // two more crawls have finished, an alert the first of them wrote would have reached the mock by now.
    const crawlsFinished = () => leakwatch?.output().split('"crawl finished"').length ?? 1;
    const atDelivery = crawlsFinished();
    await waitFor('two more crawls of the unchanged site', () => crawlsFinished() >= atDelivery + 2, {
      timeoutMs: 60_000,
    });
    expect(discord.delivered()).toHaveLength(1);
    expect(leakwatch.output()).not.toContain('tok-en_secret');
  });
});
