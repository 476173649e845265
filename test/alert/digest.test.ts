/** The daily digest, with an injected clock: low-severity alerts are held and go out once a day as one message. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { nextDigestAt } from '../../src/alert/digest.ts';
import { DEFAULT_DISPATCH, type DispatchOptions, dispatchDue } from '../../src/alert/dispatcher.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { type MatchDeps, matchPost } from '../../src/match/match-service.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts, channels } from '../../src/store/schema/index.ts';
import { createPost, SECRET, testDeps } from '../match/support.ts';
import { uniqueId } from '../store/fixtures.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe('nextDigestAt', () => {
  it('finds the next digest hour in the zone, across midnight and a change of summer time', () => {
    const utc = { hour: 8, timeZone: 'UTC' };
    expect(nextDigestAt(new Date('2026-03-10T07:59:00Z'), utc).toISOString()).toBe(
      '2026-03-10T08:00:00.000Z',
    );
    expect(nextDigestAt(new Date('2026-03-10T08:00:00Z'), utc).toISOString()).toBe(
      '2026-03-11T08:00:00.000Z',
    );
    const paris = { hour: 8, timeZone: 'Europe/Paris' };
    expect(nextDigestAt(new Date('2026-01-15T12:00:00Z'), paris).toISOString()).toBe(
      '2026-01-16T07:00:00.000Z',
    );
    // Summer time starts on 29 March 2026 at 02:00 in Paris: 08:00 is then 06:00 UTC.
    expect(nextDigestAt(new Date('2026-03-28T12:00:00Z'), paris).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    );
    const auckland = { hour: 0, timeZone: 'Pacific/Auckland' };
    expect(nextDigestAt(new Date('2026-06-30T13:00:00Z'), auckland).toISOString()).toBe(
      '2026-07-01T12:00:00.000Z',
    );
  });
});

describe.each(DRIVERS)('daily digest on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;
  let deps: MatchDeps;
  let discord: MockDiscord;
  let digestChannel: number;
  let immediate: number;
  const outbox = alertOutbox({ publicUrl: 'http://lw.test/' });
  const at = (now: Date): DispatchOptions => ({
    ...DEFAULT_DISPATCH,
    material: SECRET,
    timeoutMs: 30_000,
    apiBase: { discord: discord.api },
    digest: { hour: 9, timeZone: 'Europe/Paris' },
    now: () => now,
  });

  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
    ({ deps } = testDeps(testDb.database));
    discord = await startMockDiscord();
    const org = await createOrganisation(db, {
      slug: uniqueId('org'),
      name: 'Osprey Clinics',
      terms: [
        { kind: 'keyword', pattern: 'ospreyx' },
        { kind: 'phrase', pattern: 'Osprey Clinics' },
      ],
    });
    digestChannel = await addChannel(db, SECRET, {
      orgId: org.id,
      name: 'soc',
      type: 'discord',
      secret: { id: '9001', token: 'digest-token' },
    });
    immediate = await addChannel(db, SECRET, {
      orgId: org.id,
      name: 'pager',
      type: 'discord',
      settings: { digest: false },
      secret: { id: '9002', token: 'pager-token' },
    });
  });
  afterAll(async () => {
    await discord?.close();
    await testDb?.close();
  });
  beforeEach(async () => {
    await db.delete(alerts);
    discord.requests.length = 0;
  });

  it('holds low-severity alerts until the digest hour and sends them as one message per channel, once', async () => {
    for (const word of ['one', 'two', 'three'])
      await matchPost(deps, (await createPost(db, { title: `ospreyx ${word}` })).id, { onMatches: outbox });
    const named = await createPost(db, { title: 'Osprey Clinics data for sale' });
    await matchPost(deps, named.id, { onMatches: outbox });
    const rows = await db.select().from(alerts);
    expect(rows.filter((r) => r.severity === 'low')).toHaveLength(6);
    expect(rows.filter((r) => r.digest).map((r) => r.channelId)).toEqual([
      digestChannel,
      digestChannel,
      digestChannel,
    ]);

    // Now: the medium alert (both channels) and the pager's low ones go; the digest waits for 09:00 in Paris.
    const now = new Date(Date.now() + 1000);
    const nine = nextDigestAt(now, { hour: 9, timeZone: 'Europe/Paris' }).getTime();
    expect(await dispatchDue(db, at(now))).toEqual({ delivered: 5, retried: 0, failed: 0 });
    expect(discord.delivered().filter((r) => r.webhookId === '9001')).toHaveLength(1);
    const held = await db.select().from(alerts).where(eq(alerts.digest, true));
    expect(held.map((r) => [r.state, r.nextAttemptAt?.getTime()])).toEqual(held.map(() => ['pending', nine]));
    expect(await dispatchDue(db, at(new Date(nine - 1000)))).toEqual({ delivered: 0, retried: 0, failed: 0 });

    // At 09:00: one message with the three, then nothing more the next day.
    discord.requests.length = 0;
    expect(await dispatchDue(db, at(new Date(nine + 5000)))).toEqual({ delivered: 3, retried: 0, failed: 0 });
    expect(await dispatchDue(db, at(new Date(nine + 86_400_000)))).toEqual({
      delivered: 0,
      retried: 0,
      failed: 0,
    });
    const sent = discord.delivered();
    expect(sent).toHaveLength(1);
    const embed = sent[0]?.body.embeds[0];
    expect(embed.title).toBe('Daily digest: 3 low-severity alerts');
    for (const word of ['one', 'two', 'three']) expect(embed.description).toContain(`"ospreyx ${word}"`);
    expect(embed.footer.text).toMatch(/^leakwatch digest of alerts #\d+–#\d+$/);
    expect((await db.select().from(alerts).where(eq(alerts.digest, true))).map((r) => r.state)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
  });

  it('retries a failed digest as one message, and keeps the digest off for channels that turned it off', async () => {
    await matchPost(deps, (await createPost(db, { title: 'ospreyx four' })).id, { onMatches: outbox });
    await matchPost(deps, (await createPost(db, { title: 'ospreyx five' })).id, { onMatches: outbox });
    const now = new Date(Date.now() + 1000);
    const nine = nextDigestAt(now, { hour: 9, timeZone: 'Europe/Paris' }).getTime();
    expect(await dispatchDue(db, at(now))).toMatchObject({ delivered: 2 });
    discord.requests.length = 0;
    discord.script({ kind: 'error', status: 503 });
    expect(await dispatchDue(db, at(new Date(nine)))).toEqual({ delivered: 0, retried: 2, failed: 0 });
    expect(await dispatchDue(db, at(new Date(nine + 600_000)))).toEqual({
      delivered: 2,
      retried: 0,
      failed: 0,
    });
    expect(discord.requests.map((r) => r.answered)).toEqual(['error', 'ok']);
    expect(discord.delivered()[0]?.body.embeds[0].title).toBe('Daily digest: 2 low-severity alerts');
    const [pager] = await db.select().from(channels).where(eq(channels.id, immediate));
    expect(pager?.settings).toMatchObject({ digest: false });
    expect(await db.$count(alerts, eq(alerts.channelId, immediate))).toBe(2);
  });
});
