import { renewClaim } from '../store/documents.repository.ts';
import type { DocumentDeps } from './deps.ts';

/**
 * Keeps this worker's claim on a document alive while it works on it (a third of the lease at a time), writing the
 * download progress with each renewal so `leakwatch documents` shows it. Returns the function that stops it.
 */
export function keepClaim(
  deps: Pick<DocumentDeps, 'db' | 'worker' | 'settings'>,
  id: number,
  progress?: () => { downloadedBytes: number; expectedBytes: number | null },
): () => void {
  const timer = setInterval(
    () =>
      void renewClaim(deps.db, id, deps.worker, deps.settings.leaseMs, progress?.() ?? {}).catch(
        () => undefined,
      ),
    Math.max(1000, deps.settings.leaseMs / 3),
  );
  timer.unref();
  return () => clearInterval(timer);
}
