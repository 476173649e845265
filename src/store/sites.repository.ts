import { and, asc, count, desc, eq, inArray, isNull, lte, notInArray, or, sql } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { withDbErrors } from './db-errors.ts';
import { crawlRuns, posts, type siteHealthStates, siteMirrors, sites } from './schema/index.ts';

export type Site = typeof sites.$inferSelect;
export type SiteMirror = typeof siteMirrors.$inferSelect;
export type SiteHealth = (typeof siteHealthStates)[number];
type CrawlRun = typeof crawlRuns.$inferSelect;

/** A site as its definition (crawlers/ or YAML) declares it; the crawl state columns are the repository's to keep. */
export interface SiteDefinitionInput {
  id: string;
  name: string;
  groupName: string;
  engine: Site['engine'];
  schedule: string;
  definitionSource: string;
  /** Left as stored when omitted, so an operator's `disable` survives a definition reload. */
  enabled?: boolean;
  /** Mirror URLs in order of preference; at least one. */
  mirrors: readonly string[];
}

export interface SiteWithMirrors extends Site {
  mirrors: SiteMirror[];
}

export interface SiteOverview extends SiteWithMirrors {
  lastRun: CrawlRun | null;
  posts: { total: number; active: number; removed: number };
}

const SITE_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;

function validateDefinition(input: SiteDefinitionInput): string[] {
  if (!SITE_ID.test(input.id)) {
    throw new InputError(
      'site.invalid_id',
      `invalid site id "${input.id}": use lower-case letters, digits, . _ -`,
    );
  }
  const mirrors = [...new Set(input.mirrors.map((url) => url.trim()))];
  if (mirrors.length === 0)
    throw new InputError('site.no_mirrors', `site "${input.id}" declares no mirror URL`);
  for (const url of mirrors) {
    if (!URL.canParse(url))
      throw new InputError('site.invalid_mirror', `site "${input.id}": invalid mirror URL "${url}"`);
  }
  return mirrors;
}

/**
 * Creates or updates a site from its definition, and makes its mirrors exactly the declared list (in that order);
 * a mirror that stays keeps its health counters. Returns whether the site was new.
 */
export async function upsertSite(
  db: Db,
  input: SiteDefinitionInput,
): Promise<{ site: SiteWithMirrors; created: boolean }> {
  const mirrorUrls = validateDefinition(input);
  const { mirrors: _ignored, ...definition } = input;
  return withDbErrors({ action: `cannot save site "${input.id}"` }, () =>
    db.transaction(async (tx) => {
      const [row] = await tx
        .insert(sites)
        .values(definition)
        .onConflictDoUpdate({
          target: sites.id,
          set: {
            name: definition.name,
            groupName: definition.groupName,
            engine: definition.engine,
            schedule: definition.schedule,
            definitionSource: definition.definitionSource,
            ...(definition.enabled === undefined ? {} : { enabled: definition.enabled }),
            updatedAt: sql`now()`,
          },
        })
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      await tx
        .delete(siteMirrors)
        .where(and(eq(siteMirrors.siteId, input.id), notInArray(siteMirrors.url, mirrorUrls)));
      await tx
        .insert(siteMirrors)
        .values(mirrorUrls.map((url, position) => ({ siteId: input.id, url, position })))
        .onConflictDoUpdate({
          target: [siteMirrors.siteId, siteMirrors.url],
          set: { position: sql`excluded.position` },
        });
      const site = await getSite(tx, input.id);
      if (!site) throw new Error(`site ${input.id} vanished while being saved`);
      return { site, created: row?.inserted === true };
    }),
  );
}

export async function getSite(db: Db, id: string): Promise<SiteWithMirrors | null> {
  const [site] = await db.select().from(sites).where(eq(sites.id, id));
  if (!site) return null;
  const mirrors = await db
    .select()
    .from(siteMirrors)
    .where(eq(siteMirrors.siteId, id))
    .orderBy(asc(siteMirrors.position));
  return { ...site, mirrors };
}

/** Every site with its mirrors, its latest crawl run and its post counts, ordered by id. */
export async function listSites(db: Db): Promise<SiteOverview[]> {
  const siteRows = await db.select().from(sites).orderBy(asc(sites.id));
  if (siteRows.length === 0) return [];
  const ids = siteRows.map((site) => site.id);
  const [mirrorRows, lastRuns, counts] = await Promise.all([
    db.select().from(siteMirrors).where(inArray(siteMirrors.siteId, ids)).orderBy(asc(siteMirrors.position)),
    db
      .selectDistinctOn([crawlRuns.siteId])
      .from(crawlRuns)
      .where(inArray(crawlRuns.siteId, ids))
      .orderBy(crawlRuns.siteId, desc(crawlRuns.startedAt), desc(crawlRuns.id)),
    db
      .select({
        siteId: posts.siteId,
        total: count(),
        active: sql<number>`count(*) filter (where ${posts.removedAt} is null)`.mapWith(Number),
      })
      .from(posts)
      .where(inArray(posts.siteId, ids))
      .groupBy(posts.siteId),
  ]);
  return siteRows.map((site) => {
    const postCount = counts.find((row) => row.siteId === site.id);
    const total = postCount?.total ?? 0;
    const active = postCount?.active ?? 0;
    return {
      ...site,
      mirrors: mirrorRows.filter((mirror) => mirror.siteId === site.id),
      lastRun: lastRuns.find((run) => run.siteId === site.id) ?? null,
      posts: { total, active, removed: total - active },
    };
  });
}

export interface HealthReport {
  health: SiteHealth;
  detail?: string | null;
  /** Back-off: scheduled runs before this instant are skipped. Cleared when the site is up. */
  nextAttemptAt?: Date | null;
}

/**
 * Records the outcome of a crawl for the site's health: `up` resets the failure count and stamps last success; any
 * other state except `unknown` counts a consecutive failure. `changed` tells the caller to announce the transition.
 */
export async function recordSiteHealth(
  db: Db,
  siteId: string,
  report: HealthReport,
): Promise<{ site: Site; previous: SiteHealth; changed: boolean }> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ health: sites.health })
      .from(sites)
      .where(eq(sites.id, siteId))
      .for('update');
    if (!before) throw new InputError('site.not_found', `cannot record health: no site with id "${siteId}"`);
    const changed = before.health !== report.health;
    const up = report.health === 'up';
    const [site] = await tx
      .update(sites)
      .set({
        health: report.health,
        healthDetail: report.detail ?? null,
        ...(changed ? { healthSince: sql`now()` } : {}),
        consecutiveFailures: up
          ? 0
          : report.health === 'unknown'
            ? sql`${sites.consecutiveFailures}`
            : sql`${sites.consecutiveFailures} + 1`,
        nextAttemptAt: up ? null : (report.nextAttemptAt ?? null),
        ...(up ? { lastSuccessAt: sql`now()` } : {}),
      })
      .where(eq(sites.id, siteId))
      .returning();
    if (!site) throw new Error(`site ${siteId} vanished while recording health`);
    return { site, previous: before.health, changed };
  });
}

/** Stamps a mirror's last success, or its failure and reason. */
export async function recordMirrorResult(
  db: Db,
  mirrorId: number,
  error: string | null,
): Promise<SiteMirror | null> {
  const [mirror] = await db
    .update(siteMirrors)
    .set(
      error === null
        ? { lastSuccessAt: sql`now()`, consecutiveFailures: 0, lastError: null }
        : {
            lastFailureAt: sql`now()`,
            consecutiveFailures: sql`${siteMirrors.consecutiveFailures} + 1`,
            lastError: error,
          },
    )
    .where(eq(siteMirrors.id, mirrorId))
    .returning();
  return mirror ?? null;
}

export async function setSiteEnabled(db: Db, siteId: string, enabled: boolean): Promise<Site | null> {
  const [site] = await db.update(sites).set({ enabled }).where(eq(sites.id, siteId)).returning();
  return site ?? null;
}

/** Deletes a site with its mirrors, runs and posts (and, through them, their events and matches). */
export async function deleteSite(db: Db, siteId: string): Promise<boolean> {
  const deleted = await db.delete(sites).where(eq(sites.id, siteId)).returning({ id: sites.id });
  return deleted.length > 0;
}

/** Sites due for a scheduled crawl: enabled and not backing off. */
export async function listCrawlableSites(db: Db, now = new Date()): Promise<Site[]> {
  return db
    .select()
    .from(sites)
    .where(and(eq(sites.enabled, true), or(isNull(sites.nextAttemptAt), lte(sites.nextAttemptAt, now))))
    .orderBy(asc(sites.id));
}
