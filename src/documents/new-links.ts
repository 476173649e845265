import { describeError } from '../shared/errors.ts';
import { documentSources, getDocument, recordOutcome } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';

const READ: readonly string[] = ['extracted', 'needs_ocr', 'password_protected'];

/**
 * Posts linked a document after it was read (the same bytes found on another site, a listing posted again, a link
 * made while it was being extracted). The content is the same file, so it is not downloaded or read again: the
 * consumer records for the new posts what it found for the earlier ones. Only when the consumer cannot (it keeps no
 * findings, or the document was never recorded for any post) does the document go back to be read with every post.
 * Returns what was done. Calling it again changes nothing (the consumer records each post once).
 */
export async function recordNewLinks(
  deps: Pick<DocumentDeps, 'db' | 'consumer' | 'logger'>,
  id: number,
): Promise<'recorded' | 'read_again' | 'not_read'> {
  const document = await getDocument(deps.db, id);
  if (!document?.sha256 || !READ.includes(document.status) || document.sniffedType === 'directory_listing')
    return 'not_read';
  const sources = await documentSources(deps.db, id);
  let recorded = false;
  try {
    recorded =
      (await deps.consumer.linked?.({ id, name: document.name, sha256: document.sha256, sources })) ?? false;
  } catch (error) {
    // Matching failed, not the file: reading it again records every post (and retries the matching).
    deps.logger.error(
      { document: id, error: describeError(error) },
      'recording a document for the posts that linked it later failed; it is read again',
    );
  }
  if (recorded) return 'recorded';
  if (document.rawDeletedAt) {
    deps.logger.warn(
      { document: id },
      'posts linked a document whose findings are unknown and whose raw file retention deleted; a retro-hunt cannot read it either',
    );
    return 'not_read';
  }
  await recordOutcome(deps.db, id, { status: 'stored' });
  return 'read_again';
}
