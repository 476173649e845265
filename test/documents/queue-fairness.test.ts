import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPendingDocuments } from '../../src/documents/queue.ts';
import { listDocuments } from '../../src/store/documents.repository.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { fileRoute } from '../support/documents/file-routes.ts';
import { pipelineHarness, seedPost } from '../support/documents/pipeline-harness.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

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
});
