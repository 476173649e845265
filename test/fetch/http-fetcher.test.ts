import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, PageRejectedError } from '../../src/fetch/fetch-errors.ts';
import { DEFAULT_FETCH_LIMITS, type FetchLimits } from '../../src/fetch/fetch-limits.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import {
  fixtureSite,
  hugeBody,
  type OnionHarness,
  redirect,
  slowBody,
  startOnionHarness,
} from '../support/onion-harness/index.ts';

// Generous for the fetches expected to succeed (a loaded CI host must not turn them into timeouts); the stall and
// slow-body cases below take their own small limit against a server that is slower than it by construction.
const limits: FetchLimits = {
  ...DEFAULT_FETCH_LIMITS,
  connectTimeoutMs: 30_000,
  firstByteTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
  maxBodyBytes: 1024 * 1024,
};

let harness: OnionHarness;
let fetcher: HttpFetcher;
let agents: SocksAgentPool;

beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, limits.connectTimeoutMs);
  fetcher = new HttpFetcher(agents);
});
afterAll(async () => {
  agents.close();
  await harness.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<FetchError | PageRejectedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FetchError || error instanceof PageRejectedError) return error;
    throw error;
  }
  throw new Error('expected the fetch to fail');
}

describe('HttpFetcher through the SOCKS harness', () => {
  it('sends the onion name to the proxy (remote DNS), with per-site credentials and a browser user agent', async () => {
    const site = fixtureSite({ '/': { body: '<html><body><h1>Victims</h1></body></html>' } });
    const host = harness.serve(site);
    const other = harness.serve(fixtureSite({ '/': { body: 'other' } }));
    const page = await fetcher.fetch({
      url: `http://${host}/`,
      siteId: 'alpha',
      allowedHosts: new Set([host]),
      limits,
    });
    await fetcher.fetch({ url: `http://${other}/`, siteId: 'beta', allowedHosts: new Set([other]), limits });

    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Victims</h1>');
    expect(page.contentType).toBe('text/html');
    const records = harness.requests.filter((record) => record.host === host || record.host === other);
    expect(records.map((record) => record.addressType)).toEqual(['domain', 'domain']);
    expect(records.map((record) => record.username)).toEqual(['leakwatch-alpha', 'leakwatch-beta']);
    expect(site.hostHeaders).toEqual([host]);
    expect(site.userAgents[0]).toMatch(/^Mozilla\/5\.0 .*Firefox/);
  });

  it('decodes Windows-1251, Latin-1 and gzip bodies', async () => {
    const russian = 'Мы опубликовали данные клиентов лаборатории';
    // Windows-1251 puts А..я at 0xC0..0xFF in alphabetical order (ё aside, which this text avoids).
    const encode1251 = (text: string) =>
      Buffer.from(
        [...text].map((char) =>
          char.charCodeAt(0) >= 0x410 ? char.charCodeAt(0) - 0x410 + 0xc0 : char.charCodeAt(0),
        ),
      );
    const site = fixtureSite({
      '/declared': { body: encode1251(russian), contentType: 'text/html; charset=windows-1251' },
      '/undeclared': { body: encode1251(`<p>${russian} ${russian}</p>`), contentType: 'text/html' },
      '/latin1': {
        body: Buffer.from('<meta charset="iso-8859-1"><p>Hélène Dupont, Médecine</p>', 'latin1'),
        contentType: 'text/html',
      },
      '/gzip': {
        body: gzipSync('<p>compressed</p>'),
        contentType: 'text/html',
        headers: { 'content-encoding': 'gzip' },
      },
    });
    const host = harness.serve(site);
    const get = (path: string) =>
      fetcher.fetch({ url: `http://${host}${path}`, siteId: 's', allowedHosts: new Set([host]), limits });
    expect((await get('/declared')).body).toBe(russian);
    const undeclared = await get('/undeclared');
    expect(undeclared.body).toContain(russian);
    expect(undeclared.charset).toBe('windows-1251');
    expect((await get('/latin1')).body).toContain('Hélène Dupont, Médecine');
    expect((await get('/gzip')).body).toBe('<p>compressed</p>');
  });

  it('follows redirects between the site’s own mirrors only', async () => {
    const mirrorB = harness.serve(fixtureSite({ '/new': { body: 'moved here' } }));
    const mirrorA = harness.serve(
      fixtureSite({
        '/old': redirect(`http://${mirrorB}/new`),
        '/local': redirect('http://127.0.0.1:5432/'),
        '/clearnet': redirect('https://tracker.example.com/pixel'),
        '/loop': redirect('/loop'),
      }),
    );
    const allowed = new Set([mirrorA, mirrorB]);
    const get = (path: string) =>
      fetcher.fetch({ url: `http://${mirrorA}${path}`, siteId: 's', allowedHosts: allowed, limits });
    const moved = await get('/old');
    expect(moved.body).toBe('moved here');
    expect(moved.redirects).toEqual([`http://${mirrorB}/new`]);
    expect((await failureOf(get('/local'))).failure).toBe('redirect_blocked');
    const clearnet = await failureOf(get('/clearnet'));
    expect(clearnet.failure).toBe('redirect_blocked');
    expect(clearnet.message).toContain("not one of the site's declared mirrors");
    expect((await failureOf(get('/loop'))).failure).toBe('too_many_redirects');
    expect(harness.requests.some((record) => record.host === 'tracker.example.com')).toBe(false);
  });

  it('rejects bodies over the limit, compressed or not, without reading them whole', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const host = harness.serve(
      fixtureSite({
        '/huge': hugeBody(40 * 1024 * 1024),
        '/bomb': { body: bomb, contentType: 'text/html', headers: { 'content-encoding': 'gzip' } },
      }),
    );
    const get = (path: string) =>
      fetcher.fetch({ url: `http://${host}${path}`, siteId: 's', allowedHosts: new Set([host]), limits });
    const huge = await failureOf(get('/huge'));
    expect(huge).toBeInstanceOf(PageRejectedError);
    expect(huge.failure).toBe('too_large');
    expect((await failureOf(get('/bomb'))).failure).toBe('too_large');
  });

  it('tells a dead site, a stall, a reset and a slow body apart', async () => {
    const page = '<p>slow</p>'.repeat(50);
    const dead = harness.serve(fixtureSite(), undefined, { dead: true });
    const stalled = harness.serve(fixtureSite({ '/': { body: 'never' } }), undefined, { stall: true });
    const reset = harness.serve(fixtureSite({ '/': { body: 'never' } }), undefined, { reset: true });
    const slow = harness.serve(fixtureSite({ '/': slowBody(page, 20, 400) }));
    const get = (host: string, over: Partial<FetchLimits> = {}) =>
      fetcher.fetch({
        url: `http://${host}/`,
        siteId: 's',
        allowedHosts: new Set([host]),
        limits: { ...limits, ...over },
      });
    expect((await failureOf(get(dead))).failure).toBe('unreachable');
    // The stalled server never answers, and the slow body takes at least 20 × 400 ms: each small limit can only fire.
    expect((await failureOf(get(stalled, { firstByteTimeoutMs: 1000 }))).failure).toBe('first_byte_timeout');
    expect((await failureOf(get(reset))).failure).toBe('reset');
    expect((await failureOf(get(slow, { totalTimeoutMs: 2000 }))).failure).toBe('total_timeout');
  });

  it('reports Tor unavailable when the proxy itself does not answer', async () => {
    const host = harness.serve(fixtureSite({ '/': { body: 'ok' } }));
    await harness.setDown(true);
    try {
      const error = await failureOf(
        fetcher.fetch({ url: `http://${host}/`, siteId: 's', allowedHosts: new Set([host]), limits }),
      );
      expect(error.failure).toBe('tor_unavailable');
    } finally {
      await harness.setDown(false);
    }
    const page = await fetcher.fetch({
      url: `http://${host}/`,
      siteId: 's',
      allowedHosts: new Set([host]),
      limits,
    });
    expect(page.body).toBe('ok');
  });

  it('refuses a URL on a host the site did not declare before connecting', async () => {
    const host = harness.serve(fixtureSite({ '/': { body: 'ok' } }));
    const before = harness.requests.length;
    const error = await failureOf(
      fetcher.fetch({ url: `http://${host}/`, siteId: 's', allowedHosts: new Set(), limits }),
    );
    expect(error.failure).toBe('redirect_blocked');
    expect(harness.requests.length).toBe(before);
  });
});
