/**
 * Acting on alerts from the UI: acknowledge, resolve and mute through the pages' own forms, over real HTTP to the
 * server listening on 127.0.0.1, on both drivers; and every way a forged or unauthenticated POST is refused without
 * changing anything.
 */
import * as cheerio from 'cheerio';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/store/api-tokens.repository.ts';
import { listAudit } from '../../src/store/audit-log.repository.ts';
import type { Db } from '../../src/store/db.ts';
import { addWatchTerms } from '../../src/store/organisations.repository.ts';
import { alertMutes, alerts, posts } from '../../src/store/schema/index.ts';
import { accessSettings, generateApiToken, hashApiToken } from '../../src/web/access.ts';
import { createSite, uniqueId } from '../store/fixtures.ts';
import { DRIVERS, openTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { type Form, FormClient } from './support/form-client.ts';
import { SECRET, type Seeded, seed, testEvidenceStore, testWebApp } from './support/seed.ts';

/** A new pending alert on the seeded channel and organisation, about a site and (optionally) a post. */
async function addAlert(
  db: Db,
  seeded: Seeded,
  over: { siteId: string; postId?: number | null; payload?: Record<string, unknown> },
) {
  const [template] = await db.select().from(alerts).where(eq(alerts.postId, seeded.hostilePostId));
  if (!template) throw new Error('the seed has no alert');
  const [row] = await db
    .insert(alerts)
    .values({
      channelId: template.channelId,
      orgId: template.orgId,
      siteId: over.siteId,
      postId: over.postId ?? null,
      kind: 'match',
      dedupeKey: uniqueId('dedupe'),
      severity: 'high',
      state: 'pending',
      payload: over.payload ?? {},
    })
    .returning();
  if (!row) throw new Error('no alert');
  return row;
}

async function alertRow(db: Db, id: number) {
  const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
  return row;
}

/** The text of the table row that holds this alert's forms. */
function rowText(body: string, alertId: number): string {
  const $ = cheerio.load(body);
  return $(`form[action^="/alerts/${alertId}/"]`).first().closest('tr').text();
}

const formFor = (forms: Form[], alertId: number, action: string, scope?: string) => {
  const form = forms.find(
    (candidate) =>
      candidate.action === `/alerts/${alertId}/${action}` &&
      (scope === undefined || candidate.fields.scope === scope),
  );
  if (!form) throw new Error(`no ${action} form for alert #${alertId}`);
  return form;
};

describe.each(DRIVERS)('alert actions from the web UI on %s', (driver) => {
  let test: TestDatabase;
  let db: Db;
  let seeded: Seeded;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    test = await openTestDatabase(driver);
    db = test.database.db;
    seeded = await seed(db, testEvidenceStore());
    app = testWebApp(test.database);
    base = new URL(await app.listen({ host: '127.0.0.1', port: 0 })).origin;
  });
  afterAll(async () => {
    await app?.close();
    await test?.close();
  });

  it('acknowledges on /alerts and resolves on the post page, back where the form was, audit-logged as loopback', async () => {
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId, postId: seeded.plainPostId });
    const browser = new FormClient(base);
    const onList = await browser.forms('/alerts?state=pending', /^\/alerts\/\d+\//);
    const acked = await browser.submit(formFor(onList, alert.id, 'acknowledge'));
    expect(acked.status).toBe(303);
    expect(acked.location).toBe('/alerts?state=pending');
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('acknowledged');
    // The page shows it, and no longer offers to acknowledge it.
    expect(rowText((await browser.get('/alerts?state=pending')).body, alert.id)).toContain('acknowledged');
    const onPost = await browser.forms(`/posts/${seeded.plainPostId}`, /^\/alerts\//);
    expect(onPost.map((form) => form.action)).not.toContain(`/alerts/${alert.id}/acknowledge`);

    const resolved = await browser.submit(formFor(onPost, alert.id, 'resolve'));
    expect(resolved.status).toBe(303);
    expect(resolved.location).toBe(`/posts/${seeded.plainPostId}`);
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('resolved');
    expect(rowText((await browser.get(`/posts/${seeded.plainPostId}`)).body, alert.id)).toContain('resolved');
    const audit = await listAudit(db, { targetType: 'alert', targetId: alert.id });
    expect(audit.map((entry) => [entry.actor, entry.action, entry.details])).toEqual([
      ['loopback', 'alert.resolve', { from: 'acknowledged', to: 'resolved' }],
      ['loopback', 'alert.acknowledge', { from: 'open', to: 'acknowledged' }],
    ]);
  });

  it('accepts a form served by another web process of the same deployment (several behind a load balancer)', async () => {
    const other = testWebApp(test.database);
    const otherBase = new URL(await other.listen({ host: '127.0.0.1', port: 0 })).origin;
    try {
      const alert = await addAlert(db, seeded, { siteId: seeded.siteId });
      const browser = new FormClient(base);
      const form = formFor(await browser.forms('/alerts', /^\/alerts\//), alert.id, 'acknowledge');
      // The same browser (same cookie) whose next request the balancer sends to the other process.
      const elsewhere = new FormClient(otherBase);
      for (const [name, value] of browser.cookies) elsewhere.cookies.set(name, value);
      expect((await elsewhere.submit(form)).status).toBe(303);
      expect((await alertRow(db, alert.id))?.lifecycle).toBe('acknowledged');
    } finally {
      await other.close();
    }
  });

  it('refuses with 403 a POST without the form token, with a wrong one, or from another origin, and changes nothing', async () => {
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId });
    const browser = new FormClient(base);
    const form = formFor(await browser.forms('/alerts', /^\/alerts\//), alert.id, 'acknowledge');
    const auditBefore = (await listAudit(db)).length;
    const { csrf, ...withoutToken } = form.fields;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stranger = new FormClient(base);
    await stranger.get('/alerts');
    const attempts = [
      ['no token', browser.send('POST', form.action, { body: withoutToken, headers: { origin: base } })],
      ['wrong token', browser.submit(form, { csrf: `${csrf?.slice(0, -2)}AA` })],
      ['token of another browser', stranger.submit(form)],
      ['no cookie', new FormClient(base).submit(form)],
      ['foreign origin', browser.submit(form, {}, { origin: 'http://evil.example' })],
      ['origin null', browser.submit(form, {}, { origin: 'null' })],
      ['other port', browser.submit(form, {}, { origin: 'http://127.0.0.1:9' })],
      ['no origin', browser.send('POST', form.action, { body: form.fields })],
      [
        'foreign referer',
        browser.send('POST', form.action, {
          body: form.fields,
          headers: { referer: 'http://evil.example/x' },
        }),
      ],
      // DNS rebinding: a foreign name resolved to 127.0.0.1 is its own origin, but not a loopback Host.
      ['rebound host', browser.submit(form, {}, { host: 'evil.example', origin: 'http://evil.example' })],
    ] as const;
    for (const [what, attempt] of attempts) {
      const refused = await attempt;
      expect(refused.status, what).toBe(403);
      expect(refused.body, what).toContain('Nothing was changed');
    }
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('open');
    expect(await listAudit(db)).toHaveLength(auditBefore);
    // The same form, as the page sends it, works (a Referer of this UI stands in for a missing Origin).
    const accepted = await browser.send('POST', form.action, {
      body: form.fields,
      headers: { referer: `${base}/alerts` },
    });
    expect(accepted.status).toBe(303);
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('acknowledged');
  });

  it('never changes state on GET, and answers unknown or malformed alerts with a 404 page', async () => {
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId });
    const browser = new FormClient(base);
    const form = formFor(await browser.forms('/alerts', /^\/alerts\//), alert.id, 'acknowledge');
    for (const action of ['acknowledge', 'resolve', 'mute?scope=site'])
      expect((await browser.get(`/alerts/${alert.id}/${action}`)).status, action).toBe(404);
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('open');
    expect((await alertRow(db, alert.id))?.state).toBe('pending');
    for (const path of ['/alerts/999999999/acknowledge', '/alerts/0/resolve', '/alerts/x%3Cb%3E/mute']) {
      const missing = await browser.submit({ ...form, action: path }, { scope: 'site' });
      expect(missing.status, path).toBe(404);
      expect(missing.body, path).toContain('There is no alert with this id.');
    }
    // An alert with no post offers no organisation+post mute, and a forged one is refused the same way.
    const noPost = await browser.submit({ ...form, action: `/alerts/${alert.id}/mute` }, { scope: 'post' });
    expect(noPost.status).toBe(404);
    expect(await db.$count(alertMutes)).toBe(0);
  });

  it('mutes a site and an organisation+post from the page, muting the pending alerts each covers', async () => {
    const otherSite = await createSite(db, { name: 'Other' });
    const [post, postHere] = await db
      .insert(posts)
      .values([
        { siteId: otherSite, stableKey: uniqueId('k'), title: 'Muted victim' },
        { siteId: seeded.siteId, stableKey: uniqueId('k'), title: 'Another victim' },
      ])
      .returning();
    const onOther = await addAlert(db, seeded, { siteId: otherSite, postId: post?.id });
    const siblingOnOther = await addAlert(db, seeded, { siteId: otherSite });
    const elsewhere = await addAlert(db, seeded, { siteId: seeded.siteId, postId: postHere?.id });
    const browser = new FormClient(base);
    const forms = await browser.forms('/alerts?state=pending', /^\/alerts\/\d+\/mute$/);
    expect(forms.filter((form) => form.action === `/alerts/${siblingOnOther.id}/mute`)).toHaveLength(1);

    const reason = `<b>known</b> "false" positive`;
    const muted = await browser.submit(formFor(forms, onOther.id, 'mute', 'site'), { reason });
    expect(muted.status).toBe(303);
    const [mute] = await db.select().from(alertMutes).where(eq(alertMutes.siteId, otherSite));
    expect(mute).toMatchObject({ kind: 'site', reason });
    expect((await alertRow(db, onOther.id))?.state).toBe('muted');
    expect((await alertRow(db, siblingOnOther.id))?.state).toBe('muted');
    expect((await alertRow(db, elsewhere.id))?.state).toBe('pending');

    const byPost = await browser.submit(formFor(forms, elsewhere.id, 'mute', 'post'));
    expect(byPost.status).toBe(303);
    expect((await alertRow(db, elsewhere.id))?.state).toBe('muted');
    const [postMute] = await db.select().from(alertMutes).where(eq(alertMutes.kind, 'post'));
    expect(postMute).toMatchObject({ kind: 'post', orgId: elsewhere.orgId, reason: null });
    const audit = await listAudit(db, { action: 'alert.mute' });
    expect(
      audit.map((entry) => [entry.actor, entry.targetId, entry.details.kind, entry.details.alertsMuted]),
    ).toEqual([
      ['loopback', String(postMute?.id), 'post', 1],
      ['loopback', String(mute?.id), 'site', 2],
    ]);

    // /alerts lists the mutes in force, the reason escaped, each with an Unmute form.
    const page = await browser.get('/alerts');
    const $ = cheerio.load(page.body);
    const listed = $('#mutes + table tbody tr')
      .toArray()
      .map((row) => $(row).text());
    expect(listed.some((text) => text.includes('site') && text.includes(reason))).toBe(true);
    expect(page.body).not.toContain('<b>known</b>');
    const unmutes = await browser.forms('/alerts', /^\/alerts\/mutes\/\d+\/unmute$/);
    const unmute = unmutes.find((form) => form.action === `/alerts/mutes/${mute?.id}/unmute`);
    if (!unmute) throw new Error('no unmute form');
    const lifted = await browser.submit(unmute);
    expect(lifted.status).toBe(303);
    expect(lifted.location).toBe('/alerts');
    expect(
      await db
        .select()
        .from(alertMutes)
        .where(eq(alertMutes.id, mute?.id ?? 0)),
    ).toEqual([]);
    // What it silenced stays muted; the other mute stays in force.
    expect((await alertRow(db, onOther.id))?.state).toBe('muted');
    expect(await db.$count(alertMutes)).toBe(1);
    const unmuted = await listAudit(db, { action: 'alert.unmute' });
    expect(unmuted.map((entry) => [entry.actor, entry.targetId, entry.details.kind])).toEqual([
      ['loopback', String(mute?.id), 'site'],
    ]);
    // Lifted twice (a stale page): a 404 page, nothing else changed.
    const again = await browser.submit(unmute);
    expect(again.status).toBe(404);
    expect(again.body).toContain('There is no mute with this id.');
    expect(await listAudit(db, { action: 'alert.unmute' })).toHaveLength(1);
  });

  it('mutes a watch term the alert reports (its pattern shown escaped), and no term it does not report', async () => {
    const orgId = (await alertRow(db, (await addAlert(db, seeded, { siteId: seeded.siteId })).id))?.orgId;
    if (!orgId) throw new Error('the seeded alerts have no organisation');
    const [noisy, other] = await addWatchTerms(db, orgId, [
      { kind: 'phrase', pattern: `Azur <b>${uniqueId('t')}</b>` },
      { kind: 'phrase', pattern: uniqueId('quiet') },
    ]);
    if (!noisy || !other) throw new Error('terms not added');
    const payload = { terms: [{ termId: noisy.id, pattern: noisy.pattern, count: 3 }] };
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId, payload });
    const browser = new FormClient(base);
    const page = await browser.get('/alerts?state=pending');
    const button = cheerio.load(page.body)(`form[action="/alerts/${alert.id}/mute"] button`);
    expect(button.map((_, b) => cheerio.load(b).text()).get()).toContain(`Mute term “${noisy.pattern}”`);
    expect(page.body).not.toContain(noisy.pattern); // only escaped
    const forms = await browser.forms('/alerts?state=pending', /^\/alerts\/\d+\/mute$/);
    const form = formFor(forms, alert.id, 'mute', 'term');
    expect(form.fields.term).toBe(String(noisy.id));

    // A forged form naming a term the alert does not report mutes nothing.
    const forged = await browser.submit(form, { term: String(other.id) });
    expect(forged.status).toBe(404);
    expect(await db.select().from(alertMutes).where(eq(alertMutes.termId, other.id))).toEqual([]);
    expect((await alertRow(db, alert.id))?.state).toBe('pending');

    const muted = await browser.submit(form);
    expect(muted.status).toBe(303);
    const [mute] = await db.select().from(alertMutes).where(eq(alertMutes.termId, noisy.id));
    expect(mute).toMatchObject({ kind: 'term', orgId });
    // Its only evidence was that term: the pending alert is muted with it.
    expect((await alertRow(db, alert.id))?.state).toBe('muted');
    const audit = await listAudit(db, { action: 'alert.mute', targetId: mute?.id });
    expect(audit.map((entry) => [entry.actor, entry.details.kind])).toEqual([['loopback', 'term']]);
  });
});

describe('alert actions when the UI requires a token (PGlite)', () => {
  let test: TestDatabase;
  let seeded: Seeded;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    seeded = await seed(test.database.db, testEvidenceStore());
    // As on a network address, listening on loopback for the test.
    app = testWebApp(test.database, { host: '0.0.0.0' });
    base = new URL(await app.listen({ host: '127.0.0.1', port: 0 })).origin;
  });
  afterAll(async () => {
    await app?.close();
    await test?.close();
  });

  it('refuses an unauthenticated POST, and records who acted once logged in', async () => {
    const db = test.database.db;
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId });
    const tokenKey = accessSettings({ host: '0.0.0.0', auth: 'auto', publicUrl: null }, SECRET).tokenKey;
    const token = generateApiToken();
    const created = await createApiToken(db, {
      name: 'night-shift',
      userEmail: 'analyst@example.org',
      tokenHash: hashApiToken(tokenKey, token),
      scopes: ['read'],
      expiresAt: null,
    });
    const browser = new FormClient(base);
    const [login] = await browser.forms('/login', /^\/login$/);
    if (!login) throw new Error('no login form');
    // A form token from the login page, before logging in: still no way in.
    const anonymous = await browser.submit({
      action: `/alerts/${alert.id}/acknowledge`,
      fields: login.fields,
    });
    expect(anonymous.status).toBe(401);
    expect(
      (await browser.send('POST', `/alerts/${alert.id}/resolve`, { headers: { origin: base } })).status,
    ).toBe(401);
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('open');

    // Logging in is a form too, and checked the same way.
    expect((await browser.submit(login, { token, csrf: 'forged' })).status).toBe(403);
    const loggedIn = await browser.submit(login, { token, next: '/alerts' });
    expect(loggedIn.status).toBe(303);
    expect(browser.cookies.get('leakwatch_token')).toBe(token);
    // The pre-login form token is bound to no login: it does not pass now.
    const stale = await browser.submit({ action: `/alerts/${alert.id}/acknowledge`, fields: login.fields });
    expect(stale.status).toBe(403);

    const form = formFor(await browser.forms('/alerts', /^\/alerts\//), alert.id, 'acknowledge');
    expect((await browser.submit(form)).status).toBe(303);
    expect((await alertRow(db, alert.id))?.lifecycle).toBe('acknowledged');
    const [entry] = await listAudit(db, { targetType: 'alert', targetId: alert.id });
    expect(entry).toMatchObject({
      actor: `token:${created.id}`,
      action: 'alert.acknowledge',
      details: { from: 'open', to: 'acknowledged', by: 'night-shift' },
    });
    const [logout] = await browser.forms('/alerts', /^\/logout$/);
    expect((await browser.submit(logout as Form)).status).toBe(303);
    expect(browser.cookies.has('leakwatch_token')).toBe(false);
  });

  it('behind a reverse proxy, accepts forms from the origin of web.publicUrl and from no other', async () => {
    const db = test.database.db;
    const alert = await addAlert(db, seeded, { siteId: seeded.siteId });
    const proxied = testWebApp(test.database, { access: { publicOrigin: 'https://lw.example' } });
    try {
      const browser = new FormClient(new URL(await proxied.listen({ host: '127.0.0.1', port: 0 })).origin);
      const form = formFor(await browser.forms('/alerts', /^\/alerts\//), alert.id, 'acknowledge');
      const elsewhere = await browser.submit(form, {}, { origin: 'https://other.example' });
      expect(elsewhere.status).toBe(403);
      expect((await browser.submit(form, {}, { origin: 'https://lw.example' })).status).toBe(303);
      expect((await alertRow(db, alert.id))?.lifecycle).toBe('acknowledged');
    } finally {
      await proxied.close();
    }
  });
});
