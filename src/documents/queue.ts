import { Semaphore } from '../fetch/semaphore.ts';
import { describeError } from '../shared/errors.ts';
import { claimDocuments } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';
import { type DownloadOutcome, downloadDocument } from './download-document.ts';
import { type ExtractOutcome, extractStoredDocument } from './extract-stored.ts';

export interface ProcessSummary {
  downloads: DownloadOutcome[];
  extractions: ExtractOutcome[];
  /** Operator errors (key, disk): the pass stopped on them. */
  errors: string[];
}

/**
 * One pass of the document queue, for a job to call on a schedule. `documents.concurrency` slots each take the next
 * document fairly across sites (the oldest waiting file of each site first, never more than perSiteConcurrency
 * downloads of one site at once — so one site's 10 GB dump or 500 files never hold back the others), download it,
 * and take the next, until `limit` downloads or nothing is left. A free slot keeps looking for work while another
 * still downloads: a pass lasts as long as its slowest download, and files posted meanwhile must not wait for it.
 * Meanwhile one extraction lane reads what is stored as soon as it is (extraction is CPU-bound): a small file is
 * matched while a huge one is still downloading. `signal` stops taking work and the downloads under way (they keep
 * what they stored, and wait for the next pass without counting an attempt).
 */
export async function processPendingDocuments(
  deps: DocumentDeps,
  options: { limit?: number; extractLimit?: number; signal?: AbortSignal } = {},
): Promise<ProcessSummary> {
  const summary: ProcessSummary = { downloads: [], extractions: [], errors: [] };
  const limit = options.limit ?? deps.settings.concurrency * 4;
  const extractLimit = options.extractLimit ?? 100;
  const now = () => (deps.clock ? { now: deps.clock() } : {});
  // Claims are made one at a time in this process, so two slots never both take a site's last free place.
  const claiming = new Semaphore(1);
  let started = 0;
  let downloading = true;
  // Slots claiming or downloading: while one is, a slot that found nothing waits and looks again.
  let working = 0;
  const waiters = new Set<() => void>();
  const signal = () => {
    for (const wake of [...waiters]) wake();
  };
  const changed = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      waiters.add(wake);
    });
  let broken = false;
  const stopped = () => broken || summary.errors.length > 0 || options.signal?.aborted === true;
  options.signal?.addEventListener('abort', signal, { once: true });
  const slot = async () => {
    while (started < limit && !stopped()) {
      working++;
      const [claim] = await claiming
        .run(() =>
          claimDocuments(deps.db, 'download', {
            worker: deps.worker,
            leaseMs: deps.settings.leaseMs,
            limit: 1,
            perSite: deps.settings.perSiteConcurrency,
            ...now(),
          }),
        )
        .catch((error: unknown) => {
          // The pass rejects: the other slots must not wait on this one.
          broken = true;
          working--;
          signal();
          throw error;
        });
      if (!claim) {
        working--;
        if (working === 0) break;
        // Another slot still works: files posted (or due for retry) meanwhile are taken here, not after it.
        await changed(deps.settings.idlePollMs);
        continue;
      }
      started++;
      try {
        summary.downloads.push(await downloadDocument(deps, claim.id, options.signal));
      } catch (error) {
        summary.errors.push(describeError(error));
      }
      working--;
      signal();
    }
    signal();
  };
  const lane = async () => {
    while (summary.extractions.length < extractLimit && !stopped()) {
      const [claim] = await claimDocuments(deps.db, 'extract', {
        worker: deps.worker,
        leaseMs: deps.settings.leaseMs,
        limit: 1,
        perSite: Number.MAX_SAFE_INTEGER,
        ...now(),
      });
      if (!claim) {
        if (!downloading) return;
        await changed(deps.settings.idlePollMs);
        continue;
      }
      try {
        summary.extractions.push(await extractStoredDocument(deps, claim.id, claim.extractAttempts));
      } catch (error) {
        summary.errors.push(describeError(error));
      }
    }
  };
  const extracting = lane();
  await Promise.all(Array.from({ length: deps.settings.concurrency }, slot));
  downloading = false;
  signal();
  await extracting;
  options.signal?.removeEventListener('abort', signal);
  return summary;
}
