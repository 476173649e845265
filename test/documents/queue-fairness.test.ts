import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPendingDocuments } from '../../src/documents/queue.ts';
import { getDocument, listDocuments } from '../../src/store/documents.repository.ts';
import type { EvidenceUpload } from '../../src/store/evidence-upload.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { fileRoute } from '../support/documents/file-routes.ts';
import { pipelineHarness, seedPost } from '../support/documents/pipeline-harness.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';

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

describe.each(DRIVERS)('document queue on %s', (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.close());

  it('reads and matches a small file while a huge one of another site is still downloading', async () => {
    // The big dump's server sends half, then holds the rest until the small file has reached the consumer: a queue
    // that waited for every download before reading anything would never finish this pass (the test times out).
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const dump = Buffer.from(
      Array.from({ length: 50_000 }, (_, i) => `user${i}@example.fr;pw${i}\n`).join(''),
    );
    const big = harness.serve(
      fixtureSite({
        '/dump.csv': (_request, response) => {
          response.writeHead(200, { 'content-length': String(dump.length), 'content-type': 'text/csv' });
          response.write(dump.subarray(0, dump.length / 2));
          void released.then(() => response.end(dump.subarray(dump.length / 2)));
        },
      }),
    );
    const small = harness.serve(
      fixtureSite({ '/small.csv': fileRoute(Buffer.from('email,password\nzoe@example.fr,azerty\n')).route }),
    );
    const bigPost = await seedPost(test.database.db, 'big-site', big, [`http://${big}/dump.csv`]);
    const smallPost = await seedPost(test.database.db, 'small-site', small, [`http://${small}/small.csv`]);
    const run = pipelineHarness(test.database.db, agents);
    run.deps.settings.download = { ...run.deps.settings.download, idleTimeoutMs: 60_000 };
    const order: string[] = [];
    const capture = run.deps.consumer;
    run.deps.consumer = {
      async consume(document, records) {
        await capture.consume(document, records);
        order.push(document.name);
        if (document.name === 'small.csv') release();
      },
    };
    const summary = await processPendingDocuments(run.deps);
    expect(summary.errors).toEqual([]);
    expect(order).toEqual(['small.csv', 'dump.csv']);
    const [dumpRow] = await listDocuments(test.database.db, { postId: bigPost });
    const [smallRow] = await listDocuments(test.database.db, { postId: smallPost });
    expect([dumpRow?.status, smallRow?.status]).toEqual(['extracted', 'extracted']);
    expect(dumpRow?.counts).toMatchObject({ rows: 50_000 });
  });

  it('takes files posted meanwhile on other sites while one slow download holds its slot and its site', async () => {
    // The dump's server sends half, then holds the rest until the test releases it. A pass whose free slot gave up
    // when it found nothing to claim left every file posted meanwhile pending until the dump ended.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let halfSent = false;
    const dump = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `u${i}@example.fr;pw${i}\n`).join(''));
    const slow = harness.serve(
      fixtureSite({
        '/dump.csv': (_request, response) => {
          response.writeHead(200, { 'content-length': String(dump.length), 'content-type': 'text/csv' });
          response.write(dump.subarray(0, dump.length / 2), () => {
            halfSent = true;
          });
          void released.then(() => response.end(dump.subarray(dump.length / 2)));
        },
        '/second.csv': fileRoute(Buffer.from('email\nsecond@example.fr\n')).route,
      }),
    );
    const other = harness.serve(
      fixtureSite({ '/late.csv': fileRoute(Buffer.from('email\nlate@example.fr\n')).route }),
    );
    const slowPost = await seedPost(test.database.db, 'slow-site', slow, [
      `http://${slow}/dump.csv`,
      `http://${slow}/second.csv`,
    ]);
    const run = pipelineHarness(test.database.db, agents, {
      concurrency: 2,
      perSiteConcurrency: 1,
      idlePollMs: 20,
    });
    run.deps.settings.download = {
      ...run.deps.settings.download,
      idleTimeoutMs: 60_000,
      minBytesPerWindow: 0,
    };
    const statusOf = async (postId: number, name: string) =>
      (await listDocuments(test.database.db, { postId })).find((row) => row.name === name)?.status;
    const pass = processPendingDocuments(run.deps);
    try {
      await waitFor('the dump to be half downloaded', async () =>
        halfSent && (await statusOf(slowPost, 'dump.csv')) === 'downloading' ? true : undefined,
      );
      // Posted after the pass began (a crawl found it), on another site.
      const latePost = await seedPost(test.database.db, 'late-site', other, [`http://${other}/late.csv`]);
      await waitFor(
        'the late file to be read while the dump still downloads',
        async () => (await statusOf(latePost, 'late.csv')) === 'extracted',
        { timeoutMs: 30_000 },
      );
      // The slow site's own second file waits for its site's one slot (perSiteConcurrency 1).
      expect(await statusOf(slowPost, 'dump.csv')).toBe('downloading');
      expect(await statusOf(slowPost, 'second.csv')).toBe('pending');
    } finally {
      release();
    }
    const summary = await pass;
    expect(summary.errors).toEqual([]);
    expect(await statusOf(slowPost, 'dump.csv')).toBe('extracted');
    expect(await statusOf(slowPost, 'second.csv')).toBe('extracted');
  });

  it('cuts a file too slow to download, resumes it in a later attempt, then gives up with the reason', async () => {
    // 1 byte every 100 ms past the first 200 000 bytes, against a floor of 1000 bytes per second: cut whatever the
    // machine's speed. Without a floor the idle timer never fires and the pass never ends (the test times out).
    const bytes = Buffer.from(Array.from({ length: 12_000 }, (_, i) => `v${i}@example.fr;pw${i}\n`).join(''));
    const slowFile = fileRoute(bytes, { trickleAfter: 200_000, trickleEveryMs: 100 });
    const slow = harness.serve(fixtureSite({ '/trickle.csv': slowFile.route }));
    const fast = harness.serve(
      fixtureSite({ '/quick.csv': fileRoute(Buffer.from('email\nquick@example.fr\n')).route }),
    );
    const slowPost = await seedPost(test.database.db, 'trickle-site', slow, [`http://${slow}/trickle.csv`]);
    const fastPost = await seedPost(test.database.db, 'quick-site', fast, [`http://${fast}/quick.csv`]);
    const run = pipelineHarness(test.database.db, agents, { concurrency: 2, maxAttempts: 2, idlePollMs: 20 });
    run.deps.settings.download = {
      ...run.deps.settings.download,
      idleTimeoutMs: 60_000,
      minBytesPerWindow: 1000,
      rateWindowMs: 1000,
    };
    const [slowRow] = await listDocuments(test.database.db, { postId: slowPost });
    const id = slowRow?.id as number;

    const first = await processPendingDocuments(run.deps);
    expect(first.errors).toEqual([]);
    expect(first.downloads.find((outcome) => outcome.id === id)).toMatchObject({ status: 'retry' });
    const waiting = await getDocument(test.database.db, id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting?.error).toMatch(
      /too slow, \d+ bytes in the last [\d.]+ s where 1000 per 1 s are required/,
    );
    expect(waiting?.nextAttemptAt?.getTime()).toBe(run.now.value.getTime() + 60_000);
    const [quick] = await listDocuments(test.database.db, { postId: fastPost });
    expect(quick?.status).toBe('extracted');

    // Not due yet: the next pass leaves it; once due, it resumes from the whole chunks stored.
    expect((await processPendingDocuments(run.deps)).downloads).toEqual([]);
    run.now.value = new Date(run.now.value.getTime() + 61_000);
    const second = await processPendingDocuments(run.deps);
    expect(second.downloads).toMatchObject([{ id, status: 'failed' }]);
    expect(slowFile.ranges).toEqual(['', 'bytes=196608-']);
    const given = await getDocument(test.database.db, id);
    expect(given?.status).toBe('failed');
    expect(given?.error).toMatch(/too slow, .* \(gave up after 2 attempts\)$/);
  });

  it('stops its downloads when the worker stops: the bytes are kept, no attempt is counted, the next pass resumes', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const bytes = Buffer.from(Array.from({ length: 15_000 }, (_, i) => `s${i}@example.fr;pw${i}\n`).join(''));
    const file = fileRoute(bytes);
    const host = harness.serve(
      fixtureSite({
        '/held.csv': (request, response) => {
          if (request.headers.range) {
            if (typeof file.route === 'function') file.route(request, response);
            return;
          }
          file.ranges.push('');
          response.writeHead(200, { 'content-length': String(bytes.length), 'content-type': 'text/csv' });
          response.write(bytes.subarray(0, 150_000));
          // Then a byte now and then (an idle socket may be cut by the agent): still downloading when it stops.
          let sent = 150_000;
          const timer = setInterval(() => response.write(bytes.subarray(sent, ++sent)), 200);
          void released.then(() => {
            clearInterval(timer);
            response.destroy();
          });
        },
      }),
    );
    const postId = await seedPost(test.database.db, 'stopping-site', host, [`http://${host}/held.csv`]);
    const run = pipelineHarness(test.database.db, agents, { idlePollMs: 20 });
    run.deps.settings.download = { ...run.deps.settings.download, idleTimeoutMs: 60_000 };
    const uploads: EvidenceUpload[] = [];
    const evidence = run.deps.evidence;
    const open = evidence.openUpload.bind(evidence);
    evidence.openUpload = async (uploadId) => {
      const upload = await open(uploadId);
      uploads.push(upload);
      return upload;
    };
    const stopping = new AbortController();
    const pass = processPendingDocuments(run.deps, { signal: stopping.signal });
    try {
      await waitFor('150 000 bytes received', () => (uploads[0]?.offset ?? 0) >= 150_000);
      stopping.abort();
      const summary = await pass;
      expect(summary.errors).toEqual([]);
      expect(summary.downloads).toMatchObject([{ status: 'retry' }]);
    } finally {
      release();
    }
    const [stopped] = await listDocuments(test.database.db, { postId });
    const row = await getDocument(test.database.db, stopped?.id as number);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: null });
    expect(row?.error).toMatch(/stopped at \d+ bytes \(this worker is stopping\)/);
    await run.drain();
    const [done] = await listDocuments(test.database.db, { postId });
    expect(done).toMatchObject({ status: 'extracted', sizeBytes: bytes.length });
    expect(file.ranges).toEqual(['', 'bytes=131072-']);
  });
});
