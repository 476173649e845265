/**
 * A dump posted on several sites is one stored file (sha256) read once, and every post that links it gets its match
 * records and alerts: the posts known when it is read from that one reading, the posts that link it later from the
 * findings already recorded (no second extraction). Real matcher, outbox, onion harness and database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import type { AppContext } from '../../src/app/context.ts';
import { createLeakPipeline, type LeakPipeline } from '../../src/app/leak-pipeline.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ExtractOutcome } from '../../src/documents/extract-stored.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { listDocuments } from '../../src/store/documents.repository.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { upsertPosts } from '../../src/store/posts.repository.ts';
import { alerts, documents, matches, postDocuments } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { uniqueId } from '../store/fixtures.ts';
import { apacheIndex, fileRoute } from '../support/documents/file-routes.ts';
import { pipelineHarness, seedPost } from '../support/documents/pipeline-harness.ts';
import { fixtureSite, type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const SECRET = 'shared-document-secret-key-0123456789abcdef';
const PEOPLE = ['claire.morel@orange.fr', 'yves.lemaire@free.fr', 'nina.roche@gmail.com'];
const DUMP = Buffer.from(
  `email;password;name\n${PEOPLE.map((email, i) => `${email};Secret${i}!;Person ${i}`).join('\n')}\n${'x@y.example;p;Other\n'.repeat(50)}`,
);

let harness: OnionHarness;
beforeAll(async () => {
  harness = await startOnionHarness();
});
afterAll(() => harness.stop());

describe.each(DRIVERS)('a document linked by several posts, on %s', (driver) => {
  let test: TestDatabase;
  let pipeline: LeakPipeline;
  let orgId: number;
  const extractions: ExtractOutcome[] = [];

  /** Runs document passes until nothing is left; keeps every extraction outcome. */
  async function drain(): Promise<void> {
    for (let pass = 0; pass < 20; pass++) {
      const summary = await pipeline.documents.processPending();
      if (summary.errors.length > 0) throw new Error(summary.errors.join('\n'));
      extractions.push(...summary.extractions);
      if (summary.downloads.length === 0 && summary.extractions.length === 0) return;
    }
    throw new Error('the document queue did not drain');
  }

  async function recordsOf(documentId: number) {
    return test.database.db
      .select()
      .from(matches)
      .where(and(eq(matches.documentId, documentId), eq(matches.orgId, orgId)))
      .orderBy(matches.postId);
  }

  async function alertedPosts(postIds: number[]): Promise<number[]> {
    const rows = await test.database.db
      .select({ postId: alerts.postId })
      .from(alerts)
      .where(and(eq(alerts.orgId, orgId), inArray(alerts.postId, postIds)));
    return [...new Set(rows.map((row) => row.postId as number))].sort((a, b) => a - b);
  }

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    const config = loadConfig({
      env: {
        LEAKWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'lw-shared-')),
        LEAKWATCH_TOR_SOCKS: harness.url,
      },
      cwd: tmpdir(),
    }).config;
    const ctx: AppContext = {
      config,
      sources: {} as AppContext['sources'],
      logger: createLogger({ level: 'silent', format: 'json' }),
      database: test.database,
      secretKey: { material: SECRET, source: 'configuration' },
      close: async () => undefined,
    };
    pipeline = createLeakPipeline(ctx);
    const org = await createOrganisation(test.database.db, { slug: uniqueId('org'), name: 'Morel Santé' });
    orgId = org.id;
    await importIdentifiers(test.database.db, pipeline.match.hasher, {
      orgId,
      fileName: 'people.csv',
      input: Readable.from([`email\n${PEOPLE.join('\n')}\n`]),
    });
    await addChannel(test.database.db, SECRET, { orgId, name: 'soc', type: 'console' });
  });
  afterAll(async () => {
    pipeline?.close();
    await test?.close();
  });

  it('records matches and alerts for both posts of a dump posted on two sites, from one extraction; a third post later gets them without a second', async () => {
    const hostA = harness.serve(fixtureSite({ '/files/dump.csv': fileRoute(DUMP).route }));
    const hostB = harness.serve(fixtureSite({ '/leak/copie.csv': fileRoute(DUMP).route }));
    const postA = await seedPost(test.database.db, uniqueId('site-a'), hostA, [
      `http://${hostA}/files/dump.csv`,
    ]);
    const postB = await seedPost(test.database.db, uniqueId('site-b'), hostB, [
      `http://${hostB}/leak/copie.csv`,
    ]);
    await drain();
    const [document] = await listDocuments(test.database.db, { postId: postA });
    const id = document?.id as number;
    expect(document).toMatchObject({ status: 'extracted' });
    expect(document?.sources.map((source) => source.postId)).toEqual([postA, postB]);
    expect(extractions.filter((outcome) => outcome.id === id)).toHaveLength(1);

    const records = await recordsOf(id);
    expect(records.map((record) => record.postId)).toEqual([postA, postB]);
    for (const record of records)
      expect(record).toMatchObject({
        identifierCounts: { email: 3 },
        verdict: { recordsMatched: 3, recordsTotal: 53 },
        severity: 'high',
      });
    // One post is recorded as repeating the other (whichever download finished first was read first): one incident,
    // and each post has its own alert.
    const copies = records.map((record) => record.details.nearDuplicateOf as { postId: number } | null);
    expect(copies.filter(Boolean)).toEqual([
      expect.objectContaining({ documentId: id, exact: true, postId: copies[0] ? postB : postA }),
    ]);
    expect(records[1]?.incidentId).toBe(records[0]?.incidentId);
    expect(await alertedPosts([postA, postB])).toEqual([postA, postB]);

    // Reading the queue again changes nothing: no new extraction, record or alert.
    const alertsBefore = (await test.database.db.select().from(alerts).where(eq(alerts.orgId, orgId))).length;
    await drain();
    expect(extractions.filter((outcome) => outcome.id === id)).toHaveLength(1);
    expect((await test.database.db.select().from(alerts).where(eq(alerts.orgId, orgId))).length).toBe(
      alertsBefore,
    );

    // Posted again on a third site after it was read: downloaded (only the bytes tell it is the same file), merged,
    // and matched for the new post from what was already found.
    const hostC = harness.serve(fixtureSite({ '/again.csv': fileRoute(DUMP).route }));
    const postC = await seedPost(test.database.db, uniqueId('site-c'), hostC, [`http://${hostC}/again.csv`]);
    await drain();
    const [again] = await listDocuments(test.database.db, { postId: postC });
    expect(again).toMatchObject({ id, status: 'extracted' });
    expect(extractions.filter((outcome) => outcome.id === id)).toHaveLength(1);
    const all = await recordsOf(id);
    expect(all.map((record) => record.postId)).toEqual([postA, postB, postC]);
    expect(all[2]).toMatchObject({
      identifierCounts: { email: 3 },
      severity: 'high',
      incidentId: records[0]?.incidentId,
      maskedSamples: records[0]?.maskedSamples,
    });
    expect(all[2]?.details.nearDuplicateOf).toMatchObject({ exact: true, documentId: id });
    expect(await alertedPosts([postA, postB, postC])).toEqual([postA, postB, postC]);
  });

  it('a directory listing linked by a second post links its files, already read, to that post without reading them again', async () => {
    const host = harness.serve(
      fixtureSite({
        '/share/': { body: apacheIndex('/share/', ['people.csv', 'more/']) },
        '/share/people.csv': fileRoute(Buffer.from(`email\n${PEOPLE[1]}\n`)).route,
        '/share/more/': { body: apacheIndex('/share/more/', ['notes.txt']) },
        '/share/more/notes.txt': {
          body: `contact: ${PEOPLE[0]}\n`,
          contentType: 'text/plain',
        },
      }),
    );
    const siteId = uniqueId('listing');
    const first = await seedPost(test.database.db, siteId, host, [`http://${host}/share/`], 'First post');
    await drain();
    const files = await listDocuments(test.database.db, { postId: first });
    const notes = files.find((file) => file.name === 'notes.txt');
    expect(notes).toMatchObject({ status: 'extracted' });
    const readBefore = extractions.length;

    // The same group announces the same file server in a second post.
    const [post] = await upsertPosts(test.database.db, [
      { siteId, stableKey: `http://${host}/post/2`, title: 'Second post', url: `http://${host}/post/2` },
    ]);
    const second = post?.post.id as number;
    const [pending] = await test.database.db
      .insert(documents)
      .values({ name: 'share', status: 'pending' })
      .returning({ id: documents.id });
    await test.database.db.insert(postDocuments).values({
      postId: second,
      documentId: pending?.id as number,
      sourceUrl: `http://${host}/share/`,
      fileName: 'share',
    });
    expect(second).not.toBe(first);
    await drain();
    expect(extractions.length).toBe(readBefore);
    const linked = await listDocuments(test.database.db, { postId: second });
    expect(linked.map((file) => file.name).sort()).toEqual(['more', 'notes.txt', 'people.csv', 'share']);
    const notesRecords = await recordsOf(notes?.id as number);
    expect(notesRecords.map((record) => record.postId).sort((a, b) => a - b)).toEqual(
      [first, second].sort((a, b) => a - b),
    );
  });
});

describe.each(DRIVERS)('posts linking a document already read, on %s', (driver) => {
  let test: TestDatabase;
  let agents: SocksAgentPool;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    agents = new SocksAgentPool(harness.url, 30_000);
  });
  afterAll(async () => {
    agents?.close();
    await test?.close();
  });

  it('hands them to the consumer without reading the file, and reads it again when the consumer cannot record them', async () => {
    const run = pipelineHarness(test.database.db, agents);
    const linked: number[][] = [];
    let failing = false;
    const capturing = run.consumer;
    run.deps.consumer = {
      consume: (document, records) => capturing.consume(document, records),
      linked: async (document) => {
        if (failing) throw new Error('the database went away');
        linked.push(document.sources.map((source) => source.postId));
        return true;
      },
    };
    const bytes = Buffer.from(`id;value\n${'1;a\n'.repeat(40)}${uniqueId('row')};b\n`);
    const post = async () => {
      const host = harness.serve(fixtureSite({ '/f.csv': fileRoute(bytes).route }));
      return seedPost(test.database.db, uniqueId('site'), host, [`http://${host}/f.csv`]);
    };
    const first = await post();
    await run.drain();
    const [document] = await listDocuments(test.database.db, { postId: first });
    const id = document?.id as number;
    expect(capturing.calls.get(id)).toEqual([[first]]);

    const second = await post();
    await run.drain();
    expect(capturing.calls.get(id)).toEqual([[first]]);
    expect(linked).toEqual([[first, second]]);

    failing = true;
    const third = await post();
    await run.drain();
    expect(capturing.calls.get(id)).toEqual([[first], [first, second, third]]);
    const [after] = await listDocuments(test.database.db, { postId: third });
    expect(after).toMatchObject({ id, status: 'extracted' });
  });
});
