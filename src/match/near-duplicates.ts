/**
 * Near-duplicate contents: each matched content (a post's text, a document) leaves a fingerprint — its sha256 and a
 * MinHash signature banded for lookup — so a dump re-posted elsewhere, whole or a little changed, is recognised as a
 * copy and its records join the earlier incident.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { saveFingerprint, similarContents } from '../store/fingerprints.repository.ts';
import { contentFingerprints } from '../store/schema/index.ts';
import { bands, fromBytes, similarity, toBytes } from './minhash.ts';

const NEAR_DUPLICATE = 0.8;

/** A post's text (documentId null) or one of its documents. */
interface Content {
  postId: number;
  documentId: number | null;
  sha256: string | null;
}

export interface NearDuplicate {
  postId: number;
  documentId: number | null;
  similarity: number;
  exact: boolean;
}

/** The content's own fingerprint, when it was recorded before (a re-match of the same post and document). */
export async function ownFingerprint(tx: Db, ref: Omit<Content, 'sha256'>) {
  const [row] = await tx
    .select()
    .from(contentFingerprints)
    .where(
      and(
        eq(contentFingerprints.postId, ref.postId),
        ref.documentId === null
          ? isNull(contentFingerprints.documentId)
          : eq(contentFingerprints.documentId, ref.documentId),
      ),
    );
  return row ?? null;
}

/**
 * The earlier content this one repeats (same sha256, or MinHash similarity at least NEAR_DUPLICATE), if any; saves the
 * content's own fingerprint for the contents after it.
 */
export async function findNearDuplicate(
  tx: Db,
  ref: Content,
  signature: Uint32Array | null,
): Promise<NearDuplicate | null> {
  const bandList = signature ? bands(signature) : [];
  const own = await ownFingerprint(tx, ref);
  const candidates = await similarContents(tx, {
    postId: ref.postId,
    documentId: ref.documentId,
    sha256: ref.sha256,
    bands: bandList,
  });
  let best: NearDuplicate | null = null;
  for (const other of candidates) {
    // Only an earlier content is repeated: re-matching the first copy must not call it a copy of a later one (the
    // record would change at every re-match of a file posted twice).
    if (own && other.id > own.id) continue;
    const exact = ref.sha256 !== null && other.sha256 === ref.sha256;
    const score = exact ? 1 : signature ? similarity(signature, fromBytes(other.minhash)) : 0;
    if (score >= NEAR_DUPLICATE && (!best || score > best.similarity))
      best = { postId: other.postId, documentId: other.documentId, similarity: score, exact };
  }
  if (signature || ref.sha256) {
    const empty = new Uint32Array(128);
    await saveFingerprint(tx, {
      postId: ref.postId,
      documentId: ref.documentId,
      sha256: ref.sha256,
      minhash: toBytes(signature ?? empty),
      bands: bandList,
    });
  }
  return best;
}
