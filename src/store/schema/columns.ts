import { bigint, timestamp } from 'drizzle-orm/pg-core';

/** Shared column builders. Column names are derived in snake_case by the `casing` option of db.ts and drizzle.config.ts. */
export const id = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
export const ref = () => bigint({ mode: 'number' });
export const at = () => timestamp({ withTimezone: true, mode: 'date' });
export const createdAt = () => at().notNull().defaultNow();
export const updatedAt = () =>
  at()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
