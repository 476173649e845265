/**
 * Match records (one per post, document and organisation: what a leak reveals about an organisation, as counts,
 * categories, severity and masked samples) and the incidents they belong to.
 */
import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { documents, incidents, matches, organisations, posts, type severities } from './schema/index.ts';

export type MatchRow = typeof matches.$inferSelect;
export type Severity = (typeof severities)[number];
export type MatchValues = Omit<typeof matches.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export interface MatchListItem extends MatchRow {
  orgSlug: string;
  postTitle: string;
  siteId: string;
  documentName: string | null;
}

const sameContent = (postId: number, documentId: number | null): SQL =>
  and(
    eq(matches.postId, postId),
    documentId === null ? isNull(matches.documentId) : eq(matches.documentId, documentId),
  ) as SQL;

/** The match records of one post text (documentId null) or one document of a post, for every organisation. */
export async function matchesOfContent(
  db: Db,
  postId: number,
  documentId: number | null,
): Promise<MatchRow[]> {
  return db.select().from(matches).where(sameContent(postId, documentId));
}

export async function insertMatch(db: Db, values: MatchValues): Promise<MatchRow> {
  const [row] = await db.insert(matches).values(values).returning();
  if (!row) throw new Error('insert into matches returned no row');
  return row;
}

export async function updateMatch(db: Db, id: number, values: Partial<MatchValues>): Promise<MatchRow> {
  const [row] = await db.update(matches).set(values).where(eq(matches.id, id)).returning();
  if (!row) throw new Error(`match ${id} disappeared`);
  return row;
}

/** Match records, newest first, with what a list needs to show them. */
export async function listMatches(
  db: Db,
  query: { orgId?: number; postId?: number; limit?: number } = {},
): Promise<MatchListItem[]> {
  const conditions: SQL[] = [];
  if (query.orgId !== undefined) conditions.push(eq(matches.orgId, query.orgId));
  if (query.postId !== undefined) conditions.push(eq(matches.postId, query.postId));
  const rows = await db
    .select({
      match: matches,
      orgSlug: organisations.slug,
      postTitle: posts.title,
      siteId: posts.siteId,
      documentName: documents.name,
    })
    .from(matches)
    .innerJoin(organisations, eq(organisations.id, matches.orgId))
    .innerJoin(posts, eq(posts.id, matches.postId))
    .leftJoin(documents, eq(documents.id, matches.documentId))
    .where(and(...conditions))
    .orderBy(desc(matches.updatedAt), desc(matches.id))
    .limit(query.limit ?? 200);
  return rows.map((row) => ({
    ...row.match,
    orgSlug: row.orgSlug,
    postTitle: row.postTitle,
    siteId: row.siteId,
    documentName: row.documentName,
  }));
}

/** The incident an organisation already has for a post (through another of the post's match records). */
export async function incidentOfPost(db: Db, orgId: number, postId: number): Promise<number | null> {
  const [row] = await db
    .select({ incidentId: matches.incidentId })
    .from(matches)
    .where(and(eq(matches.orgId, orgId), eq(matches.postId, postId), sql`${matches.incidentId} is not null`))
    .limit(1);
  return row?.incidentId ?? null;
}

/** The incidents of an organisation's matches on given contents (earlier copies of a re-posted dump). */
export async function incidentsOfContents(
  db: Db,
  orgId: number,
  contents: ReadonlyArray<{ postId: number; documentId: number | null }>,
): Promise<number | null> {
  if (contents.length === 0) return null;
  const [row] = await db
    .select({ incidentId: matches.incidentId })
    .from(matches)
    .where(
      and(
        eq(matches.orgId, orgId),
        sql`${matches.incidentId} is not null`,
        sql`(${sql.join(
          contents.map((c) => sameContent(c.postId, c.documentId)),
          sql` or `,
        )})`,
      ),
    )
    .orderBy(matches.id)
    .limit(1);
  return row?.incidentId ?? null;
}

export async function createIncident(
  db: Db,
  input: { orgId: number; postId: number; title: string; severity: Severity },
): Promise<number> {
  const [row] = await db
    .insert(incidents)
    .values({
      orgId: input.orgId,
      firstPostId: input.postId,
      title: input.title.slice(0, 300),
      severity: input.severity,
    })
    .returning({ id: incidents.id });
  if (!row) throw new Error('insert into incidents returned no row');
  return row.id;
}

/** Raises an incident's severity to at least `severity`. */
/** Gives the organisation's incidents first seen on a post, titled exactly `from`, the title `to`. */
export async function retitleIncidents(
  db: Db,
  input: { orgId: number; firstPostId: number; from: string; to: string },
): Promise<void> {
  await db
    .update(incidents)
    .set({ title: input.to.slice(0, 300) })
    .where(
      and(
        eq(incidents.orgId, input.orgId),
        eq(incidents.firstPostId, input.firstPostId),
        eq(incidents.title, input.from.slice(0, 300)),
      ),
    );
}

export async function raiseIncidentSeverity(db: Db, incidentId: number, severity: Severity): Promise<void> {
  const rank = (column: SQL | typeof incidents.severity) =>
    sql`array_position(array['low','medium','high','critical']::text[], ${column})`;
  await db
    .update(incidents)
    .set({ severity })
    .where(
      and(eq(incidents.id, incidentId), sql`${rank(incidents.severity)} < ${rank(sql`${severity}::text`)}`),
    );
}

export async function postsByIds(db: Db, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: posts.id,
      title: posts.title,
      siteId: posts.siteId,
      bodyText: posts.bodyText,
      website: posts.website,
    })
    .from(posts)
    .where(inArray(posts.id, [...ids]));
}
