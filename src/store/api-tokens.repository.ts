/** API tokens of the web UI and API, stored as keyed hashes: the token itself is printed once and never stored. */
import { and, asc, eq, gt, isNull, or } from 'drizzle-orm';
import { InputError } from '../shared/errors.ts';
import { appendAudit } from './audit-log.repository.ts';
import type { Db } from './db.ts';
import { apiTokens, users } from './schema/index.ts';

export interface ApiTokenSummary {
  id: number;
  name: string;
  user: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The operator account tokens belong to; created on first use (there is no user management yet). */
async function ensureUser(db: Db, email: string): Promise<number> {
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) return existing.id;
  const [created] = await db
    .insert(users)
    .values({ email, role: 'admin' })
    .onConflictDoNothing()
    .returning({ id: users.id });
  if (created) return created.id;
  const [raced] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!raced) throw new Error(`user ${email} could neither be created nor read`);
  return raced.id;
}

export async function createApiToken(
  db: Db,
  input: {
    name: string;
    userEmail: string;
    tokenHash: string;
    scopes: string[];
    expiresAt: Date | null;
    /** Who creates it, for the audit log (`cli`). */
    actor?: string;
  },
): Promise<ApiTokenSummary> {
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(eq(apiTokens.name, input.name), isNull(apiTokens.revokedAt)));
    if (clash)
      throw new InputError('tokens.name_taken', `a token named "${input.name}" already exists`, {
        hint: 'revoke it first (`leakwatch tokens revoke`) or pick another name',
      });
    const userId = await ensureUser(tx as unknown as Db, input.userEmail);
    const [row] = await tx
      .insert(apiTokens)
      .values({
        userId,
        name: input.name,
        tokenHash: input.tokenHash,
        scopes: input.scopes,
        expiresAt: input.expiresAt,
      })
      .returning();
    if (!row) throw new Error('insert into api_tokens returned no row');
    await appendAudit(tx as unknown as Db, {
      actor: input.actor ?? 'cli',
      action: 'token.create',
      targetType: 'api_token',
      targetId: row.id,
      details: { name: row.name, user: input.userEmail, expiresAt: row.expiresAt?.toISOString() ?? null },
    });
    return { ...row, user: input.userEmail };
  });
}

export async function listApiTokens(db: Db): Promise<ApiTokenSummary[]> {
  const rows = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      user: users.email,
      scopes: apiTokens.scopes,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(asc(apiTokens.id));
  return rows;
}

/** Revokes the active token of that name (or id); null when there is none. */
export async function revokeApiToken(
  db: Db,
  nameOrId: string,
  actor = 'cli',
): Promise<ApiTokenSummary | null> {
  const id = /^\d+$/.test(nameOrId) ? Number(nameOrId) : undefined;
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        isNull(apiTokens.revokedAt),
        id === undefined
          ? eq(apiTokens.name, nameOrId)
          : or(eq(apiTokens.id, id), eq(apiTokens.name, nameOrId)),
      ),
    )
    .returning({ id: apiTokens.id, name: apiTokens.name });
  if (!row) return null;
  await appendAudit(db, {
    actor,
    action: 'token.revoke',
    targetType: 'api_token',
    targetId: row.id,
    details: { name: row.name },
  });
  return (await listApiTokens(db)).find((token) => token.id === row.id) ?? null;
}

/** The token with this hash if it is usable now (not revoked, not expired, user not disabled); marks it used. */
export async function useApiToken(
  db: Db,
  tokenHash: string,
  now = new Date(),
): Promise<{ id: number; name: string } | null> {
  const [row] = await db
    .select({ id: apiTokens.id, name: apiTokens.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        isNull(users.disabledAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    );
  if (!row) return null;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  return row;
}

/** Whether any token could let someone in: a network-facing server without one serves nobody. */
export async function hasActiveApiToken(db: Db, now = new Date()): Promise<boolean> {
  const [row] = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))))
    .limit(1);
  return row !== undefined;
}
