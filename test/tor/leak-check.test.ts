import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanEnv, REPO_ROOT } from '../support/cli.ts';
import {
  fixtureDefinitionInput,
  listingPage,
  makePosts,
  postPage,
  serveLeakSite,
} from '../support/leak-site-fixture.ts';
import {
  createLeakNamespace,
  killNamespaceProcesses,
  type LeakNamespace,
  netnsUnavailableReason,
  runInNamespace,
  startCapture,
} from '../support/netns.ts';
import type { FixtureSite, OnionHarness } from '../support/onion-harness/index.ts';
import { randomOnionHost, startOnionHarness } from '../support/onion-harness/index.ts';
import type { CapturedPacket } from '../support/pcap.ts';
import { IN_CI } from '../support/system-tools.ts';

/**
 * The leak check (issue 14): the crawler runs inside a network namespace where the only thing it can reach is the
 * onion harness's SOCKS port, on the far end of a veth pair, while tcpdump records the veth and the namespace's
 * loopback. A crawl with each engine must leave through SOCKS only — no other host or port, no UDP, no DNS query at
 * all — with every onion name sent to the proxy as a host name; and the names a hostile page points at must never be
 * asked for, nor leave as packets.
 */
const CHROMIUM = '/usr/bin/chromium';
const CLI = join(REPO_ROOT, 'bin', 'leakwatch.js');
const unavailable = netnsUnavailableReason() ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found`);
// CI runs as root with tcpdump and Chromium installed (.ci/run): there a missing piece fails, it is not skipped.
const skip = unavailable !== undefined && !IN_CI;

/** Hosts only a hostile page names: none of them may be asked for at the proxy, nor reached any other way. */
const HOSTILE = {
  refresh: randomOnionHost(),
  iframe: randomOnionHost(),
  preconnect: randomOnionHost(),
  clearnet: 'beacon.example.net',
  ipLiteral: '198.51.100.7',
};
const HOSTILE_HEAD = `
  <meta http-equiv="refresh" content="1;url=http://${HOSTILE.refresh}/next">
  <link rel="preconnect" href="http://${HOSTILE.preconnect}/">
  <link rel="preconnect" href="http://${HOSTILE.clearnet}/">
  <link rel="dns-prefetch" href="//${HOSTILE.clearnet}">
  <link rel="stylesheet" href="http://${HOSTILE.clearnet}/style.css">`;
const HOSTILE_BODY = `
  <iframe src="http://${HOSTILE.iframe}/frame"></iframe>
  <img src="http://${HOSTILE.ipLiteral}/pixel.png">
  <object data="http://${HOSTILE.clearnet}/object"></object>`;

/** A leak site whose listing and first post also carry the hostile tags. */
function hostileLeakSite(): FixtureSite {
  const posts = makePosts(3, 'hostile');
  const site = serveLeakSite(posts, 1);
  const listing = listingPage(posts, 1, 1)
    .replace('<head>', `<head>${HOSTILE_HEAD}`)
    .replace('<main>', `<main>${HOSTILE_BODY}`);
  site.routes.set('/', { body: listing });
  site.routes.set('/?page=1', { body: listing });
  const first = posts[0];
  if (first) {
    site.routes.set(`/post/${first.slug}`, {
      body: postPage(first)
        .replace('<html>', `<html><head>${HOSTILE_HEAD}</head>`)
        .replace('<body>', `<body>${HOSTILE_BODY}`),
    });
  }
  return site;
}

interface EngineRun {
  engine: 'http' | 'browser';
  veth: CapturedPacket[];
  loopback: CapturedPacket[];
}

const runs: EngineRun[] = [];
let ns: LeakNamespace | undefined;
let harness: OnionHarness | undefined;
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

describe.skipIf(skip)(
  'leak check: crawls in a network namespace where only the SOCKS port is reachable',
  () => {
    const sites = { http: '', browser: '' };
    let httpSite: FixtureSite;
    let browserSite: FixtureSite;
    let sitesDir: string;

    beforeAll(async () => {
      if (unavailable) return; // in CI: the first test says why
      ns = createLeakNamespace();
      harness = await startOnionHarness({ listenHost: ns.outerAddress });
      httpSite = serveLeakSite(makePosts(6), 2);
      browserSite = hostileLeakSite();
      sites.http = harness.serve(httpSite);
      sites.browser = harness.serve(browserSite);
      sitesDir = tempDir('lw-leak-sites-');
      writeFileSync(
        join(sitesDir, 'leak-http.yaml'),
        stringify(fixtureDefinitionInput('leak-http', [sites.http], 'http')),
      );
      writeFileSync(
        join(sitesDir, 'leak-browser.yaml'),
        stringify(fixtureDefinitionInput('leak-browser', [sites.browser], 'browser')),
      );
    });

    afterAll(async () => {
      killNamespaceProcesses();
      await harness?.stop();
      ns?.destroy();
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      { engine: 'http' as const, id: 'leak-http', posts: 6 },
      { engine: 'browser' as const, id: 'leak-browser', posts: 3 },
    ])('crawls with the $engine engine through the SOCKS port alone', async ({ engine, id, posts }) => {
      if (unavailable) throw new Error(`the leak check cannot run here: ${unavailable}`);
      if (!ns || !harness) throw new Error('the namespace was not set up');
      const before = harness.requests.length;
      const veth = await startCapture(ns, ns.innerInterface);
      const loopback = await startCapture(ns, 'lo');
      const crawl = await runInNamespace(ns, [process.execPath, CLI, 'crawl', id, '--json'], {
        cwd: REPO_ROOT,
        env: cleanEnv({
          LEAKWATCH_DATA_DIR: tempDir('lw-leak-data-'),
          LEAKWATCH_SITES_DIR: sitesDir,
          LEAKWATCH_TOR_SOCKS: harness.url,
          LEAKWATCH_CHROMIUM_PATH: CHROMIUM,
          // At debug level the browser's SOCKS gate logs each CONNECT it refused: what the hostile page tried.
          LEAKWATCH_LOG_LEVEL: 'debug',
        }),
        timeoutMs: 240_000,
      });
      const run: EngineRun = { engine, veth: await veth.stop(), loopback: await loopback.stop() };
      runs.push(run);
      const requests = harness.requests.slice(before);
      console.info(captureSummary(run, requests.length, harness.port, refusedAtGate(crawl.stderr)));

      // Soft assertions: a leak shows as every check it breaks, not only the first one.
      // Nothing left the namespace but TCP to the SOCKS port; no UDP, no DNS (assertOnlySocks).
      assertOnlySocks(run, ns, harness.port);

      // Every onion name went to the proxy as a host name (remote DNS), and only the site's own.
      const site = engine === 'http' ? sites.http : sites.browser;
      expect.soft(requests.filter((request) => request.addressType !== 'domain')).toEqual([]);
      expect.soft([...new Set(requests.map((request) => request.host))]).toEqual([site]);

      if (engine === 'browser') {
        // The hostile pages were rendered, and none of the names they hold was asked for.
        expect.soft(browserSite.hits).toContain('/');
        expect.soft(browserSite.hits).toContain('/post/hostile-1');
        const asked = harness.requests.map((request) => request.host);
        for (const host of Object.values(HOSTILE)) expect.soft(asked).not.toContain(host);
      }

      // The crawl worked: otherwise a quiet capture would prove nothing.
      expect.soft(crawl.code, crawl.stderr.slice(-4000)).toBe(0);
      expect
        .soft(parseSummary(crawl.stdout))
        .toMatchObject({ siteId: id, status: 'succeeded', postsSeen: posts });
    });
  },
);

/** Every packet on the veth is TCP between the namespace and the SOCKS port (and ARP between those two addresses);
 * every packet on loopback is TCP within 127.0.0.0/8 (the browser's gate); no UDP anywhere, so no DNS. */
function assertOnlySocks(run: EngineRun, ns: LeakNamespace, socksPort: number): void {
  const endpoints = new Set([ns.innerAddress, ns.outerAddress]);
  const toSocks = (packet: CapturedPacket) =>
    packet.protocol === 'tcp' &&
    ((packet.source === ns.innerAddress &&
      packet.destination === ns.outerAddress &&
      packet.destinationPort === socksPort) ||
      (packet.source === ns.outerAddress &&
        packet.destination === ns.innerAddress &&
        packet.sourcePort === socksPort));
  const arp = (packet: CapturedPacket) =>
    packet.protocol === 'arp' &&
    endpoints.has(packet.source ?? '') &&
    endpoints.has(packet.destination ?? '');
  expect.soft(run.veth.filter((packet) => toSocks(packet)).length).toBeGreaterThan(0);
  expect.soft(run.veth.filter((packet) => !toSocks(packet) && !arp(packet))).toEqual([]);

  const loopbackTcp = (packet: CapturedPacket) =>
    packet.protocol === 'tcp' &&
    packet.ip === 4 &&
    (packet.source ?? '').startsWith('127.') &&
    (packet.destination ?? '').startsWith('127.');
  expect.soft(run.loopback.filter((packet) => !loopbackTcp(packet))).toEqual([]);

  const dns = [...run.veth, ...run.loopback].filter(
    (packet) => packet.protocol === 'udp' || packet.sourcePort === 53 || packet.destinationPort === 53,
  );
  expect.soft(dns).toEqual([]);
}

function parseSummary(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return { unparsed: stdout.slice(0, 2000) };
  }
}

/** The hosts the browser's SOCKS gate refused, from the crawl's debug log (JSON lines). */
function refusedAtGate(stderr: string): string[] {
  const hosts = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.includes('CONNECT refused')) continue;
    try {
      const entry = JSON.parse(line) as { host?: string; port?: number };
      const role = Object.entries(HOSTILE).find(([, host]) => host === entry.host)?.[0];
      if (entry.host) hosts.add(`${entry.host}:${entry.port}${role ? ` (${role})` : ''}`);
    } catch {
      // not a log line
    }
  }
  return [...hosts].sort();
}

/** Packets by protocol and port, and TCP connections opened (SYN without ACK), for the issue note. */
function captureSummary(
  run: EngineRun,
  socksRequests: number,
  socksPort: number,
  refused: readonly string[],
): string {
  const describe = (packets: CapturedPacket[], label: (packet: CapturedPacket) => string) => {
    const counts = new Map<string, number>();
    for (const packet of packets) counts.set(label(packet), (counts.get(label(packet)) ?? 0) + 1);
    const syns = packets.filter((packet) => packet.protocol === 'tcp' && packet.tcpFlags === 0x02).length;
    const parts = [...counts].map(([key, count]) => `${key}: ${count}`);
    return `${packets.length} packets (${parts.join(', ') || 'none'}), ${syns} TCP connections opened`;
  };
  const port = (packet: CapturedPacket) =>
    packet.protocol === 'tcp' || packet.protocol === 'udp'
      ? `${packet.protocol}/${packet.sourcePort === socksPort || packet.destinationPort === socksPort ? `${socksPort} (SOCKS)` : `${packet.destinationPort}`}`
      : packet.protocol;
  const loopbackLabel = (packet: CapturedPacket) =>
    packet.protocol === 'tcp' ? 'tcp 127.0.0.0/8' : `${packet.protocol} ${packet.destination ?? ''}`;
  return [
    `leak check, ${run.engine} engine:`,
    `  veth: ${describe(run.veth, port)}`,
    `  lo:   ${describe(run.loopback, loopbackLabel)}`,
    `  refused at the browser's SOCKS gate (never left the namespace): ${refused.join(', ') || 'none'}`,
    `  SOCKS CONNECTs at the harness: ${socksRequests}; UDP packets: ${
      [...run.veth, ...run.loopback].filter((packet) => packet.protocol === 'udp').length
    }; DNS (port 53) packets: ${
      [...run.veth, ...run.loopback].filter(
        (packet) => packet.sourcePort === 53 || packet.destinationPort === 53,
      ).length
    }`,
  ].join('\n');
}
