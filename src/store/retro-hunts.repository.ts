/** Retro-hunts and their progress, readable by any process (CLI, web UI). */
import { desc, eq } from 'drizzle-orm';
import type { Db } from './db.ts';
import { retroHunts } from './schema/index.ts';

export type RetroHunt = typeof retroHunts.$inferSelect;

export async function createRetroHunt(
  db: Db,
  input: { orgId: number | null; reason: string; since: Date | null },
): Promise<RetroHunt> {
  const [row] = await db.insert(retroHunts).values(input).returning();
  if (!row) throw new Error('insert into retro_hunts returned no row');
  return row;
}

export async function updateRetroHunt(
  db: Db,
  id: number,
  values: Partial<Omit<RetroHunt, 'id'>>,
): Promise<void> {
  await db.update(retroHunts).set(values).where(eq(retroHunts.id, id));
}

export async function getRetroHunt(db: Db, id: number): Promise<RetroHunt | null> {
  const [row] = await db.select().from(retroHunts).where(eq(retroHunts.id, id));
  return row ?? null;
}

export async function listRetroHunts(db: Db, limit = 20): Promise<RetroHunt[]> {
  return db.select().from(retroHunts).orderBy(desc(retroHunts.id)).limit(limit);
}
