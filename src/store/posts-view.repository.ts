/**
 * Read-only queries behind the analyst UI's post list: filters, accent-insensitive full-text search and keyset pages.
 */
import { and, asc, desc, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { type PostStatus, postListColumns } from './posts-query.repository.ts';
import { matches, organisations, posts, sites } from './schema/index.ts';

export interface PostPageQuery {
  /** Words, quoted phrases and -exclusions (websearch syntax), accent- and case-insensitive, in title and text. */
  search?: string;
  siteId?: string;
  groupName?: string;
  status?: PostStatus;
  /** Only posts with a match record for this organisation. */
  orgId?: number;
  /** Keyset cursor: the id of the last post of the previous page. */
  after?: number;
  limit: number;
}

export interface PostPageItem {
  id: number;
  siteId: string;
  siteName: string;
  groupName: string;
  title: string;
  status: PostStatus;
  firstSeenAt: Date;
  lastSeenAt: Date;
  publishedAt: Date | null;
  countdownEndsAt: Date | null;
  removedAt: Date | null;
  /** Organisations matched in the post or its files, with the highest severity per organisation. */
  organisations: Array<{ slug: string; severity: string }>;
}

export interface PostPage {
  items: PostPageItem[];
  /** The cursor of the next page, when there is one. */
  next: number | null;
}

/** Newest first (first seen, then id), so a page boundary never moves when posts arrive while paging. */
export async function listPostPage(db: Db, query: PostPageQuery): Promise<PostPage> {
  const conditions: SQL[] = [];
  const words = query.search?.trim();
  if (words) {
    const hits = await searchHits(db, words);
    if (hits.ids?.length === 0) return { items: [], next: null };
    conditions.push(hits.condition);
    if (hits.ids) conditions.push(inArray(posts.id, hits.ids));
  }
  if (query.siteId) conditions.push(eq(posts.siteId, query.siteId));
  if (query.groupName) conditions.push(eq(sites.groupName, query.groupName));
  if (query.status) conditions.push(eq(posts.status, query.status));
  if (query.orgId !== undefined) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(matches)
          .where(and(eq(matches.postId, posts.id), eq(matches.orgId, query.orgId))),
      ),
    );
  }
  if (query.after !== undefined) {
    // Compared with the row's own stored timestamp: a cursor carried as a JavaScript Date would lose microseconds.
    conditions.push(
      sql`(${posts.firstSeenAt}, ${posts.id}) < (select p.first_seen_at, p.id from posts p where p.id = ${query.after})`,
    );
  }
  const rows = await db
    .select({
      id: postListColumns.id,
      siteId: postListColumns.siteId,
      siteName: sites.name,
      groupName: sites.groupName,
      title: postListColumns.title,
      status: postListColumns.status,
      firstSeenAt: postListColumns.firstSeenAt,
      lastSeenAt: postListColumns.lastSeenAt,
      publishedAt: postListColumns.publishedAt,
      countdownEndsAt: postListColumns.countdownEndsAt,
      removedAt: postListColumns.removedAt,
    })
    .from(posts)
    .innerJoin(sites, eq(sites.id, posts.siteId))
    .where(and(...conditions))
    .orderBy(desc(posts.firstSeenAt), desc(posts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const matched = await organisationsOfPosts(
    db,
    page.map((row) => row.id),
  );
  return {
    items: page.map((row) => ({ ...row, organisations: matched.get(row.id) ?? [] })),
    next: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** At most this many search hits are read through the text index and then sorted by date. */
const SPARSE_HITS = 500;

/**
 * The planner cannot tell a rare word from a common one (text-search statistics keep only frequent words), so for
 * "newest first, 50 rows" it walks the first-seen index backwards and tests every post: instant for a common word,
 * a scan of every post for a rare one. Asking the text index first settles it: up to SPARSE_HITS hits are listed by id
 * (the page is then read by primary key); beyond that, hits are dense enough that walking by date finds a page fast.
 */
async function searchHits(db: Db, words: string): Promise<{ condition: SQL; ids?: number[] }> {
  // The same configuration as the generated column, so the GIN index on posts.search answers the query.
  const condition = sql`${posts.search} @@ websearch_to_tsquery('leakwatch_fts', ${words})`;
  const rows = await db
    .select({ id: posts.id })
    .from(posts)
    .where(condition)
    .limit(SPARSE_HITS + 1);
  return rows.length > SPARSE_HITS ? { condition } : { condition, ids: rows.map((row) => row.id) };
}

const SEVERITY_RANK = sql`case ${matches.severity} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end`;

async function organisationsOfPosts(
  db: Db,
  postIds: readonly number[],
): Promise<Map<number, Array<{ slug: string; severity: string }>>> {
  const result = new Map<number, Array<{ slug: string; severity: string }>>();
  if (postIds.length === 0) return result;
  const rows = await db
    .selectDistinctOn([matches.postId, organisations.slug], {
      postId: matches.postId,
      slug: organisations.slug,
      severity: matches.severity,
    })
    .from(matches)
    .innerJoin(organisations, eq(organisations.id, matches.orgId))
    .where(inArray(matches.postId, [...postIds]))
    .orderBy(matches.postId, organisations.slug, desc(SEVERITY_RANK));
  for (const row of rows) {
    const list = result.get(row.postId) ?? [];
    list.push({ slug: row.slug, severity: row.severity });
    result.set(row.postId, list);
  }
  return result;
}

/** What the filter form offers: sites, groups and organisations. */
export async function postFilterChoices(db: Db) {
  const [siteRows, orgRows] = await Promise.all([
    db
      .select({ id: sites.id, name: sites.name, groupName: sites.groupName })
      .from(sites)
      .orderBy(asc(sites.name)),
    db
      .select({ id: organisations.id, slug: organisations.slug, name: organisations.name })
      .from(organisations)
      .orderBy(asc(organisations.slug)),
  ]);
  const groups = [...new Set(siteRows.map((site) => site.groupName))].sort((a, b) => a.localeCompare(b));
  return { sites: siteRows, groups, organisations: orgRows };
}
