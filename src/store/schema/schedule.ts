import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns.ts';

/**
 * One row per (schedule, tick): the first scheduler instance to insert it fires the tick, the others see the
 * conflict and stay quiet. This is what makes N scheduler processes fire each schedule once.
 */
export const scheduleTicks = pgTable(
  'schedule_ticks',
  {
    schedule: text().notNull(),
    tick: at().notNull(),
    firedBy: text().notNull(),
    firedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.schedule, t.tick] })],
);
