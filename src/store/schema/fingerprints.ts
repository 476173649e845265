import { bigint, index, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, id, ref } from './columns.ts';
import { documents } from './documents.ts';
import { bytea } from './identifiers.ts';
import { posts } from './posts.ts';

/**
 * What a post's text or a document looked like, for recognising reposts: the sha256 of the content (exact) and a
 * MinHash signature over word shingles (near-identical: the same dump re-posted elsewhere, re-zipped or with rows
 * added). `bands` are the locality-sensitive hashes of the signature: two contents sharing a band are compared.
 * Holds no text.
 */
export const contentFingerprints = pgTable(
  'content_fingerprints',
  {
    id: id(),
    postId: ref()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    documentId: ref().references(() => documents.id, { onDelete: 'cascade' }),
    sha256: text(),
    /** 128 minimum hashes, 4 bytes each, little-endian. */
    minhash: bytea().notNull(),
    bands: bigint({ mode: 'number' }).array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique().on(t.postId, t.documentId).nullsNotDistinct(),
    index().on(t.sha256),
    index('content_fingerprints_bands_idx').using('gin', t.bands),
  ],
);
