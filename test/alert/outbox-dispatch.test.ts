import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addChannel, listChannels } from '../../src/alert/channel-store.ts';
import { claimDue, DEFAULT_DISPATCH, type DispatchOptions, dispatchDue } from '../../src/alert/dispatcher.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { importIdentifiers } from '../../src/match/import/import-identifiers.ts';
import { type MatchDeps, matchDocument, matchPost } from '../../src/match/match-service.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alertAttempts, alerts, channels } from '../../src/store/schema/index.ts';
import {
  CAPTURED_COLUMNS,
  createDocument,
  createPost,
  csvRecords,
  dumpDatabase,
  leakedProbes,
  plaintextProbes,
  SECRET,
  testDeps,
} from '../match/support.ts';
import { uniqueId } from '../store/fixtures.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const PEOPLE = [
  ['jean.dupont@orange.fr', '06 12 34 56 78', 'DUPONT', 'Hélène', '12/03/1980'],
  ['paul.martin@free.fr', '06 98 76 54 32', 'Martin', 'Paul', '01/01/1975'],
  ['lea.bernard@gmail.com', '07 61 22 33 44', 'Bernard', 'Léa', '24/12/1990'],
];
const TOKEN = 'mock-webhook-token-Zq7Rk2';

function csv(rows: string[][]): Readable {
  return Readable.from([
    `Email;Téléphone;Nom;Prénom;Date de naissance\n${rows.map((r) => r.join(';')).join('\n')}\n`,
  ]);
}

describe.each(DRIVERS)('alert outbox and dispatcher on %s', (driver) => {
  let testDb: TestDatabase;
  let deps: MatchDeps;
  let logs: () => string;
  let discord: MockDiscord;
  let orgId: number;
  let channelId: number;
  let db: Db;
  const outbox = alertOutbox({ publicUrl: 'http://leakwatch.test:8080/' });
  const options = (over: Partial<DispatchOptions> = {}): DispatchOptions => ({
    ...DEFAULT_DISPATCH,
    material: SECRET,
    timeoutMs: 30_000,
    apiBase: { discord: discord.api },
    ...over,
  });

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
    ({ deps, logs } = testDeps(testDb.database));
    discord = await startMockDiscord();
    const org = await createOrganisation(db, {
      slug: uniqueId('lab'),
      name: 'Laboratoire Azur Analytics',
      domains: ['labo-azur.fr'],
      terms: [
        { kind: 'phrase', pattern: 'Azur Analytics' },
        { kind: 'domain', pattern: 'labo-azur.fr' },
      ],
    });
    orgId = org.id;
    await importIdentifiers(db, deps.hasher, { orgId, fileName: 'people.csv', input: csv(PEOPLE) });
    channelId = await addChannel(db, SECRET, {
      orgId,
      name: 'soc-discord',
      type: 'discord',
      settings: { samples: true },
      secret: { url: `https://discord.com/api/webhooks/123456789/${TOKEN}` },
    });
  });
  afterAll(async () => {
    await discord?.close();
    await testDb?.close();
  });
  beforeEach(async () => {
    // Each test starts with an empty outbox and a fresh mock script.
    await db.delete(alerts);
    discord.requests.length = 0;
    discord.setFallback({ kind: 'ok' });
  });

  async function termPost(title = 'Azur Analytics') {
    return createPost(db, { title, bodyText: 'All files of azur analytics will be published. labo-azur.fr' });
  }

  it('writes one alert per (org, post, kind) across ten re-crawls, and delivers it once with the facts', async () => {
    const post = await termPost();
    for (let i = 0; i < 10; i++) await matchPost(deps, post.id, { onMatches: outbox });
    const rows = await db.select().from(alerts).where(eq(alerts.postId, post.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'pending', orgId, channelId, parentAlertId: null, kind: 'match' });

    const report = await dispatchDue(db, options());
    expect(report).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(await dispatchDue(db, options())).toEqual({ delivered: 0, retried: 0, failed: 0 });
    const sent = discord.delivered();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.webhookId).toBe('123456789');
    expect(sent[0]?.query.get('wait')).toBe('true');
    const embed = sent[0]?.body.embeds[0];
    expect(embed.title).toContain('Laboratoire Azur Analytics');
    expect(embed.color).toBe(0xf1c40f); // medium
    expect(embed.url).toBe(`http://leakwatch.test:8080/posts/${post.id}`);
    const fields = Object.fromEntries(
      embed.fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields.Organisation).toBe('Laboratoire Azur Analytics');
    expect(fields['Terms matched (2)']).toContain('Azur Analytics ×2');
    expect(fields['GDPR art. 33 (72 h)']).toMatch(/<t:\d+:f>/);
    expect(fields['First seen']).toMatch(/<t:\d+:f>/);
    const [stored] = await db.select().from(alerts).where(eq(alerts.postId, post.id));
    expect(stored).toMatchObject({ state: 'delivered', attempts: 1, externalId: expect.any(String) });
    expect(await db.$count(alertAttempts, eq(alertAttempts.alertId, stored?.id as number))).toBe(1);
  });

  it('sends a follow-up referencing the first alert when a file of the post matches, and nothing when unchanged', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    const documentId = await createDocument(db, post.id, 'clients.csv');
    const rows = [
      ['  JEAN.DUPONT@ORANGE.FR  ', 'Sup3r!pass'],
      [' Paul.Martin@Free.FR', 'azerty12'],
      ['someone.else@example.com', 'x1!'],
    ];
    const records = () => csvRecords('clients.csv', ['E-mail', 'Password'], rows);
    for (let i = 0; i < 3; i++)
      await matchDocument(deps, { postId: post.id, documentId, records: records() }, { onMatches: outbox });
    const list = await db.select().from(alerts).where(eq(alerts.postId, post.id)).orderBy(alerts.id);
    expect(list).toHaveLength(2);
    expect(list[1]?.parentAlertId).toBe(list[0]?.id);
    expect(list[1]?.severity).toBe('high');
    await dispatchDue(db, options());
    const sent = discord.delivered();
    expect(sent).toHaveLength(2);
    const followUp = sent[1]?.body.embeds[0];
    expect(followUp.description).toBe(`Follow-up to alert #${list[0]?.id}: a new file of the post matches`);
    const fields = Object.fromEntries(
      followUp.fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields['Registered identifiers found']).toBe('email: 2');
    expect(fields['Dump verdict']).toBe('2 of 3 records belong to registered people');
    expect(fields['Masked samples']).toContain(String.raw`j\*\*\*.d\*\*\*@orange.fr`);
    expect(fields.File).toBe('clients.csv');
  });

  it('routes by organisation and minimum severity', async () => {
    const strict = await addChannel(db, SECRET, {
      orgId,
      name: 'critical-only',
      type: 'console',
      minSeverity: 'critical',
    });
    try {
      const post = await termPost();
      await matchPost(deps, post.id, { onMatches: outbox });
      const rows = await db.select().from(alerts).where(eq(alerts.postId, post.id));
      expect(rows.map((r) => r.channelId)).toEqual([channelId]);
    } finally {
      await db.delete(channels).where(eq(channels.id, strict));
    }
  });

  it('honours a short 429 inside discord.js and defers a long one to the outbox', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    discord.script({ kind: 'rate_limit', retryAfterSeconds: 0.05 });
    expect(await dispatchDue(db, options())).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(discord.requests.map((r) => r.answered)).toEqual(['rate_limit', 'ok']);

    const second = await termPost('Azur Analytics again');
    await matchPost(deps, second.id, { onMatches: outbox });
    discord.script({ kind: 'rate_limit', retryAfterSeconds: 120 });
    const now = new Date();
    expect(await dispatchDue(db, options({ now: () => now }))).toEqual({
      delivered: 0,
      retried: 1,
      failed: 0,
    });
    const [row] = await db.select().from(alerts).where(eq(alerts.postId, second.id));
    expect(row?.state).toBe('pending');
    expect(row?.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(now.getTime() + 100_000);
    expect(await dispatchDue(db, options({ now: () => new Date(now.getTime() + 60_000) }))).toEqual({
      delivered: 0,
      retried: 0,
      failed: 0,
    });
    expect(await dispatchDue(db, options({ now: () => new Date(now.getTime() + 130_000) }))).toMatchObject({
      delivered: 1,
    });
  });

  it('waits out a 10-minute outage (simulated clock) and then delivers every alert exactly once', async () => {
    const created: number[] = [];
    for (let i = 0; i < 3; i++) {
      const post = await termPost(`Azur Analytics part ${i}`);
      await matchPost(deps, post.id, { onMatches: outbox });
      created.push(post.id);
    }
    discord.setFallback({ kind: 'error', status: 503 });
    const start = Date.now();
    let t = start;
    const opts = (now: number) =>
      options({ now: () => new Date(now), baseDelayMs: 5_000, maxDelayMs: 120_000 });
    while (t < start + 10 * 60_000) {
      const r = await dispatchDue(db, opts(t));
      expect(r.delivered).toBe(0);
      expect(r.failed).toBe(0);
      t += 15_000;
    }
    const during = await db.select().from(alerts);
    expect(during.every((a) => a.state === 'pending' && a.attempts > 3)).toBe(true);
    discord.setFallback({ kind: 'ok' });
    t += 200_000;
    expect(await dispatchDue(db, opts(t))).toEqual({ delivered: 3, retried: 0, failed: 0 });
    expect(await dispatchDue(db, opts(t + 1_000_000))).toEqual({ delivered: 0, retried: 0, failed: 0 });
    const titles = discord.delivered().map((r) => r.body.embeds[0].title);
    expect(titles.sort()).toEqual(created.map((_, i) => expect.stringContaining(`part ${i}`)));
    expect(new Set(discord.delivered().map((r) => r.body.embeds[0].footer.text)).size).toBe(3);
    const attempts = await db.select().from(alertAttempts);
    expect(attempts.filter((a) => a.outcome === 'retry' && a.statusCode === 503).length).toBeGreaterThan(9);
  });

  it('gives up at the horizon with the reason', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    discord.setFallback({ kind: 'error', status: 502 });
    const now = Date.now();
    const opts = options({ horizonMs: 60_000, baseDelayMs: 40_000 });
    expect(await dispatchDue(db, { ...opts, now: () => new Date(now) })).toMatchObject({ retried: 1 });
    expect(await dispatchDue(db, { ...opts, now: () => new Date(now + 50_000) })).toMatchObject({
      failed: 1,
    });
    const [row] = await db.select().from(alerts).where(eq(alerts.postId, post.id));
    expect(row?.state).toBe('failed');
    expect(row?.lastError).toMatch(/retry horizon reached\): HTTP 502/);
  });

  it('marks a 404 webhook failed with the reason, without retrying', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    discord.setFallback({ kind: 'not_found' });
    expect(await dispatchDue(db, options())).toEqual({ delivered: 0, retried: 0, failed: 1 });
    const [row] = await db.select().from(alerts).where(eq(alerts.postId, post.id));
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(row?.lastError).toContain('HTTP 404: Unknown Webhook');
    expect(row?.lastError).not.toContain(TOKEN);
    expect(await dispatchDue(db, options({ now: () => new Date(Date.now() + 86_400_000) }))).toEqual({
      delivered: 0,
      retried: 0,
      failed: 0,
    });
    expect(discord.requests).toHaveLength(1);
  });

  it('retries a hung request after its timeout', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    discord.script({ kind: 'hang' });
    expect(await dispatchDue(db, options({ timeoutMs: 300 }))).toEqual({
      delivered: 0,
      retried: 1,
      failed: 0,
    });
    const [row] = await db.select().from(alerts).where(eq(alerts.postId, post.id));
    expect(row?.lastError).toMatch(/network error/);
    expect(await dispatchDue(db, options({ now: () => new Date(Date.now() + 60_000) }))).toMatchObject({
      delivered: 1,
    });
  });

  it('loses nothing when the worker is killed between claiming and recording: a restarted dispatcher delivers', async () => {
    const post = await termPost();
    await matchPost(deps, post.id, { onMatches: outbox });
    const now = Date.now();
    // The killed worker claimed the alert and died before sending or recording anything.
    expect(await claimDue(db, new Date(now), options())).toHaveLength(1);
    // A new dispatcher on the same database: the lease still holds, then runs out.
    expect(await dispatchDue(db, options({ now: () => new Date(now + 1_000) }))).toMatchObject({
      delivered: 0,
    });
    expect(
      await dispatchDue(db, options({ now: () => new Date(now + DEFAULT_DISPATCH.leaseMs + 1_000) })),
    ).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect(discord.delivered()).toHaveLength(1);
  });

  it('keeps the webhook token encrypted and no registered identifier in any payload, row or log', async () => {
    // The title and the file name themselves hold registered identifiers, as teaser posts do.
    const post = await termPost('Azur Analytics — jean.dupont@orange.fr');
    const masking = alertOutbox({ publicUrl: 'http://leakwatch.test:8080/', phoneRegions: ['FR'] });
    await matchPost(deps, post.id, { onMatches: masking });
    const fileName = 'dump_paul.martin@free.fr_0698765432.csv';
    const documentId = await createDocument(db, post.id, fileName);
    const rows = PEOPLE.map((p) => [p[0] as string, p[1] as string, `${p[3]} ${p[2]}`, p[4] as string]);
    await matchDocument(
      deps,
      {
        postId: post.id,
        documentId,
        records: csvRecords(fileName, ['mail', 'tel', 'nom', 'naissance'], rows),
      },
      { onMatches: masking },
    );
    await dispatchDue(db, options());
    expect(discord.delivered().length).toBeGreaterThanOrEqual(2);
    // E-mails, phones (as written and E.164), full names and birth dates (both spellings).
    const probes = plaintextProbes(
      PEOPLE.flatMap(([mail, phone, last, first, born]) => [
        mail as string,
        phone as string,
        `+33${(phone as string).replace(/\s/g, '').slice(1)}`,
        `${first} ${last}`,
        `${last} ${first}`,
        born as string,
        (born as string).split('/').reverse().join('-'),
      ]),
    );
    const payloads = discord.requests.map((r) => r.raw).join('\n');
    expect(payloads).toContain('m\\\\*\\\\*\\\\*@free.fr'); // the file name is there, masked
    expect(leakedProbes(payloads, probes)).toEqual([]);
    const stored = await testDb.database.query(`select * from alerts where post_id = ${post.id}`);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(leakedProbes(JSON.stringify(stored), probes)).toEqual([]);
    const dump = await dumpDatabase(testDb.database, CAPTURED_COLUMNS);
    expect(leakedProbes(dump, probes)).toEqual([]);
    expect(leakedProbes(logs(), probes)).toEqual([]);
    expect(dump).not.toContain(TOKEN);
    expect(logs()).not.toContain(TOKEN);
    const listed = await listChannels(db);
    expect(JSON.stringify(listed)).not.toContain(TOKEN);
    expect(listed.find((c) => c.id === channelId)?.hasSecret).toBe(true);
  });

  it('refuses a channel whose secret or settings are invalid', async () => {
    await expect(
      addChannel(db, SECRET, {
        orgId,
        name: 'x',
        type: 'discord',
        secret: { url: 'https://example.com/hook' },
      }),
    ).rejects.toThrow(/invalid discord secret/);
    await expect(
      addChannel(db, SECRET, {
        orgId,
        name: 'x',
        type: 'discord',
        settings: { colour: 1 },
        secret: { id: '1', token: 't' },
      }),
    ).rejects.toThrow(/invalid discord settings/);
    await expect(addChannel(db, SECRET, { orgId, name: 'x', type: 'pager' })).rejects.toThrow(
      /unknown channel type/,
    );
  });
});
