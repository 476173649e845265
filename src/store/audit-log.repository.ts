import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import type { Db } from './db.ts';
import { withDbErrors } from './db-errors.ts';
import { auditLog } from './schema/index.ts';

export type AuditEntry = typeof auditLog.$inferSelect;

export interface AuditInput {
  /** Who did it: `user:<id>`, `token:<id>`, `cli`, `loopback` (the open web UI), `system`. */
  actor: string;
  /** What was done, dotted: `org.create`, `identifiers.import`, `site.disable`. */
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  /** Counts and names only: never plaintext identifiers, secrets or tokens. */
  details?: Record<string, unknown>;
}

/** Appends one entry. Pass a transaction to make the entry part of the change it records. */
export async function appendAudit(db: Db, input: AuditInput): Promise<AuditEntry> {
  if (!input.actor.trim() || !input.action.trim()) {
    throw new InputError('audit.invalid', 'an audit entry needs an actor and an action');
  }
  const [entry] = await withDbErrors({ action: `cannot record audit entry ${input.action}` }, () =>
    db
      .insert(auditLog)
      .values({
        actor: input.actor,
        action: input.action,
        targetType: input.targetType ?? null,
        targetId: input.targetId === undefined || input.targetId === null ? null : String(input.targetId),
        details: input.details ?? {},
      })
      .returning(),
  );
  if (!entry) throw new Error('insert into audit_log returned no row');
  return entry;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string | number;
  since?: Date;
  /** Keyset paging: entries older than this id (pass the last id of the previous page). */
  beforeId?: number;
  limit?: number;
}

/** Entries newest first. */
export async function listAudit(db: Db, query: AuditQuery = {}): Promise<AuditEntry[]> {
  const conditions: SQL[] = [];
  if (query.actor !== undefined) conditions.push(eq(auditLog.actor, query.actor));
  if (query.action !== undefined) conditions.push(eq(auditLog.action, query.action));
  if (query.targetType !== undefined) conditions.push(eq(auditLog.targetType, query.targetType));
  if (query.targetId !== undefined) conditions.push(eq(auditLog.targetId, String(query.targetId)));
  if (query.since !== undefined) conditions.push(gte(auditLog.at, query.since));
  if (query.beforeId !== undefined) conditions.push(lt(auditLog.id, query.beforeId));
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
  return db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
