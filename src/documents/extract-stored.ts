import { describeError, isAppError } from '../shared/errors.ts';
import { documentSources, getDocument, recordOutcome } from '../store/documents.repository.ts';
import { keepClaim } from './claim.ts';
import type { DocumentDeps } from './deps.ts';
import { extractWithinBudget } from './extract-budget.ts';
import { recordNewLinks } from './new-links.ts';

export type ExtractOutcome =
  | {
      status: 'extracted' | 'needs_ocr' | 'password_protected' | 'rejected' | 'too_large' | 'failed';
      id: number;
      records: number;
      error?: string;
    }
  | { status: 'retry' | 'gone'; id: number; error: string };

/**
 * Reads a stored document's text (decrypted as it is read; archives opened in place) and hands the records to the
 * consumer (matching), then records the status, counts, warnings and timings. What the file does never throws.
 * `attempt` is the claim's count of extractions started: past the budget's, the earlier ones never ended (a poison
 * file that kills its worker) and the document is rejected unread.
 */
export async function extractStoredDocument(
  deps: DocumentDeps,
  id: number,
  attempt?: number,
): Promise<ExtractOutcome> {
  if (attempt !== undefined && attempt > deps.settings.budget.maxAttempts) {
    const error = `extraction started ${attempt - 1} times and never finished (the worker crashed or was killed, e.g. out of memory): not tried again`;
    await recordOutcome(deps.db, id, { status: 'rejected', error });
    deps.logger.warn({ document: id, attempts: attempt - 1 }, 'document rejected: extraction never finished');
    return { status: 'rejected', id, records: 0, error };
  }
  const document = await getDocument(deps.db, id);
  if (!document?.sha256) return { status: 'gone', id, error: 'no stored file for this document' };
  const sources = await documentSources(deps.db, id);
  const reader = await deps.evidence.openReader(document.sha256);
  const started = performance.now();
  const log = deps.logger.child({ document: id, name: document.name });
  const release = keepClaim(deps, id);
  try {
    const extraction = extractWithinBudget(
      { name: document.name, access: reader },
      {
        limits: deps.settings.extract,
        ocr: deps.ocr,
        allowedKinds: deps.settings.kinds,
        ...(deps.tempDir ? { tempDir: deps.tempDir } : {}),
      },
      deps.settings.budget,
    );
    try {
      await deps.consumer.consume(
        { id, name: document.name, sha256: document.sha256, sources },
        extraction.records,
      );
    } catch (error) {
      if (isAppError(error) && error.disposition === 'tell_operator') throw error;
      // Matching failed, not the file: keep the file stored and try again later.
      const message = `matching failed: ${describeError(error)}`;
      const retryAt = new Date((deps.clock?.() ?? new Date()).getTime() + deps.settings.retryBaseMs);
      await recordOutcome(deps.db, id, { status: 'stored', error: message, retryAt, extractAttempts: 0 });
      log.error({ error: message }, 'document consumer failed');
      return { status: 'retry', id, error: message };
    }
    const crash = extraction.crash();
    if (crash) {
      // Not the budget (that is a rejection): tried again later, and counted, so a file that always crashes ends.
      const retryAt = new Date((deps.clock?.() ?? new Date()).getTime() + deps.settings.retryBaseMs);
      await recordOutcome(deps.db, id, { status: 'stored', error: crash, retryAt, countAttempt: false });
      log.error({ error: crash }, 'document extraction crashed');
      return { status: 'retry', id, error: crash };
    }
    const summary = extraction.summary();
    await recordOutcome(deps.db, id, {
      extractAttempts: 0,
      status: summary.status,
      error: summary.error ?? null,
      warnings: summary.warnings,
      sniffedType: summary.kind,
      counts: Object.fromEntries(Object.entries(summary.counts).filter(([, value]) => value > 0)),
      timings: { extractMs: Math.round(performance.now() - started) },
    });
    // A post linked the same file while it was being read: it gets what was found for the others, unread.
    const now = await documentSources(deps.db, id);
    if (now.some((late) => !sources.some((known) => known.postId === late.postId)))
      await recordNewLinks(deps, id);
    log.info(
      { status: summary.status, kind: summary.kind, ...summary.counts, error: summary.error },
      'document extracted',
    );
    deps.progress?.(
      `${document.name}: ${summary.status}, ${summary.counts.records} records${summary.error ? ` — ${summary.error}` : ''}`,
    );
    return {
      status: summary.status,
      id,
      records: summary.counts.records,
      ...(summary.error ? { error: summary.error } : {}),
    };
  } catch (error) {
    await recordOutcome(deps.db, id, { status: 'stored', error: describeError(error), extractAttempts: 0 });
    throw error;
  } finally {
    release();
    await reader.close();
  }
}
