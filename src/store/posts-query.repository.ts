import { and, count, desc, eq, getTableColumns, gte, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { type postStatuses, posts } from './schema/index.ts';

/** A post as stored, without the generated search vector (large, and only for the database to use). */
export type Post = Omit<typeof posts.$inferSelect, 'search'>;
export type PostListItem = Omit<Post, 'bodyText'>;
export type PostStatus = (typeof postStatuses)[number];

const { search: _search, ...columns } = getTableColumns(posts);
const { bodyText: _body, ...summaryColumns } = columns;
/** Every column but the search vector; and without the body too, for lists. */
export const postColumns = columns;
export const postListColumns = summaryColumns;

export interface PostQuery {
  siteId?: string;
  /** Words to find in title and body, accent- and case-insensitive (all of them must appear). */
  search?: string;
  status?: PostStatus;
  includeRemoved?: boolean;
  /** First seen at or after. */
  since?: Date;
  limit?: number;
  offset?: number;
}

function postFilter(query: PostQuery): { where: SQL | undefined; tsquery: SQL | undefined } {
  const conditions: SQL[] = [];
  const words = query.search?.trim();
  const tsquery = words ? sql`plainto_tsquery('leakwatch_fts', ${words})` : undefined;
  if (tsquery) conditions.push(sql`${posts.search} @@ ${tsquery}`);
  if (query.siteId !== undefined) conditions.push(eq(posts.siteId, query.siteId));
  if (query.status !== undefined) conditions.push(eq(posts.status, query.status));
  if (query.includeRemoved === false) conditions.push(isNull(posts.removedAt));
  if (query.since !== undefined) conditions.push(gte(posts.firstSeenAt, query.since));
  return { where: and(...conditions), tsquery };
}

/** Posts newest first, or by relevance when searching; without their body text. */
export async function listPosts(db: Db, query: PostQuery = {}): Promise<PostListItem[]> {
  const { where, tsquery } = postFilter(query);
  const order = [desc(posts.firstSeenAt), desc(posts.id)];
  return db
    .select(postListColumns)
    .from(posts)
    .where(where)
    .orderBy(...(tsquery ? [desc(sql`ts_rank(${posts.search}, ${tsquery})`), ...order] : order))
    .limit(Math.min(Math.max(query.limit ?? 50, 1), 500))
    .offset(Math.max(query.offset ?? 0, 0));
}

export async function countPosts(db: Db, query: PostQuery = {}): Promise<number> {
  const [row] = await db.select({ n: count() }).from(posts).where(postFilter(query).where);
  return row?.n ?? 0;
}

export async function getPost(db: Db, id: number): Promise<Post | null> {
  const [post] = await db.select(postColumns).from(posts).where(eq(posts.id, id));
  return post ?? null;
}

export async function getPostByKey(db: Db, siteId: string, stableKey: string): Promise<Post | null> {
  const [post] = await db
    .select(postColumns)
    .from(posts)
    .where(and(eq(posts.siteId, siteId), eq(posts.stableKey, stableKey)));
  return post ?? null;
}
