import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DownloadRequest, download } from '../../src/fetch/download.ts';
import { FetchError, PageRejectedError } from '../../src/fetch/fetch-errors.ts';
import { deriveKey } from '../../src/shared/keys.ts';
import { LocalEvidenceStore } from '../../src/store/evidence-store.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { fileRoute } from '../support/documents/file-routes.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';

let harness: OnionHarness;
let agents: SocksAgentPool;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
});
afterAll(async () => {
  agents.close();
  await harness.stop();
});

const dump = Buffer.from(
  Array.from({ length: 40_000 }, (_, i) => `user${i}@example.fr;secret${i}\n`).join(''),
);
const store = () =>
  new LocalEvidenceStore(
    mkdtempSync(join(tmpdir(), 'lw-dl-')),
    deriveKey('d'.repeat(40), 'evidence-encryption'),
  );
const same = (a: Buffer, b: Buffer) => a.length === b.length && a.equals(b);

function request(host: string, path: string, overrides: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    url: `http://${host}${path}`,
    siteId: 'site-a',
    allowedHosts: new Set([host]),
    maxBytes: 10 * 1024 * 1024,
    // Generous: a transfer expected to go through must not be cut (one more resume) on a loaded host.
    limits: {
      connectTimeoutMs: 30_000,
      firstByteTimeoutMs: 30_000,
      idleTimeoutMs: 30_000,
      maxRedirects: 3,
      maxResumes: 3,
      resumeDelayMs: 0,
      minBytesPerWindow: 0,
      rateWindowMs: 1000,
      maxDurationMs: 60_000,
    },
    ...overrides,
  };
}

describe('download through Tor into the evidence store', () => {
  it('resumes a truncated transfer with Range and If-Range, and stores exactly the file', async () => {
    const file = fileRoute(dump, { cutAfter: 300_000, cuts: 2 });
    const host = harness.serve(fixtureSite({ '/files/clients.csv': file.route }));
    const evidence = store();
    const upload = await evidence.openUpload('doc-1');
    const result = await download(agents, request(host, '/files/clients.csv'), upload);
    expect(result).toMatchObject({ bytes: dump.length, expected: dump.length, resumes: 2, restarts: 0 });
    expect(file.ranges).toEqual(['', 'bytes=300000-', 'bytes=600000-']);
    expect(file.ifRanges[1]).toMatch(/^"[0-9a-f]{16}"$/);
    const { sha256, size } = await upload.commit();
    expect(size).toBe(dump.length);
    expect(same(await evidence.get(sha256), dump)).toBe(true);
    // The download went through the SOCKS proxy by name, on the site's own circuit.
    const viaProxy = harness.requests.filter((r) => r.host === host);
    expect(viaProxy.length).toBeGreaterThan(0);
    expect(viaProxy.every((r) => r.addressType === 'domain' && r.username === 'leakwatch-site-a')).toBe(true);
  });

  it('resumes in a later attempt from what the first one stored, even in another process', async () => {
    const file = fileRoute(dump, { cutAfter: 500_000 });
    const host = harness.serve(fixtureSite({ '/dump.csv': file.route }));
    const evidence = store();
    const first = await evidence.openUpload('doc-2');
    await expect(
      download(
        agents,
        request(host, '/dump.csv', { limits: { ...request(host, '').limits, maxResumes: 0 } }),
        first,
      ),
    ).rejects.toThrow(/transfer cut at 500000 of 1\d+ bytes/);
    await first.close();
    const second = await evidence.openUpload('doc-2');
    expect(second.offset).toBe(458_752); // whole 64 KiB chunks that reached the disk
    const result = await download(agents, request(host, '/dump.csv'), second);
    expect(file.ranges).toEqual(['', 'bytes=458752-']);
    expect(result.bytes).toBe(dump.length);
    expect(same(await evidence.get((await second.commit()).sha256), dump)).toBe(true);
  });

  it('starts over when the server ignores ranges or the file changed, and cuts a stalled transfer', async () => {
    const noRanges = fileRoute(dump, { cutAfter: 200_000, ignoreRange: true });
    const hostA = harness.serve(fixtureSite({ '/a.csv': noRanges.route }));
    const evidenceA = store();
    const a = await evidenceA.openUpload('a');
    expect(await download(agents, request(hostA, '/a.csv'), a)).toMatchObject({
      bytes: dump.length,
      resumes: 1,
      restarts: 1,
    });
    expect(same(await evidenceA.get((await a.commit()).sha256), dump)).toBe(true);

    const changing = fileRoute(dump, { cutAfter: 200_000 });
    const updated = Buffer.concat([Buffer.from('NEW VERSION\n'), dump]);
    const hostB = harness.serve(
      fixtureSite({
        '/b.csv': (request, response) => {
          if (typeof changing.route !== 'function') return;
          changing.route(request, response);
          // After the first (cut) answer the file changes: the If-Range validator no longer matches.
          if (changing.ranges.length === 1) changing.replace(updated);
        },
      }),
    );
    const evidenceB = store();
    const b = await evidenceB.openUpload('b');
    expect(await download(agents, request(hostB, '/b.csv'), b)).toMatchObject({
      bytes: updated.length,
      restarts: 1,
    });
    expect(changing.ranges).toEqual(['', 'bytes=200000-']);
    expect(same(await evidenceB.get((await b.commit()).sha256), updated)).toBe(true);

    const stalling = fileRoute(dump, { stallAfter: 100_000 });
    const hostC = harness.serve(fixtureSite({ '/c.csv': stalling.route }));
    const c = await store().openUpload('c');
    // The first answer goes silent for good, so a shorter idle limit only ends the wait sooner; the resumed answer
    // shares it, hence seconds. With a floor whose window is shorter than the idle timeout: silence is still the idle
    // timer's, resumed at once.
    const floored = {
      ...request(hostC, '').limits,
      idleTimeoutMs: 5000,
      minBytesPerWindow: 1000,
      rateWindowMs: 300,
    };
    expect(await download(agents, request(hostC, '/c.csv', { limits: floored }), c)).toMatchObject({
      bytes: dump.length,
      resumes: 1,
    });
    expect(stalling.ranges).toEqual(['', 'bytes=100000-']);
  });

  it('refuses a file past the size cap as announced or as received, a missing file, and a redirect off the site', async () => {
    const big = fileRoute(dump);
    const chunked = fileRoute(dump, { noLength: true });
    const host = harness.serve(
      fixtureSite({
        '/big.csv': big.route,
        '/chunked.csv': chunked.route,
        '/moved': { body: '', status: 302, headers: { location: 'http://127.0.0.1:9/steal' } },
      }),
    );
    const evidence = store();
    const announced = download(
      agents,
      request(host, '/big.csv', { maxBytes: 100_000 }),
      await evidence.openUpload('x'),
    );
    await expect(announced).rejects.toThrow(PageRejectedError);
    await expect(announced).rejects.toThrow(/is 1\d+ bytes or more, past the 100000-byte limit/);
    const streamed = download(
      agents,
      request(host, '/chunked.csv', { maxBytes: 100_000 }),
      await evidence.openUpload('y'),
    );
    await expect(streamed).rejects.toThrow(/past the 100000-byte limit/);
    await expect(
      download(agents, request(host, '/nothing.csv'), await evidence.openUpload('z')),
    ).rejects.toThrow(/answered HTTP 404/);
    await expect(download(agents, request(host, '/moved'), await evidence.openUpload('w'))).rejects.toThrow(
      /IP addresses and localhost are never fetched/,
    );
  });

  it('ends a transfer that trickles under the throughput floor, though no idle timer ever fires', async () => {
    // 1 byte every 100 ms (10 B/s at most, slower on a slow machine) against a floor of 1000 bytes per second: the
    // floor trips whatever the machine's speed. Before the floor the download went on for the whole file.
    const slow = fileRoute(dump.subarray(0, 200_000), { trickleAfter: 100_000, trickleEveryMs: 100 });
    const host = harness.serve(fixtureSite({ '/slow.csv': slow.route }));
    const limits = {
      ...request(host, '').limits,
      idleTimeoutMs: 30_000,
      minBytesPerWindow: 1000,
      rateWindowMs: 1000,
    };
    const upload = await store().openUpload('slow');
    const failure = await download(agents, request(host, '/slow.csv', { limits }), upload).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FetchError);
    expect(failure).toMatchObject({ failure: 'total_timeout', disposition: 'retry' });
    expect(String((failure as Error).message)).toMatch(
      /too slow, \d+ bytes in the last [\d.]+ s where 1000 per 1 s are required \(1\d{5} bytes received\)/,
    );
    // No reconnection within the call: the slot is freed, and the caller resumes later from what was stored.
    expect(slow.ranges).toEqual(['']);
    expect(upload.offset).toBeGreaterThanOrEqual(65_536);
  });

  it('ends a transfer past the cap on one attempt, however fast it goes', async () => {
    let sent = 0;
    const host = harness.serve(
      fixtureSite({
        // An endless file at ~40 kB/s: never idle, never done (no floor here: only the cap is tested).
        '/endless.bin': (_request, response) => {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          const timer = setInterval(() => {
            response.write(Buffer.alloc(2048, 'x'));
            sent += 2048;
          }, 50);
          response.on('close', () => clearInterval(timer));
        },
      }),
    );
    const limits = { ...request(host, '').limits, minBytesPerWindow: 0, maxDurationMs: 1500 };
    const failed = download(agents, request(host, '/endless.bin', { limits }), await store().openUpload('e'));
    await expect(failed).rejects.toMatchObject({ failure: 'total_timeout' });
    await expect(failed).rejects.toThrow(/not finished after 1\.5 s, the cap for one download attempt/);
    expect(sent).toBeGreaterThan(0);
  });

  it('gives up after the resume attempts with a retryable error, and refuses what `inspect` refuses', async () => {
    const flaky = fileRoute(dump, { cutAfter: 1000, cuts: 10 });
    const host = harness.serve(
      fixtureSite({ '/flaky.csv': flaky.route, '/x.bin': fileRoute(Buffer.from('MZ\x90\x00rest')).route }),
    );
    const evidence = store();
    const failed = download(agents, request(host, '/flaky.csv'), await evidence.openUpload('f'));
    await expect(failed).rejects.toThrow(FetchError);
    expect(flaky.ranges).toHaveLength(4);
    const refused = download(
      agents,
      request(host, '/x.bin', {
        inspect: (head) => {
          if (head.subarray(0, 2).toString() === 'MZ')
            throw new PageRejectedError('too_large', 'x', 'an executable');
        },
      }),
      await evidence.openUpload('g'),
    );
    await expect(refused).rejects.toThrow(/an executable/);
  });
});
