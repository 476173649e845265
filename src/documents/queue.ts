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
 * and take the next, until `limit` downloads or nothing is left. Meanwhile one extraction lane reads what is stored
 * as soon as it is (extraction is CPU-bound): a small file is matched while a huge one is still downloading.
 */
export async function processPendingDocuments(
  deps: DocumentDeps,
  options: { limit?: number; extractLimit?: number } = {},
): Promise<ProcessSummary> {
  const summary: ProcessSummary = { downloads: [], extractions: [], errors: [] };
  const limit = options.limit ?? deps.settings.concurrency * 4;
  const extractLimit = options.extractLimit ?? 100;
  const now = () => (deps.clock ? { now: deps.clock() } : {});
  // Claims are made one at a time in this process, so two slots never both take a site's last free place.
  const claiming = new Semaphore(1);
  let started = 0;
  let downloading = true;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const slot = async () => {
    while (started < limit && summary.errors.length === 0) {
      const [claim] = await claiming.run(() =>
        claimDocuments(deps.db, 'download', {
          worker: deps.worker,
          leaseMs: deps.settings.leaseMs,
          limit: 1,
          perSite: deps.settings.perSiteConcurrency,
          ...now(),
        }),
      );
      if (!claim) return;
      started++;
      try {
        summary.downloads.push(await downloadDocument(deps, claim.id));
      } catch (error) {
        summary.errors.push(describeError(error));
      }
      signal();
    }
  };
  const lane = async () => {
    while (summary.extractions.length < extractLimit && summary.errors.length === 0) {
      const [claim] = await claimDocuments(deps.db, 'extract', {
        worker: deps.worker,
        leaseMs: deps.settings.leaseMs,
        limit: 1,
        perSite: Number.MAX_SAFE_INTEGER,
        ...now(),
      });
      if (!claim) {
        if (!downloading) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
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
  return summary;
}
