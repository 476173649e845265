/**
 * The registry of identifiers, held only as keyed hashes (identifier_hashes) with one identifier_imports row per
 * import: who imported how many, and under which key fingerprint. Nothing here ever sees a plaintext identifier.
 */
import { type AnyColumn, and, asc, count, eq, gt, inArray, max, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { withDbErrors } from './db-errors.ts';
import { executeRows } from './raw-sql.ts';
import { identifierHashes, identifierImports, type identifierKinds, organisations } from './schema/index.ts';

export type IdentifierKind = (typeof identifierKinds)[number];
export type IdentifierImport = typeof identifierImports.$inferSelect;

/** Records the start of an import (outside the import's own transaction, so a failure can be recorded too). */
export async function startImport(
  db: Db,
  input: { orgId: number; fileName: string; keyFingerprint: string },
): Promise<IdentifierImport> {
  const [row] = await withDbErrors({ action: 'cannot start the import' }, () =>
    db
      .insert(identifierImports)
      .values({ ...input, status: 'running' })
      .returning(),
  );
  if (!row) throw new Error('insert into identifier_imports returned no row');
  return row;
}

export async function finishImport(
  db: Db,
  importId: number,
  result: Pick<IdentifierImport, 'status' | 'rowsTotal' | 'rowsAccepted' | 'rowsRejected'> & {
    error?: string | null;
  },
): Promise<void> {
  await db
    .update(identifierImports)
    .set({ ...result, error: result.error ?? null, finishedAt: new Date() })
    .where(eq(identifierImports.id, importId));
}

/**
 * Inserts an import batch's hashes (32 bytes each, concatenated, the i-th of kind `kinds[i]`) for one organisation,
 * skipping those already registered for it and that kind; returns how many were new. One statement whatever the batch
 * size, its rows unpacked by the database from the kinds and the hashes as two texts: the query builder's multi-row
 * insert spent ~100 µs per row building the statement and encoding each bytea on PGlite (40 000 rows: 4 s).
 */
export async function insertHashes(
  db: Db,
  importId: number,
  batch: { orgId: number; kinds: readonly IdentifierKind[]; hashes: Uint8Array },
): Promise<number> {
  const { orgId, kinds, hashes } = batch;
  if (hashes.length !== kinds.length * 32) throw new Error('identifier hashes are 32 bytes, one per kind');
  if (kinds.length === 0) return 0;
  const encoded = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.length).toString('base64');
  const [counted] = await executeRows<{ n: number | string }>(
    db,
    sql`with inserted as (
      insert into ${identifierHashes} (org_id, kind, hash, import_id)
      select ${orgId}::integer, k, substring(h from (i - 1)::integer * 32 + 1 for 32), ${importId}::integer
      from unnest(string_to_array(${kinds.join(',')}, ',')) with ordinality as t(k, i), decode(${encoded}, 'base64') as h
      on conflict do nothing
      returning 1
    )
    select count(*) as n from inserted`,
  );
  return Number(counted?.n ?? 0);
}

/** Registry size per organisation and kind, and the key fingerprints its imports were hashed under. */
export async function identifierStatus(
  db: Db,
  orgId?: number,
): Promise<
  Array<{
    orgId: number;
    slug: string;
    counts: Partial<Record<IdentifierKind, number>>;
    fingerprints: string[];
    lastImportAt: Date | null;
  }>
> {
  const where = orgId === undefined ? undefined : eq(identifierHashes.orgId, orgId);
  const counts = await db
    .select({ orgId: identifierHashes.orgId, kind: identifierHashes.kind, n: count() })
    .from(identifierHashes)
    .where(where)
    .groupBy(identifierHashes.orgId, identifierHashes.kind);
  const imports = await db
    .select({
      orgId: identifierImports.orgId,
      fingerprint: identifierImports.keyFingerprint,
      last: max(identifierImports.finishedAt),
    })
    .from(identifierImports)
    .where(
      and(
        eq(identifierImports.status, 'succeeded'),
        orgId === undefined ? undefined : eq(identifierImports.orgId, orgId),
      ),
    )
    .groupBy(identifierImports.orgId, identifierImports.keyFingerprint);
  const ids = [...new Set([...counts.map((c) => c.orgId), ...imports.map((i) => i.orgId)])];
  if (ids.length === 0) return [];
  const orgs = await db
    .select({ id: organisations.id, slug: organisations.slug })
    .from(organisations)
    .where(inArray(organisations.id, ids))
    .orderBy(asc(organisations.slug));
  return orgs.map((org) => {
    const own = imports.filter((i) => i.orgId === org.id);
    const last = own.map((i) => i.last).filter((d): d is Date => d instanceof Date);
    return {
      orgId: org.id,
      slug: org.slug,
      counts: Object.fromEntries(counts.filter((c) => c.orgId === org.id).map((c) => [c.kind, c.n])),
      fingerprints: [...new Set(own.map((i) => i.fingerprint))],
      lastImportAt: last.length ? new Date(Math.max(...last.map((d) => d.getTime()))) : null,
    };
  });
}

/** Deletes an organisation's identifiers (all, or some kinds) and, when all go, its import history. */
export async function clearIdentifiers(
  db: Db,
  orgId: number,
  kinds?: readonly IdentifierKind[],
): Promise<number> {
  return db.transaction(async (tx) => {
    const where = kinds?.length
      ? and(eq(identifierHashes.orgId, orgId), inArray(identifierHashes.kind, [...kinds]))
      : eq(identifierHashes.orgId, orgId);
    const deleted = await tx.delete(identifierHashes).where(where).returning({ kind: identifierHashes.kind });
    if (!kinds?.length) await tx.delete(identifierImports).where(eq(identifierImports.orgId, orgId));
    // In-memory copies of the registry reload from scratch when they see this marker.
    await tx.insert(identifierImports).values({
      orgId,
      fileName: '(cleared)',
      status: 'cleared',
      keyFingerprint: '-',
      finishedAt: new Date(),
    });
    return deleted.length;
  });
}

export interface RegistryGeneration {
  /** Import rows with id <= the given one: fewer than before means some were deleted. */
  importsUpTo: number;
  imports: number;
  maxImportId: number;
  /** Imports still running: their hashes appear when they commit, so loading must not skip past them. */
  minRunningId: number | null;
  /** Identifiers were cleared after the given import id. */
  clearedSince: boolean;
}

/** What the in-memory registry compares to know whether it is current and whether it can just load the new imports. */
export async function registryGeneration(db: Db, sinceImportId: number): Promise<RegistryGeneration> {
  const [row] = await db
    .select({
      importsUpTo: sql<number>`count(*) filter (where ${identifierImports.id} <= ${sinceImportId})`.mapWith(
        Number,
      ),
      imports: count(),
      maxImportId: max(identifierImports.id),
      minRunningId: sql<
        number | null
      >`min(${identifierImports.id}) filter (where ${identifierImports.status} = 'running')`,
      cleared:
        sql<number>`count(*) filter (where ${identifierImports.status} = 'cleared' and ${identifierImports.id} > ${sinceImportId})`.mapWith(
          Number,
        ),
    })
    .from(identifierImports);
  return {
    importsUpTo: row?.importsUpTo ?? 0,
    imports: row?.imports ?? 0,
    maxImportId: row?.maxImportId ?? 0,
    minRunningId: row?.minRunningId == null ? null : Number(row.minRunningId),
    clearedSince: (row?.cleared ?? 0) > 0,
  };
}

/** Hashes of one organisation and kind, 32 bytes each, concatenated. */
export interface HashBatch {
  orgId: number;
  kind: IdentifierKind;
  hashes: Buffer;
}

/**
 * The hashes of a group, concatenated, sent as base64 text and decoded here: PGlite turns a bytea into bytes in
 * JavaScript at ~10 MB/s (a 40 000-entry registry, 1.3 MB: 150 ms of a worker's first match), base64 natively (10 ms).
 * PostgreSQL's base64 has line breaks, which Node's decoder skips.
 */
const concatenatedHashes = (hash: SQLWrapper | AnyColumn) =>
  sql<Buffer>`encode(string_agg(${hash}, ''::bytea), 'base64')`.mapWith((text: string) =>
    Buffer.from(text, 'base64'),
  );

/**
 * Every registered hash (or those of imports after `afterImportId`), in primary-key order, in chunks of `batch` rows
 * aggregated per organisation and kind into one bytea each: a database returns a few long values much faster than
 * tens of thousands of rows (PGlite decodes rows at ~100 000/s). Memory stays bounded however large the registry.
 */
export async function* streamHashes(
  db: Db,
  options: { afterImportId?: number; batch?: number } = {},
): AsyncGenerator<HashBatch[]> {
  const batch = options.batch ?? 100_000;
  const after = options.afterImportId ? gt(identifierHashes.importId, options.afterImportId) : undefined;
  const [size] = await db.select({ n: count() }).from(identifierHashes).where(after);
  if ((size?.n ?? 0) <= batch) {
    // Small enough for one pass: no ordering, no keyset (half the time of the chunked read on PGlite).
    const groups = await db
      .select({
        orgId: identifierHashes.orgId,
        kind: identifierHashes.kind,
        hashes: concatenatedHashes(identifierHashes.hash),
      })
      .from(identifierHashes)
      .where(after)
      .groupBy(identifierHashes.orgId, identifierHashes.kind);
    if (groups.length > 0) yield groups;
    return;
  }
  let last: { orgId: number; kind: string; hash: Buffer } | undefined;
  for (;;) {
    const conditions = [
      after,
      last
        ? sql`(${identifierHashes.orgId}, ${identifierHashes.kind}, ${identifierHashes.hash}) > (${last.orgId}, ${last.kind}, ${last.hash})`
        : undefined,
    ];
    const chunk = db
      .select({ orgId: identifierHashes.orgId, kind: identifierHashes.kind, hash: identifierHashes.hash })
      .from(identifierHashes)
      .where(and(...conditions))
      .orderBy(asc(identifierHashes.orgId), asc(identifierHashes.kind), asc(identifierHashes.hash))
      .limit(batch)
      .as('chunk');
    const groups = await db
      .select({
        orgId: chunk.orgId,
        kind: chunk.kind,
        hashes: concatenatedHashes(chunk.hash),
        // max(bytea) is PostgreSQL 18+; hex of fixed-length hashes sorts the same way.
        last: sql<Buffer>`decode(max(encode(${chunk.hash}, 'hex')), 'hex')`.mapWith(identifierHashes.hash),
        rows: sql<number>`count(*)`.mapWith(Number),
      })
      .from(chunk)
      .groupBy(chunk.orgId, chunk.kind)
      .orderBy(asc(chunk.orgId), asc(chunk.kind));
    const rows = groups.reduce((n, g) => n + g.rows, 0);
    if (rows > 0)
      yield groups.map(({ orgId, kind, hashes }) => ({ orgId, kind: kind as IdentifierKind, hashes }));
    if (rows < batch) return;
    const end = groups[groups.length - 1] as (typeof groups)[number];
    last = { orgId: end.orgId, kind: end.kind, hash: end.last };
  }
}

/** Organisations whose successful imports were hashed under another key than `fingerprint`. */
export async function importsUnderOtherKeys(
  db: Db,
  fingerprint: string,
): Promise<Array<{ orgId: number; imports: number }>> {
  return db
    .select({ orgId: identifierImports.orgId, imports: count() })
    .from(identifierImports)
    .where(
      and(
        eq(identifierImports.status, 'succeeded'),
        sql`${identifierImports.keyFingerprint} <> ${fingerprint}`,
      ),
    )
    .groupBy(identifierImports.orgId);
}
