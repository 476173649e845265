/**
 * Real Tor, end to end on loopback: a private Tor network (five authorities/relays, one onion service + SOCKS
 * client, all TestingTorNetwork) publishes a fixture leak site as an onion service, and the test fetches it through
 * the SOCKS port with remote name resolution. Nothing leaves 127.0.0.1. Skipped only when `tor` is not installed.
 *
 * The first tests fetch with a plain socks-proxy-agent request (the transport alone); the last one crawls the site with
 * leakwatch's own crawler (crawlSite: HTTP engine, per-site isolation, post pages, database and evidence).
 */

import { mkdtempSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrawlSummary, crawlSite } from '../../src/crawl/crawl-site.ts';
import { DEFAULT_FETCH_LIMITS } from '../../src/fetch/fetch-limits.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { parseListing } from '../../src/parse/selector-parser.ts';
import { defineSite } from '../../src/parse/site-definition.ts';
import { deriveKey } from '../../src/shared/keys.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { posts } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { skipWithout } from '../support/system-tools.ts';
import { openTestDatabase } from '../support/test-database.ts';
import {
  isOnPath,
  type PrivateTorNetwork,
  processOwnsLoopbackSocket,
  residentMemoryBytes,
  startPrivateTorNetwork,
} from '../support/tor-network/index.ts';

const torInstalled = isOnPath('tor');
const TIMEOUT_MS = 150_000;
const FETCH_DEADLINE_MS = 60_000;

const POSTS = [
  {
    slug: 'northbridge-medical-labs',
    title: 'Northbridge Medical Labs',
    size: '412 GB',
    status: 'PUBLISHED',
  },
  { slug: 'kestrel-logistics', title: 'Kestrel Logistics GmbH', size: '88 GB', status: '3 days left' },
  {
    slug: 'alder-county-schools',
    title: 'Alder County School District',
    size: '1.2 TB',
    status: 'PUBLISHED',
  },
];

function listingPage(): string {
  const items = POSTS.map(
    (post) =>
      `<article class="post"><h2><a href="/post/${post.slug}">${post.title}</a></h2>` +
      `<span class="size">${post.size}</span> <span class="status">${post.status}</span></article>`,
  ).join('\n');
  return `<!doctype html><html><head><title>FIXTURE LOCKER - leaks</title></head><body>\n<h1>Latest leaks</h1>\n${items}\n</body></html>\n`;
}

interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  /** Whether the service tor process held the other end of the connection (undefined: cannot tell). */
  fromServiceTor: boolean | undefined;
}

interface FetchResult {
  status: number;
  body: string;
  attempts: number;
  ms: number;
}

/** One GET through the SOCKS proxy (socks5h: tor resolves the name). Global fetch would ignore the agent. */
function getThroughSocks(
  url: string,
  socksUrl: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const agent = new SocksProxyAgent(socksUrl, { timeout: timeoutMs });
    const request = get(url, { agent, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/**
 * Retries until the deadline: a first fetch builds circuits, and one around an onion time-period rotation (every
 * four minutes in this network) can take seconds or fail once.
 */
async function fetchWithRetry(url: string, socksUrl: string): Promise<FetchResult> {
  const started = Date.now();
  const deadline = started + FETCH_DEADLINE_MS;
  const errors: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    try {
      const result = await getThroughSocks(url, socksUrl, Math.min(20_000, Math.max(remaining, 1000)));
      return { ...result, attempts: attempt, ms: Date.now() - started };
    } catch (error) {
      errors.push(`attempt ${attempt} after ${Date.now() - started} ms: ${(error as Error).message}`);
      if (Date.now() + 1000 > deadline) {
        throw new Error(
          `GET ${url} through ${socksUrl} failed within ${FETCH_DEADLINE_MS} ms:\n${errors.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

const title = torInstalled
  ? 'real Tor: fixture leak site as an onion service on a private Tor network'
  : 'real Tor (SKIPPED: no `tor` binary on PATH; install the Debian package `tor` to run these tests)';

describe.skipIf(skipWithout(torInstalled))(title, () => {
  let server: Server | undefined;
  let serverPort: number;
  let network: PrivateTorNetwork | undefined;
  const seen: SeenRequest[] = [];

  beforeAll(async () => {
    const site = createServer((request, response) => {
      const servicePid = network?.processes().find((p) => p.role === 'service')?.pid;
      seen.push({
        url: request.url ?? '',
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
        fromServiceTor:
          servicePid === undefined || request.socket.remotePort === undefined
            ? undefined
            : processOwnsLoopbackSocket(servicePid, request.socket.remotePort, serverPort),
      });
      const post = POSTS.find((p) => request.url === `/post/${p.slug}`);
      if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(listingPage());
      } else if (post) {
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(`<!doctype html><h1>${post.title}</h1><p>Data size: ${post.size}</p>`);
      } else {
        response.writeHead(404).end('not found');
      }
    });
    server = site;
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    serverPort = (site.address() as { port: number }).port;

    network = await startPrivateTorNetwork({ targetPort: serverPort });
    const pids = network.processes().flatMap((p) => (p.pid ? [p.pid] : []));
    const rss = residentMemoryBytes(pids);
    console.info(
      `[real-tor] network ready in ${network.timings.totalMs} ms ${JSON.stringify(network.timings)}; ` +
        `${pids.length} tor processes, RSS ${rss === undefined ? '?' : Math.round(rss / 2 ** 20)} MB`,
    );
  }, TIMEOUT_MS);

  afterAll(async () => {
    if (network) {
      const rss = residentMemoryBytes(network.processes().flatMap((p) => (p.pid ? [p.pid] : [])));
      if (rss !== undefined)
        console.info(`[real-tor] tor processes RSS after the fetches: ${Math.round(rss / 2 ** 20)} MB`);
    }
    await network?.stop();
    if (server) await new Promise((resolve) => server?.close(resolve));
  }, 30_000);

  it(
    'fetches the listing page through the SOCKS port, delivered by the service tor to the onion name',
    async () => {
      const net = network as PrivateTorNetwork;
      expect(net.onionHost).toMatch(/^[a-z2-7]{56}\.onion$/);
      expect(net.socksUrl).toBe(`socks5h://127.0.0.1:${net.socksPort}`);

      let result: FetchResult;
      try {
        result = await fetchWithRetry(net.onionUrl, net.socksUrl);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${net.logs()}`);
      }
      console.info(`[real-tor] first onion fetch: ${result.ms} ms, ${result.attempts} attempt(s)`);

      expect(result.status).toBe(200);
      expect(result.body).toContain('<h1>Latest leaks</h1>');
      for (const post of POSTS)
        expect(result.body).toContain(`<a href="/post/${post.slug}">${post.title}</a>`);

      // The request that reached the site came out of the onion service: addressed to the onion name, from
      // loopback, on a connection held by the service tor process.
      const listing = seen.filter((request) => request.url === '/');
      expect(listing.length).toBeGreaterThanOrEqual(1);
      for (const request of listing) {
        expect(request.headers.host).toBe(net.onionHost);
        expect(request.remoteAddress).toBe('127.0.0.1');
        if (process.platform === 'linux') expect(request.fromServiceTor).toBe(true);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'fetches a post page over the established circuits',
    async () => {
      const net = network as PrivateTorNetwork;
      const before = seen.length;
      const result = await fetchWithRetry(`${net.onionUrl}post/northbridge-medical-labs`, net.socksUrl);
      console.info(`[real-tor] warm onion fetch: ${result.ms} ms, ${result.attempts} attempt(s)`);

      expect(result.status).toBe(200);
      expect(result.body).toContain('<h1>Northbridge Medical Labs</h1>');
      expect(result.body).toContain('Data size: 412 GB');
      const request = seen.slice(before).find((r) => r.url === '/post/northbridge-medical-labs');
      expect(request?.headers.host).toBe(net.onionHost);
    },
    TIMEOUT_MS,
  );

  it(
    'is crawled by leakwatch through Tor: listing, statuses and post pages recorded',
    async () => {
      const net = network as PrivateTorNetwork;
      const test = await openTestDatabase('pglite');
      const agents = new SocksAgentPool(net.socksUrl, 30_000);
      try {
        const site = defineSite({
          id: 'fixture-locker',
          name: 'Fixture Locker',
          group: 'fixture-locker',
          mirrors: [net.onionUrl],
          listing: {
            posts: 'article.post',
            fields: { title: 'h2', status: 'span.status', size: 'span.size' },
          },
          detail: { description: 'p' },
        });
        const deps = {
          db: test.database.db,
          fetchers: { http: new HttpFetcher(agents) },
          evidence: new LocalEvidenceStore(
            mkdtempSync(join(tmpdir(), 'lw-evidence-')),
            deriveKey('t'.repeat(40), 'evidence-encryption'),
          ),
          parse: parseListing,
          settings: {
            limits: {
              ...DEFAULT_FETCH_LIMITS,
              connectTimeoutMs: 30_000,
              firstByteTimeoutMs: 30_000,
              totalTimeoutMs: 45_000,
            },
            maxPages: 5,
            maxDetailPages: 5,
            removeAfterRuns: 3,
            backoffBaseMs: 1000,
            backoffCapMs: 1000,
            leaseMs: 60_000,
          },
          logger: createLogger({ level: 'silent', format: 'json' }),
          worker: 'real-tor-test',
        };
        // A crawl around an onion time-period rotation can find the service briefly unreachable: try until the deadline.
        const deadline = Date.now() + FETCH_DEADLINE_MS;
        let summary: CrawlSummary;
        do summary = await crawlSite(deps, site, 'manual');
        while (summary.status !== 'succeeded' && Date.now() < deadline);
        console.info(
          `[real-tor] crawl: ${summary.status} in ${summary.durationMs} ms, ${summary.pagesFetched} pages`,
        );

        expect(summary).toMatchObject({ status: 'succeeded', postsSeen: 3, mirror: net.onionUrl });
        const stored = await test.database.db.select().from(posts).where(eq(posts.siteId, 'fixture-locker'));
        expect(Object.fromEntries(stored.map((post) => [post.title, post.status]))).toEqual({
          'Northbridge Medical Labs': 'published',
          'Kestrel Logistics GmbH': 'countdown',
          'Alder County School District': 'published',
        });
        expect(stored.find((post) => post.title === 'Kestrel Logistics GmbH')?.bodyText).toContain(
          'Data size: 88 GB',
        );
        const crawled = seen.filter((request) => request.headers['user-agent']?.includes('Firefox'));
        expect(crawled.map((request) => request.url).sort()).toEqual(
          ['/', ...POSTS.map((post) => `/post/${post.slug}`)].sort(),
        );
        expect(crawled.every((request) => request.headers.host === net.onionHost)).toBe(true);
      } finally {
        agents.close();
        await test.close();
      }
    },
    TIMEOUT_MS,
  );
});
