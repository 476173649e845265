/**
 * Alerts of the analysts' channels (channels with no organisation), written in the crawl's own transactions:
 *
 * - site_layout_broken: the site's health turned layout_broken (once per episode);
 * - site_down: the site has been down longer than `downAfterMs` (once per outage, however many re-crawls see it);
 * - site_up: the site answers again after outages or broken layouts that were alerted (once, closing all of them);
 * - site_new: the first crawl of a site (once per site);
 * - new_post: a post appeared on a watched site (channels with `newPosts: true`; never for a site's baseline).
 *
 * The dedupe key names the episode (the health's `since` instant), so the unique (channel, dedupe key) of the outbox
 * turns re-crawls into no-ops.
 */
import { and, asc, eq, gt, inArray, isNull, max } from 'drizzle-orm';
import { maskIdentifiersIn } from '../match/mask-text.ts';
import type { Db } from '../store/db.ts';
import { alerts, channels, posts, sites } from '../store/schema/index.ts';
import { routingOf } from './channels/channel.ts';
import { mutesFor } from './mutes.ts';
import type { SiteEventKind, SiteEventPayload } from './notice.ts';
import { enabledChannels, writeOutboxRow } from './outbox-rows.ts';
import type { Severity } from './payload.ts';

type SiteRow = typeof sites.$inferSelect;

const SEVERITY: Record<SiteEventKind, Severity> = {
  site_down: 'medium',
  site_layout_broken: 'medium',
  site_up: 'low',
  site_new: 'low',
  new_post: 'low',
};

/** A failing health whose outage is alerted: down (no mirror answered) and seized. */
const OUTAGE = new Set(['down', 'seized']);

export interface HealthChange {
  siteId: string;
  /** The site's health and its since before this run. */
  previous: { health: string; since: Date | null };
  now: Date;
  /** Alert an outage once it has lasted this long; undefined: no outage alerts. */
  downAfterMs: number | undefined;
}

const iso = (at: Date | null) => at?.toISOString() ?? 'unknown';

async function writeSiteEvent(
  tx: Db,
  site: SiteRow,
  kind: SiteEventKind,
  dedupeKey: string,
  summary: string,
  at: Date,
  post: SiteEventPayload['post'] = null,
): Promise<number> {
  const targets = (await enabledChannels(tx, null)).filter(
    (c) => kind !== 'new_post' || routingOf(c.settings).newPosts,
  );
  if (targets.length === 0) return 0;
  const payload: SiteEventPayload = {
    version: 1,
    kind,
    severity: SEVERITY[kind],
    site: { id: site.id, name: site.name, group: site.groupName },
    health: { state: site.health, since: site.healthSince?.toISOString() ?? null, detail: site.healthDetail },
    post,
    summary,
  };
  const mutes = await mutesFor(tx, null, site.id);
  let written = 0;
  for (const channel of targets) {
    const row = {
      orgId: null,
      postId: post?.id ?? null,
      siteId: site.id,
      kind,
      dedupeKey,
      severity: payload.severity,
      payload,
    };
    if (await writeOutboxRow(tx, channel, row, mutes, at)) written++;
  }
  return written;
}

/** After the site's health was recorded (same transaction): layout broken, down too long, back up. */
export async function writeHealthAlerts(tx: Db, change: HealthChange): Promise<number> {
  const [site] = await tx.select().from(sites).where(eq(sites.id, change.siteId));
  if (!site) return 0;
  const since = site.healthSince;
  if (site.health === 'layout_broken' && change.previous.health !== 'layout_broken')
    return writeSiteEvent(
      tx,
      site,
      'site_layout_broken',
      `site_layout_broken:site:${site.id}:since:${iso(since)}`,
      `The page loads but no post could be read: ${site.healthDetail ?? 'layout changed'}. New posts are not seen until the site definition is fixed.`,
      change.now,
    );
  if (OUTAGE.has(site.health) && change.downAfterMs !== undefined && since) {
    const downMs = change.now.getTime() - since.getTime();
    if (downMs < change.downAfterMs) return 0;
    const hours = Math.floor(downMs / 3_600_000);
    return writeSiteEvent(
      tx,
      site,
      'site_down',
      `site_down:site:${site.id}:since:${iso(since)}`,
      `${site.health === 'seized' ? 'Seized' : 'Unreachable'} for ${hours} h (since ${iso(since)}): ${site.healthDetail ?? 'no mirror answered'}.`,
      change.now,
    );
  }
  if (site.health === 'up' && change.previous.health !== 'up') {
    // "Back up" only after an outage or broken layout that was itself alerted (a short blip stays quiet), and for every
    // such episode since the last "back up": broken, then down for a while, then up closes both.
    const open = await openEpisodes(tx, site.id);
    if (open.length === 0) return 0;
    const episode = iso(change.previous.since);
    const was = open.map((e) => `${e.kind === 'site_down' ? 'down' : 'layout broken'} since ${e.since}`);
    return writeSiteEvent(
      tx,
      site,
      'site_up',
      `site_up:site:${site.id}:since:${episode}`,
      `Read again (was ${was.join(', then ')}).`,
      change.now,
    );
  }
  return 0;
}

/**
 * The alerted outages and broken layouts of a site that no "back up" has closed yet (analysts' channels), oldest
 * first, once each however many channels were told.
 */
async function openEpisodes(tx: Db, siteId: string): Promise<Array<{ kind: string; since: string }>> {
  const analysts = and(isNull(channels.orgId), eq(alerts.siteId, siteId));
  const [lastUp] = await tx
    .select({ id: max(alerts.id) })
    .from(alerts)
    .innerJoin(channels, eq(channels.id, alerts.channelId))
    .where(and(analysts, eq(alerts.kind, 'site_up')));
  const rows = await tx
    .select({ id: alerts.id, kind: alerts.kind, dedupeKey: alerts.dedupeKey })
    .from(alerts)
    .innerJoin(channels, eq(channels.id, alerts.channelId))
    .where(
      and(
        analysts,
        inArray(alerts.kind, ['site_down', 'site_layout_broken']),
        gt(alerts.id, lastUp?.id ?? 0),
      ),
    )
    .orderBy(asc(alerts.id));
  const episodes = new Map<string, { kind: string; since: string }>();
  for (const row of rows)
    episodes.set(row.dedupeKey, { kind: row.kind, since: row.dedupeKey.split(':since:')[1] ?? '?' });
  return [...episodes.values()];
}

/** With the run's posts (same transaction): the site's first crawl, and new posts for channels that want them. */
export async function writeReadingAlerts(
  tx: Db,
  input: {
    siteId: string;
    baseline: boolean;
    newPostIds: readonly number[];
    /** Where national phone numbers in titles are read (match.phoneRegions). */
    phoneRegions?: readonly string[];
    now: Date;
  },
): Promise<number> {
  const [site] = await tx.select().from(sites).where(eq(sites.id, input.siteId));
  if (!site) return 0;
  let written = 0;
  if (input.baseline)
    written += await writeSiteEvent(
      tx,
      site,
      'site_new',
      `site_new:site:${site.id}`,
      `First crawl of ${site.groupName} / ${site.name}: its posts are recorded as the baseline, later ones are announced.`,
      input.now,
    );
  else if (input.newPostIds.length > 0) {
    const rows = await tx
      .select({ id: posts.id, title: posts.title, status: posts.status })
      .from(posts)
      .where(inArray(posts.id, [...input.newPostIds]));
    for (const post of rows) {
      // A teaser title can hold an identifier: only its masked form is stored in the payload.
      const title = maskIdentifiersIn(post.title, input.phoneRegions);
      written += await writeSiteEvent(
        tx,
        site,
        'new_post',
        `new_post:post:${post.id}`,
        `New post on ${site.groupName} / ${site.name}: ${title}`,
        input.now,
        { ...post, title },
      );
    }
  }
  return written;
}
