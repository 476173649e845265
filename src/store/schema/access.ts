import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
import { organisations } from './organisations.ts';

export const userRoles = ['admin', 'analyst', 'org_member'] as const;

export const users = pgTable('users', {
  id: id(),
  email: text().notNull().unique(),
  displayName: text(),
  role: text({ enum: userRoles }).notNull(),
  orgId: ref().references(() => organisations.id, { onDelete: 'cascade' }),
  passwordHash: text(),
  createdAt: createdAt(),
  disabledAt: at(),
});

/** API tokens are stored as hashes; the token itself is shown once at creation. */
export const apiTokens = pgTable('api_tokens', {
  id: id(),
  userId: ref()
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text().notNull(),
  tokenHash: text().notNull().unique(),
  scopes: text().array().notNull(),
  createdAt: createdAt(),
  lastUsedAt: at(),
  expiresAt: at(),
  revokedAt: at(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    actor: text().notNull(),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    at: createdAt(),
  },
  (t) => [index().on(t.at)],
);
