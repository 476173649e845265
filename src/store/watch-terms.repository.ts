/** Watch terms across organisations: listing, removing, muting, and what the term matcher loads. */
import { and, asc, count, eq, max, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import type { WatchTerm, WatchTermKind } from './organisations.repository.ts';
import { organisations, watchTerms } from './schema/index.ts';

export interface WatchTermListItem extends WatchTerm {
  orgSlug: string;
}

export async function listWatchTerms(
  db: Db,
  query: { orgId?: number; kind?: WatchTermKind } = {},
): Promise<WatchTermListItem[]> {
  const conditions: SQL[] = [];
  if (query.orgId !== undefined) conditions.push(eq(watchTerms.orgId, query.orgId));
  if (query.kind) conditions.push(eq(watchTerms.kind, query.kind));
  const rows = await db
    .select({ term: watchTerms, orgSlug: organisations.slug })
    .from(watchTerms)
    .innerJoin(organisations, eq(organisations.id, watchTerms.orgId))
    .where(and(...conditions))
    .orderBy(asc(organisations.slug), asc(watchTerms.id));
  return rows.map((row) => ({ ...row.term, orgSlug: row.orgSlug }));
}

/** Every term the matcher should run (muted ones are skipped by the matcher itself, so it can say so). */
export async function loadAllWatchTerms(db: Db): Promise<WatchTerm[]> {
  return db.select().from(watchTerms).orderBy(asc(watchTerms.id));
}

/** Removes a term of an organisation by id, or by pattern as typed or folded; returns the removed terms. */
export async function removeWatchTerms(
  db: Db,
  orgId: number,
  match: { id?: number; pattern?: string; normalised?: string },
): Promise<WatchTerm[]> {
  const by: SQL[] = [];
  if (match.id !== undefined) by.push(eq(watchTerms.id, match.id));
  if (match.pattern !== undefined) by.push(eq(watchTerms.pattern, match.pattern));
  if (match.normalised !== undefined) by.push(eq(watchTerms.normalised, match.normalised));
  if (by.length === 0) return [];
  return db
    .delete(watchTerms)
    .where(and(eq(watchTerms.orgId, orgId), sql`(${sql.join(by, sql` or `)})`))
    .returning();
}

export async function setWatchTermMuted(db: Db, termId: number, muted: boolean): Promise<WatchTerm | null> {
  const [row] = await db.update(watchTerms).set({ muted }).where(eq(watchTerms.id, termId)).returning();
  return row ?? null;
}

/** Changes whenever a term is added, removed, muted or unmuted: the matcher recompiles when it does. */
export async function watchTermsGeneration(db: Db): Promise<string> {
  const [row] = await db
    .select({
      n: count(),
      maxId: max(watchTerms.id),
      muted: sql<string>`coalesce(sum(${watchTerms.id}) filter (where ${watchTerms.muted}), 0)::text`,
      ids: sql<string>`coalesce(sum(${watchTerms.id}), 0)::text`,
    })
    .from(watchTerms);
  return `${row?.n}:${row?.maxId}:${row?.muted}:${row?.ids}`;
}
