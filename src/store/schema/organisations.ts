import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, updatedAt } from './columns.ts';

/** A protected organisation: what leakwatch watches leak sites for. */
export const organisations = pgTable('organisations', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  aliases: text().array().notNull().default(sql`'{}'::text[]`),
  sector: text(),
  /**
   * The shape of the organisation's patient or customer ids (a bounded regular expression, e.g. `LH-\d{6}`): ids are
   * recognised in leaked text by it and checked against it on import.
   */
  patientIdPattern: text(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const domainProofStates = ['unverified', 'pending', 'verified'] as const;

export const orgDomains = pgTable(
  'org_domains',
  {
    id: id(),
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    domain: text().notNull(),
    proofState: text({ enum: domainProofStates }).notNull().default('unverified'),
    proofToken: text(),
    verifiedAt: at(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.orgId, t.domain), index().on(t.domain)],
);

export const watchTermKinds = ['keyword', 'phrase', 'domain', 'email_domain', 'regex'] as const;

export const watchTerms = pgTable(
  'watch_terms',
  {
    id: id(),
    orgId: ref()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    kind: text({ enum: watchTermKinds }).notNull(),
    /** As the organisation typed it (a name or domain, never a personal identifier). */
    pattern: text().notNull(),
    /** Folded form the matcher uses (case, accents, punctuation). */
    normalised: text().notNull(),
    muted: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.orgId, t.kind, t.normalised), index().on(t.orgId)],
);
