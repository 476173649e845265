import { eq, sql } from 'drizzle-orm';
import { decodeHead, detectEncoding } from '../extract/encoding.ts';
import { addListedFiles, getDocument, recordOutcome } from '../store/documents.repository.ts';
import { documents, postDocuments } from '../store/schema/index.ts';
import type { DocumentDeps } from './deps.ts';
import { parseListing } from './listing.ts';
import { recordNewLinks } from './new-links.ts';

const MAX_LISTING_BYTES = 8 * 1024 * 1024;

/**
 * When a downloaded HTML file is a directory listing, its files and subdirectories become documents of the same
 * posts (one level deeper), and the listing itself is recorded as extracted. Returns undefined for other HTML.
 */
export async function expandListing(
  deps: DocumentDeps,
  id: number,
  head: Buffer,
  sha256: string,
  url: string,
): Promise<{ files: number } | undefined> {
  const document = await getDocument(deps.db, id);
  if (!document || (document.sizeBytes ?? 0) > MAX_LISTING_BYTES) return undefined;
  const bytes = (document.sizeBytes ?? 0) <= head.length ? head : await deps.evidence.get(sha256);
  const listing = parseListing(decodeHead(bytes, detectEncoding(bytes).encoding), url);
  if (!listing) return undefined;
  const warnings: string[] = [];
  let entries = listing.entries;
  if (document.listingDepth >= deps.settings.listingDepth) {
    warnings.push(
      `${entries.length} entries not followed: the listing is ${document.listingDepth} levels deep (documents.listingDepth)`,
    );
    entries = [];
  } else if (entries.length > deps.settings.maxListingEntries) {
    warnings.push(
      `${entries.length - deps.settings.maxListingEntries} entries not followed: more than ${deps.settings.maxListingEntries} in one listing`,
    );
    entries = entries.slice(0, deps.settings.maxListingEntries);
  }
  const before = await linkCounts(deps, id);
  const added = await addListedFiles(deps.db, { id, listingDepth: document.listingDepth }, entries);
  await recordChildrenNewLinks(deps, id, before);
  const directories = listing.entries.filter((entry) => entry.directory).length;
  await recordOutcome(deps.db, id, {
    status: 'extracted',
    sniffedType: 'directory_listing',
    error: null,
    warnings,
    counts: { files: listing.entries.length - directories, directories, added },
  });
  deps.logger.info(
    { document: id, style: listing.style, entries: listing.entries.length, added },
    'directory listing expanded',
  );
  return { files: added };
}

type LinkCounts = Map<number, number>;

/** The listing's files and subdirectories, with how many posts link each. */
async function linkCounts(deps: Pick<DocumentDeps, 'db'>, listingId: number): Promise<LinkCounts> {
  const rows = await deps.db
    .select({ id: documents.id, links: sql<number>`count(${postDocuments.id})::int` })
    .from(documents)
    .leftJoin(postDocuments, eq(postDocuments.documentId, documents.id))
    .where(eq(documents.parentId, listingId))
    .groupBy(documents.id);
  return new Map(rows.map((row) => [row.id, Number(row.links)]));
}

/**
 * A listing posted again links its known files to the new posts (addListedFiles); files already read get their
 * findings recorded for those posts without being read again, and subdirectories already expanded link their own
 * files to the new posts in turn (they are not downloaded again either).
 */
async function recordChildrenNewLinks(
  deps: DocumentDeps,
  listingId: number,
  before: LinkCounts,
): Promise<void> {
  const after = await linkCounts(deps, listingId);
  for (const [childId, links] of after) {
    if (links <= (before.get(childId) ?? 0) || !before.has(childId)) continue;
    const child = await getDocument(deps.db, childId);
    if (!child) continue;
    if (child.sniffedType === 'directory_listing' && child.status === 'extracted') {
      const known = await linkCounts(deps, childId);
      const entries = await deps.db
        .selectDistinctOn([postDocuments.documentId], {
          url: postDocuments.sourceUrl,
          name: postDocuments.fileName,
        })
        .from(postDocuments)
        .innerJoin(documents, eq(documents.id, postDocuments.documentId))
        .where(eq(documents.parentId, childId))
        .orderBy(postDocuments.documentId, postDocuments.id);
      await addListedFiles(deps.db, { id: childId, listingDepth: child.listingDepth }, entries);
      await recordChildrenNewLinks(deps, childId, known);
    } else {
      await recordNewLinks(deps, childId);
    }
  }
}
