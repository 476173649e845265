import { customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref } from './columns.ts';
import { organisations } from './organisations.ts';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

export const identifierKinds = [
  'email',
  'login',
  'phone',
  'nir',
  'health_number',
  'patient_id',
  'name_birthdate',
] as const;

export const identifierImports = pgTable(
  'identifier_imports',
  {
    id: id(),
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    fileName: text().notNull(),
    /** `cleared`: a marker that identifiers were deleted (in-memory registries reload). */
    status: text({ enum: ['running', 'succeeded', 'failed', 'cleared'] }).notNull(),
    rowsTotal: integer().notNull().default(0),
    rowsAccepted: integer().notNull().default(0),
    rowsRejected: integer().notNull().default(0),
    /** Fingerprint of the hashing key used, so a key rotation is detected instead of silently matching nothing. */
    keyFingerprint: text().notNull(),
    error: text(),
    startedAt: createdAt(),
    finishedAt: at(),
  },
  (t) => [index().on(t.orgId)],
);

/**
 * A person's identifier, held only as HMAC-SHA256(key, normalised value). The key is never in the database.
 */
export const identifierHashes = pgTable(
  'identifier_hashes',
  {
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    kind: text({ enum: identifierKinds }).notNull(),
    hash: bytea().notNull(),
    importId: ref().references(() => identifierImports.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind, t.hash] }), index().on(t.hash)],
);
