import { documentsPastRetention, markRawDeleted } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';

/**
 * Deletes raw posted files from the evidence store `retentionDays` after their extraction (the document rows, counts
 * and matches stay). Nothing is deleted when retention is 0. Returns how many files were deleted.
 */
export async function pruneRawFiles(
  deps: Pick<DocumentDeps, 'db' | 'evidence' | 'settings' | 'logger' | 'clock'>,
): Promise<number> {
  if (deps.settings.retentionDays <= 0) return 0;
  const now = deps.clock?.() ?? new Date();
  const before = new Date(now.getTime() - deps.settings.retentionDays * 86_400_000);
  let deleted = 0;
  for (;;) {
    const batch = await documentsPastRetention(deps.db, before, 200);
    if (batch.length === 0) break;
    for (const document of batch) {
      await deps.evidence.delete(document.sha256);
      await markRawDeleted(deps.db, document.id);
      deleted++;
    }
  }
  if (deleted > 0)
    deps.logger.info(
      { deleted, retentionDays: deps.settings.retentionDays },
      'raw posted files deleted (retention)',
    );
  return deleted;
}
