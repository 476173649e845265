import { configurableKind, UNSUPPORTED } from '../extract/registry.ts';
import { sniffKind } from '../extract/sniff.ts';
import { download } from '../fetch/download.ts';
import { FetchError, PageRejectedError } from '../fetch/fetch-errors.ts';
import { describeError, InputError, isAppError } from '../shared/errors.ts';
import {
  documentSources,
  getDocument,
  postBytesUsed,
  recordOutcome,
  recordStored,
} from '../store/documents.repository.ts';
import { getSite } from '../store/sites.repository.ts';
import { onionUrlProblem } from '../tor/onion-address.ts';
import { keepClaim } from './claim.ts';
import type { DocumentDeps } from './deps.ts';
import { expandListing } from './expand-listing.ts';
import { recordNewLinks } from './new-links.ts';

export type DownloadOutcome =
  | { status: 'stored'; id: number; merged: boolean; bytes: number; kind: string }
  | { status: 'listing'; id: number; files: number }
  | { status: 'retry' | 'failed' | 'too_large' | 'rejected' | 'gone'; id: number; error: string };

const PROGRESS_EVERY_MS = 5_000;

/** What a refused head says: a kind that is not allowed, or one that cannot be read at all. */
function refuseKind(head: Buffer, deps: DocumentDeps, url: string): void {
  const kind = sniffKind(head);
  if (kind in UNSUPPORTED && kind !== 'empty') {
    throw new InputError(
      'documents.kind_refused',
      `${url}: ${UNSUPPORTED[kind as keyof typeof UNSUPPORTED]} (not downloaded)`,
    );
  }
  // HTML is always taken: directory listings are HTML. Whether HTML is read as a document is decided at extraction.
  if (
    kind !== 'html' &&
    kind !== 'empty' &&
    kind !== 'zip' &&
    !deps.settings.kinds.has(configurableKind(kind))
  ) {
    throw new InputError(
      'documents.kind_refused',
      `${url}: ${kind} files are not in documents.kinds (not downloaded)`,
    );
  }
}

/**
 * Downloads one claimed document through Tor (the site's isolated circuit) into the evidence store, resuming what an
 * earlier attempt left; merges it with an earlier copy of the same file; expands a directory listing into documents.
 * Never throws for what the site or the file does: the outcome is recorded on the document.
 */
export async function downloadDocument(
  deps: DocumentDeps,
  id: number,
  signal?: AbortSignal,
): Promise<DownloadOutcome> {
  const now = () => deps.clock?.() ?? new Date();
  const document = await getDocument(deps.db, id);
  if (!document) return { status: 'gone', id, error: 'the document no longer exists' };
  const [source] = await documentSources(deps.db, id);
  const fail = async (
    status: 'failed' | 'too_large' | 'rejected',
    error: string,
  ): Promise<DownloadOutcome> => {
    await recordOutcome(deps.db, id, { status, error });
    deps.logger.warn({ document: id, status, error }, 'document not downloaded');
    return { status, id, error };
  };
  if (!source) return fail('rejected', 'no post links to this document');
  const problem = onionUrlProblem(source.url);
  if (problem) return fail('rejected', `${source.url}: only .onion links are downloaded (${problem})`);
  const site = await getSite(deps.db, source.siteId);
  const allowedHosts = new Set([
    new URL(source.url).hostname.toLowerCase(),
    ...(site?.mirrors ?? []).map((mirror) => new URL(mirror.url).hostname.toLowerCase()),
  ]);
  const used = await postBytesUsed(deps.db, id);
  const room = Math.min(deps.settings.maxFileBytes, deps.settings.maxPostBytes - used);
  if (room <= 0)
    return fail(
      'too_large',
      `the post's files already take ${used} bytes, the limit for one post is ${deps.settings.maxPostBytes}`,
    );

  const upload = await deps.evidence.openUpload(`document-${id}`);
  const log = deps.logger.child({ document: id, url: source.url });
  let lastReport = 0;
  let progress = { downloadedBytes: upload.offset, expectedBytes: document.expectedBytes };
  const release = keepClaim(deps, id, () => progress);
  const started = performance.now();
  try {
    const result = await download(
      deps.agents,
      {
        url: source.url,
        siteId: source.siteId,
        allowedHosts,
        maxBytes: room,
        limits: deps.settings.download,
        inspect: (head) => refuseKind(head, deps, source.url),
        ...(signal ? { signal } : {}),
        onProgress: (received, expected) => {
          progress = { downloadedBytes: received, expectedBytes: expected ?? null };
          const at = performance.now();
          if (at - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = at;
          log.info({ received, expected }, 'downloading');
          deps.progress?.(
            `${document.name}: ${(received / 1048576).toFixed(1)} MB${expected ? ` of ${(expected / 1048576).toFixed(1)} MB` : ''}`,
          );
        },
      },
      upload,
    );
    const kind = sniffKind(upload.head);
    const head = upload.head;
    const stored = await upload.commit();
    const saved = await recordStored(deps.db, id, {
      sha256: stored.sha256,
      sizeBytes: stored.size,
      sniffedType: kind,
      // An HTML page stays claimed until it is known whether it is a listing, so no extraction takes it meanwhile.
      status: kind === 'html' ? 'downloading' : 'stored',
      timings: {
        downloadMs: Math.round(performance.now() - started),
        firstByteMs: result.timings.firstByteMs,
        resumes: result.resumes,
        restarts: result.restarts,
      },
    });
    log.info(
      { bytes: stored.size, sha256: stored.sha256, merged: saved.merged, resumes: result.resumes },
      'document stored',
    );
    if (kind === 'html') {
      // A listing posted again (same bytes) is expanded again: its files get linked to the new post.
      const target = saved.merged ? await getDocument(deps.db, saved.id) : undefined;
      if (!saved.merged || target?.sniffedType === 'directory_listing') {
        const expanded = await expandListing(deps, saved.id, head, stored.sha256, result.url);
        if (expanded) return { status: 'listing', id: saved.id, files: expanded.files };
      }
      if (!saved.merged) await recordOutcome(deps.db, saved.id, { status: 'stored' });
    }
    // The same bytes were already read for other posts: this post gets their findings without a second reading.
    if (saved.merged) await recordNewLinks(deps, saved.id);
    return { status: 'stored', id: saved.id, merged: saved.merged, bytes: stored.size, kind };
  } catch (error) {
    const message = describeError(error);
    if (error instanceof PageRejectedError) {
      await upload.discard();
      if (error.failure === 'too_large' && room < deps.settings.maxFileBytes)
        return fail(
          'too_large',
          `${message} (the post's other files already take ${used} of the ${deps.settings.maxPostBytes} bytes allowed for one post)`,
        );
      return fail(
        error.failure === 'too_large' ? 'too_large' : error.failure === 'http_status' ? 'failed' : 'rejected',
        message,
      );
    }
    if (error instanceof InputError) {
      await upload.discard();
      return fail('rejected', message);
    }
    if (error instanceof FetchError || !isAppError(error)) {
      await upload.close();
      if (signal?.aborted) {
        // This worker is stopping: not the file's fault; it waits for the next pass (of any worker), resumed.
        await recordOutcome(deps.db, id, {
          status: 'pending',
          error: message,
          retryAt: now(),
          countAttempt: false,
          downloadedBytes: upload.offset,
        });
        log.info({ received: upload.offset }, 'download stopped with the worker, will resume');
        return { status: 'retry', id, error: message };
      }
      // Tor itself being down is not the file's fault: retried without counting an attempt.
      const countAttempt = !(error instanceof FetchError && error.failure === 'tor_unavailable');
      const attempts = document.attempts + (countAttempt ? 1 : 0);
      if (attempts >= deps.settings.maxAttempts) {
        await upload.discard();
        return fail('failed', `${message} (gave up after ${attempts} attempts)`);
      }
      const retryAt = new Date(now().getTime() + deps.settings.retryBaseMs * 2 ** Math.max(attempts - 1, 0));
      await recordOutcome(deps.db, id, {
        status: 'pending',
        error: message,
        retryAt,
        countAttempt,
        downloadedBytes: upload.offset,
      });
      log.warn({ error: message, received: upload.offset, retryAt }, 'download interrupted, will resume');
      return { status: 'retry', id, error: message };
    }
    await upload.close();
    await recordOutcome(deps.db, id, { status: 'pending', error: message });
    throw error;
  } finally {
    release();
  }
}
