import { decodeHead, detectEncoding } from '../extract/encoding.ts';
import { addListedFiles, getDocument, recordOutcome } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';
import { parseListing } from './listing.ts';

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
  const added = await addListedFiles(deps.db, { id, listingDepth: document.listingDepth }, entries);
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
