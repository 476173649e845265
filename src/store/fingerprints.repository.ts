/** Content fingerprints (sha256 and MinHash bands) of posts and documents, for recognising reposts. */
import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { contentFingerprints } from './schema/index.ts';

export type ContentFingerprint = typeof contentFingerprints.$inferSelect;

export async function saveFingerprint(
  db: Db,
  input: {
    postId: number;
    documentId: number | null;
    sha256: string | null;
    minhash: Buffer;
    bands: number[];
  },
): Promise<void> {
  await db
    .insert(contentFingerprints)
    .values(input)
    .onConflictDoUpdate({
      target: [contentFingerprints.postId, contentFingerprints.documentId],
      set: { sha256: input.sha256, minhash: input.minhash, bands: input.bands },
    });
}

/** Earlier contents with the same sha256 or a shared MinHash band, other than (postId, documentId) itself. */
export async function similarContents(
  db: Db,
  input: { postId: number; documentId: number | null; sha256: string | null; bands: readonly number[] },
): Promise<ContentFingerprint[]> {
  const either: SQL[] = [];
  if (input.sha256) either.push(eq(contentFingerprints.sha256, input.sha256));
  if (input.bands.length) {
    either.push(
      sql`${contentFingerprints.bands} && array[${sql.join(
        input.bands.map((band) => sql`${band}`),
        sql`, `,
      )}]::bigint[]`,
    );
  }
  if (either.length === 0) return [];
  const self =
    input.documentId === null
      ? and(eq(contentFingerprints.postId, input.postId), isNull(contentFingerprints.documentId))
      : and(
          eq(contentFingerprints.postId, input.postId),
          eq(contentFingerprints.documentId, input.documentId),
        );
  return db
    .select()
    .from(contentFingerprints)
    .where(and(sql`(${sql.join(either, sql` or `)})`, sql`not (${self})`))
    .orderBy(asc(contentFingerprints.id))
    .limit(50);
}
