/**
 * Raw SQL statements (what the query builder cannot say: `for update skip locked` claims, set-returning inserts) with
 * their rows, whichever driver runs them: postgres.js gives the rows as an array, PGlite an object holding them.
 */
import type { SQL } from 'drizzle-orm';
import type { Db } from './db.ts';

export async function executeRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const result = await db.execute<Row>(query);
  return Array.isArray(result) ? (result as Row[]) : (result as unknown as { rows: Row[] }).rows;
}
