/**
 * Alerts written by real crawls through the onion harness, on both drivers: the analysts' channel hears of a new
 * site, new posts (when it asks), a broken layout, an outage longer than the threshold and the recovery — each once,
 * however many re-crawls see it — and a matched post's countdown ending or new files become follow-ups.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/alert/channel-store.ts';
import { DEFAULT_DISPATCH, dispatchDue } from '../../src/alert/dispatcher.ts';
import { addMute } from '../../src/alert/mutes.ts';
import { alertOutbox } from '../../src/alert/outbox.ts';
import { type CrawlerDeps, crawlSite } from '../../src/crawl/crawl-site.ts';
import { HttpFetcher } from '../../src/fetch/http-fetcher.ts';
import { matchPost } from '../../src/match/match-service.ts';
import type { Db } from '../../src/store/db.ts';
import { createOrganisation } from '../../src/store/organisations.repository.ts';
import { alerts, posts } from '../../src/store/schema/index.ts';
import { SocksAgentPool } from '../../src/tor/socks-agent.ts';
import { SECRET, testDeps } from '../match/support.ts';
import { uniqueId } from '../store/fixtures.ts';
import { testCrawlerDeps } from '../support/crawler-deps.ts';
import {
  type FixturePost,
  fixtureDefinition,
  makePosts,
  publish,
  serveLeakSite,
} from '../support/leak-site-fixture.ts';
import { type MockDiscord, startMockDiscord } from '../support/mock-discord.ts';
import { type OnionHarness, startOnionHarness } from '../support/onion-harness/index.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';

const HOUR = 3_600_000;

let harness: OnionHarness;
let agents: SocksAgentPool;
let discord: MockDiscord;
beforeAll(async () => {
  harness = await startOnionHarness();
  agents = new SocksAgentPool(harness.url, 30_000);
  discord = await startMockDiscord();
});
afterAll(async () => {
  agents.close();
  await harness.stop();
  await discord.close();
});

describe.each(DRIVERS)('alerts from crawls on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Db;
  let clockAt = Date.now();
  let deps: CrawlerDeps;
  let watcher: number;
  let quiet: number;
  beforeAll(async () => {
    testDb = await openTestDatabase(driver);
    db = testDb.database.db;
    deps = testCrawlerDeps(
      db,
      { http: new HttpFetcher(agents) },
      { settings: { siteDownAlertMs: 2 * HOUR }, clock: () => new Date(clockAt) },
    );
    await db.delete(alerts);
    watcher = await addChannel(db, SECRET, {
      orgId: null,
      name: uniqueId('analysts'),
      type: 'discord',
      settings: { newPosts: true, digest: false },
      secret: { id: '4242', token: 'analysts-token' },
    });
    quiet = await addChannel(db, SECRET, {
      orgId: null,
      name: uniqueId('analysts-quiet'),
      type: 'console',
      settings: { digest: false },
    });
  });
  afterAll(() => testDb?.close());

  const kindsOn = async (channelId: number) =>
    (await db.select().from(alerts).where(eq(alerts.channelId, channelId)).orderBy(asc(alerts.id))).map(
      (a) => a.kind,
    );

  it('tells the analysts of a new site, new posts, a broken layout, an outage and the recovery, once each', async () => {
    const listed = makePosts(3);
    const fixture = serveLeakSite(listed, 1);
    const host = harness.serve(fixture);
    const site = fixtureDefinition(uniqueId(`alerts-${driver}`), [host]);

    expect((await crawlSite(deps, site, 'manual')).baseline).toBe(true);
    await crawlSite(deps, site, 'schedule');
    expect(await kindsOn(watcher)).toEqual(['site_new']);
    expect(await kindsOn(quiet)).toEqual(['site_new']);

    publish(
      fixture,
      [...listed, { slug: 'victim-9', title: 'Azur Labs', status: 'countdown', date: '2026-05-01' }],
      1,
    );
    for (let i = 0; i < 3; i++) await crawlSite(deps, site, 'schedule');
    expect(await kindsOn(watcher)).toEqual(['site_new', 'new_post']);
    expect(await kindsOn(quiet)).toEqual(['site_new']);

    // The layout changes: one alert however many runs see it, then "back up" once when it reads again.
    const routes = new Map(fixture.routes);
    fixture.routes.set('/', { body: '<html><body><p>maintenance</p></body></html>' });
    for (let i = 0; i < 3; i++)
      expect((await crawlSite(deps, site, 'schedule')).status).toBe('layout_broken');
    fixture.routes.clear();
    for (const [path, route] of routes) fixture.routes.set(path, route);
    for (let i = 0; i < 2; i++) expect((await crawlSite(deps, site, 'schedule')).status).toBe('succeeded');
    expect(await kindsOn(quiet)).toEqual(['site_new', 'site_layout_broken', 'site_up']);

    // An outage: nothing before the threshold, one alert after it across ten re-crawls, one "back up".
    harness.faults.set(host, { dead: true });
    try {
      expect((await crawlSite(deps, site, 'schedule')).status).toBe('down');
      clockAt += HOUR;
      await crawlSite(deps, site, 'schedule');
      expect(await kindsOn(quiet)).toEqual(['site_new', 'site_layout_broken', 'site_up']);
      for (let i = 0; i < 10; i++) {
        clockAt += HOUR;
        await crawlSite(deps, site, 'schedule');
      }
    } finally {
      harness.faults.delete(host);
    }
    for (let i = 0; i < 2; i++) await crawlSite(deps, site, 'schedule');
    expect(await kindsOn(quiet)).toEqual([
      'site_new',
      'site_layout_broken',
      'site_up',
      'site_down',
      'site_up',
    ]);
    const [down] = await db
      .select()
      .from(alerts)
      .where(and(eq(alerts.channelId, quiet), eq(alerts.kind, 'site_down')));
    expect(down?.payload.summary).toMatch(/^Unreachable for (1[01]|2) h/);
    expect(down).toMatchObject({ orgId: null, siteId: site.id, severity: 'medium', state: 'pending' });

    // A muted site: its events are still recorded, muted.
    await addMute(db, { kind: 'site', siteId: site.id });
    const siteAlerts = await db.select().from(alerts).where(eq(alerts.siteId, site.id));
    expect(siteAlerts.length > 0 && siteAlerts.every((a) => a.state === 'muted')).toBe(true);

    // Delivered as notices through the real channel code.
    await db.update(alerts).set({ state: 'pending' }).where(eq(alerts.channelId, watcher));
    discord.requests.length = 0;
    await dispatchDue(db, { ...DEFAULT_DISPATCH, material: SECRET, apiBase: { discord: discord.api } });
    const titles = discord.delivered().map((r) => r.body.embeds[0].title as string);
    expect(titles).toEqual([
      `New leak site watched: ${site.group} / ${site.name}`,
      `New post on a leak site: ${site.group} / ${site.name}`,
      `Leak site layout broken: ${site.group} / ${site.name}`,
      `Leak site back up: ${site.group} / ${site.name}`,
      `Leak site down: ${site.group} / ${site.name}`,
      `Leak site back up: ${site.group} / ${site.name}`,
    ]);
    expect(discord.delivered()[1]?.body.embeds[0].fields).toContainEqual(
      expect.objectContaining({ name: 'Post', value: expect.stringContaining('Azur Labs') }),
    );
  });

  it('closes every alerted episode with one "back up": a broken layout, then a short outage, then up', async () => {
    clockAt = Date.now(); // the test above moved the crawl clock half a day ahead of the database's
    const fixture = serveLeakSite(makePosts(2), 1);
    const host = harness.serve(fixture);
    const site = fixtureDefinition(uniqueId(`episodes-${driver}`), [host]);
    await crawlSite(deps, site, 'manual');
    const siteKinds = async () =>
      (
        await db
          .select()
          .from(alerts)
          .where(and(eq(alerts.channelId, quiet), eq(alerts.siteId, site.id)))
          .orderBy(asc(alerts.id))
      ).map((a) => [a.kind, a.payload.summary as string]);

    const routes = new Map(fixture.routes);
    fixture.routes.set('/', { body: '<html><body><p>maintenance</p></body></html>' });
    expect((await crawlSite(deps, site, 'schedule')).status).toBe('layout_broken');
    fixture.routes.clear();
    for (const [path, route] of routes) fixture.routes.set(path, route);
    harness.faults.set(host, { dead: true });
    try {
      expect((await crawlSite(deps, site, 'schedule')).status).toBe('down'); // shorter than siteDownAlertMs: quiet
    } finally {
      harness.faults.delete(host);
    }
    expect((await crawlSite(deps, site, 'schedule')).status).toBe('succeeded');
    const told = await siteKinds();
    expect(told.map(([kind]) => kind)).toEqual(['site_new', 'site_layout_broken', 'site_up']);
    expect(told[2]?.[1]).toMatch(/^Read again \(was layout broken since \S+\)\.$/);
    // Up again later: nothing left open, nothing more to say.
    await crawlSite(deps, site, 'schedule');
    expect((await siteKinds()).length).toBe(3);
  });

  it('sends a follow-up of a match alert when the countdown ends and when files are added, nothing when unchanged', async () => {
    const { deps: match } = testDeps(testDb.database);
    const org = await createOrganisation(db, {
      slug: uniqueId('org'),
      name: 'Kestrel Biomedical',
      terms: [{ kind: 'phrase', pattern: 'Kestrel Biomedical' }],
    });
    const soc = await addChannel(db, SECRET, { orgId: org.id, name: uniqueId('soc'), type: 'console' });
    const listed: FixturePost[] = [
      { slug: 'kestrel', title: 'Kestrel Biomedical', status: 'countdown', date: '2026-04-01' },
      ...makePosts(2),
    ];
    const fixture = serveLeakSite(listed, 1);
    const site = fixtureDefinition(uniqueId(`follow-${driver}`), [harness.serve(fixture)]);
    await crawlSite(deps, site, 'manual');
    const [post] = await db
      .select()
      .from(posts)
      .where(and(eq(posts.siteId, site.id), eq(posts.title, 'Kestrel Biomedical'), isNull(posts.removedAt)));
    await matchPost(match, post?.id as number, { onMatches: alertOutbox({ publicUrl: 'http://lw.test' }) });
    const [root] = await db.select().from(alerts).where(eq(alerts.channelId, soc));
    expect(root).toMatchObject({ kind: 'match', parentAlertId: null, severity: 'medium' });

    for (let i = 0; i < 3; i++) await crawlSite(deps, site, 'schedule');
    expect(await db.$count(alerts, eq(alerts.channelId, soc))).toBe(1);

    // The countdown ends and the files appear (the crawler reads a post page again when the listing shows a change).
    publish(
      fixture,
      [{ ...(listed[0] as FixturePost), status: 'published', files: ['a.csv', 'b.zip'] }, ...listed.slice(1)],
      1,
    );
    for (let i = 0; i < 3; i++) await crawlSite(deps, site, 'schedule');
    const rows = await db.select().from(alerts).where(eq(alerts.channelId, soc)).orderBy(asc(alerts.id));
    expect(
      rows.map((r) => [r.parentAlertId, (r.payload.followUp as { reason?: string } | null)?.reason ?? null]),
    ).toEqual([
      [null, null],
      [root?.id, 'the countdown ended: the data may now be published'],
      [root?.id, '2 new files posted (they are downloaded and matched next)'],
    ]);
    expect((rows[1]?.payload.post as { status: string } | undefined)?.status).toBe('published');
  });
});
