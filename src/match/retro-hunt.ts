/**
 * Retro-hunt: after terms or identifiers are added, re-match the posts and documents already stored, in the
 * background, with progress in the retro_hunts table (any process can follow it) and through a callback.
 *
 * Any process may run a hunt recorded by another: the CLI records it and a worker runs it (the `match.retro-hunt` job,
 * see src/match/hunt-locks.ts for why two hunts of one organisation never run at once), or the CLI runs it itself.
 *
 * Documents are re-read through `readDocument`, a callback the caller supplies (the extraction layer: it decrypts the
 * evidence and extracts text records again, since extracted text is not kept); documents it cannot read are counted
 * as skipped. Pass `onMatches` to write alerts for what the hunt finds, in the same transactions.
 */
import { and, asc, count as countRows, eq, gt, gte, inArray, type SQL } from 'drizzle-orm';
import type { TextRecord, TextRecordStream } from '../extract/text-record.ts';
import { describeError } from '../shared/errors.ts';
import { createRetroHunt, type RetroHunt, updateRetroHunt } from '../store/retro-hunts.repository.ts';
import { documents, postDocuments, posts } from '../store/schema/index.ts';
import {
  type MatchDeps,
  type MatchOutcome,
  matchDocumentForPosts,
  matchPost,
  type OnMatches,
} from './match-service.ts';

export interface DocumentToRead {
  documentId: number;
  postId: number;
  name: string;
  sha256: string | null;
  storageKey: string | null;
}

export type ReadDocument = (
  document: DocumentToRead,
) => Promise<TextRecordStream | Iterable<TextRecord> | null> | TextRecordStream | Iterable<TextRecord> | null;

export interface RetroHuntProgress {
  huntId: number;
  postsTotal: number;
  postsDone: number;
  documentsTotal: number;
  documentsDone: number;
  documentsSkipped: number;
  created: number;
  grown: number;
}

export interface RetroHuntOptions {
  /** Only this organisation's matches are created or updated. */
  orgId?: number;
  /** Only posts first seen since then (and their documents). */
  since?: Date;
  reason?: string;
  readDocument?: ReadDocument;
  onProgress?: (progress: RetroHuntProgress) => void;
  onMatches?: OnMatches;
  /** Cancels the hunt: it ends as `cancelled`. */
  signal?: AbortSignal;
  /**
   * Interrupts the hunt without ending it (the process is stopping): it stays `running` in retro_hunts with where it
   * got to, to be taken up again from there by whoever picks it up, and the run resolves to `interrupted`.
   */
  interrupt?: AbortSignal;
}

export interface StartedRetroHunt {
  hunt: RetroHunt;
  /** Resolves when the hunt is over (succeeded, failed or cancelled); never rejects. */
  done: Promise<RetroHunt['status']>;
}

export type HuntRunStatus = RetroHunt['status'] | 'interrupted';

const BATCH = 200;

/** Records a hunt to run (for this process or a worker): the row any process can follow. */
export function recordRetroHunt(
  deps: Pick<MatchDeps, 'db'>,
  options: Pick<RetroHuntOptions, 'orgId' | 'since' | 'reason'> = {},
): Promise<RetroHunt> {
  return createRetroHunt(deps.db, {
    orgId: options.orgId ?? null,
    reason: options.reason ?? 'manual',
    since: options.since ?? null,
  });
}

/** Starts a retro-hunt in the background: returns once it is recorded; `done` settles when it ends. */
export async function startRetroHunt(
  deps: MatchDeps,
  options: RetroHuntOptions = {},
): Promise<StartedRetroHunt> {
  const hunt = await recordRetroHunt(deps, options);
  const done = runRecordedHunt(deps, hunt, options).then((status) =>
    status === 'interrupted' ? 'running' : status,
  );
  return { hunt, done };
}

/**
 * Runs a hunt recorded in retro_hunts (by this process or another) to its end, from where its row says it got to (the
 * start for a new hunt): progress in its row, the status at the end. A failure is recorded on the hunt (status
 * failed) and resolved, never thrown.
 */
export async function runRecordedHunt(
  deps: MatchDeps,
  hunt: RetroHunt,
  options: Omit<RetroHuntOptions, 'orgId' | 'since' | 'reason'> = {},
): Promise<HuntRunStatus> {
  const scoped = {
    ...options,
    ...(hunt.orgId !== null ? { orgId: hunt.orgId } : {}),
    ...(hunt.since ? { since: hunt.since } : {}),
  };
  try {
    return await runRetroHunt(deps, hunt, scoped);
  } catch (error) {
    deps.logger?.error({ huntId: hunt.id, err: describeError(error) }, 'retro-hunt failed');
    await updateRetroHunt(deps.db, hunt.id, {
      status: 'failed',
      error: describeError(error),
      finishedAt: new Date(),
    }).catch(() => undefined);
    return 'failed';
  }
}

/** Runs a retro-hunt to its end in this process (startRetroHunt runs this in the background). */
export async function retroHunt(
  deps: MatchDeps,
  options: RetroHuntOptions = {},
): Promise<RetroHuntProgress & { status: RetroHunt['status'] }> {
  let last: RetroHuntProgress | undefined;
  const started = await startRetroHunt(deps, {
    ...options,
    onProgress: (p) => {
      last = p;
      options.onProgress?.(p);
    },
  });
  const status = await started.done;
  return { ...(last ?? emptyProgress(started.hunt.id)), status };
}

export function emptyProgress(huntId: number): RetroHuntProgress {
  return {
    huntId,
    postsTotal: 0,
    postsDone: 0,
    documentsTotal: 0,
    documentsDone: 0,
    documentsSkipped: 0,
    created: 0,
    grown: 0,
  };
}

/** Documents linked to the posts in the hunt's scope (each once, however many of those posts link it). */
function documentsInScope(db: MatchDeps['db'], since: SQL | undefined) {
  return db
    .selectDistinct({ documentId: postDocuments.documentId })
    .from(postDocuments)
    .innerJoin(posts, eq(posts.id, postDocuments.postId))
    .where(since);
}

async function runRetroHunt(
  deps: MatchDeps,
  hunt: RetroHunt,
  options: RetroHuntOptions,
): Promise<HuntRunStatus> {
  const { db } = deps;
  const huntId = hunt.id;
  const since: SQL | undefined = options.since ? gte(posts.firstSeenAt, options.since) : undefined;
  const postsTotal = await db.$count(posts, since);
  const documentsTotal = options.readDocument
    ? ((await db.select({ n: countRows() }).from(documentsInScope(db, since).as('in_scope')))[0]?.n ?? 0)
    : 0;
  // Taken up again (its worker stopped or died): counts and cursors go on from the last saved progress. What was
  // done after that save is matched again, which changes nothing (matching is idempotent).
  const cursor = { post: hunt.postCursor, document: hunt.documentCursor };
  // Counts saved without a cursor (by a version before cursors) go with a walk from the start: they start again too.
  const resumed = cursor.post > 0 || cursor.document > 0;
  const progress: RetroHuntProgress = {
    ...emptyProgress(huntId),
    postsTotal,
    documentsTotal,
    ...(resumed
      ? {
          postsDone: hunt.postsDone,
          documentsDone: hunt.documentsDone,
          documentsSkipped: hunt.documentsSkipped,
          created: hunt.changes.created,
          grown: hunt.changes.grown,
        }
      : {}),
  };
  if (resumed)
    deps.logger?.info(
      { huntId, postCursor: cursor.post, documentCursor: cursor.document },
      'retro-hunt resumed where it was left',
    );
  // A change is saved at once (with the cursor past it): matched again after a crash it would be no change, and lost
  // from the counts. Changes are rare; the rest is saved at most once a second.
  let changed = false;
  let lastSaved = 0;
  const save = async (force = false) => {
    options.onProgress?.({ ...progress });
    if (!force && !changed && performance.now() - lastSaved < 1000) return;
    lastSaved = performance.now();
    changed = false;
    const { postsDone, documentsDone, documentsSkipped, created, grown } = progress;
    await updateRetroHunt(db, huntId, {
      postsTotal,
      documentsTotal,
      postsDone,
      documentsDone,
      documentsSkipped,
      changes: { created, grown },
      postCursor: cursor.post,
      documentCursor: cursor.document,
      error: null,
    });
  };
  const count = (outcome: MatchOutcome) => {
    for (const change of outcome.changes) {
      if (change.kind === 'created') progress.created++;
      if (change.kind === 'grown') progress.grown++;
      changed = true;
    }
  };
  const stopped = () => options.signal?.aborted || options.interrupt?.aborted;
  const call = { onMatches: options.onMatches, onlyOrgId: options.orgId };
  await save(true);
  while (!stopped()) {
    const batch = await db
      .select({ id: posts.id })
      .from(posts)
      .where(and(gt(posts.id, cursor.post), since))
      .orderBy(asc(posts.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    for (const { id } of batch) {
      if (stopped()) break;
      count(await matchPost(deps, id, call));
      progress.postsDone++;
      cursor.post = id;
      await save();
    }
  }
  if (options.readDocument)
    await huntDocuments(deps, since, options.readDocument, progress, call, count, {
      stopped,
      save,
      cursor,
    });
  if (options.interrupt?.aborted && !options.signal?.aborted) {
    await save(true);
    return 'interrupted';
  }
  const status = options.signal?.aborted ? 'cancelled' : 'succeeded';
  await save(true);
  await updateRetroHunt(db, huntId, { status, finishedAt: new Date() });
  return status;
}

/**
 * Each document linked to a post in scope is read ONCE (decrypted and extracted again by `read`) and its analysis
 * recorded for every post in scope that links it.
 */
async function huntDocuments(
  deps: MatchDeps,
  since: SQL | undefined,
  read: ReadDocument,
  progress: RetroHuntProgress,
  call: { onMatches?: OnMatches; onlyOrgId?: number },
  count: (outcome: MatchOutcome) => void,
  loop: { stopped: () => boolean | undefined; save: () => Promise<void>; cursor: { document: number } },
): Promise<void> {
  const { cursor } = loop;
  while (!loop.stopped()) {
    const batch = await deps.db
      .select({
        documentId: documents.id,
        name: documents.name,
        sha256: documents.sha256,
        storageKey: documents.storageKey,
        status: documents.status,
      })
      .from(documents)
      .where(and(gt(documents.id, cursor.document), inArray(documents.id, documentsInScope(deps.db, since))))
      .orderBy(asc(documents.id))
      .limit(BATCH);
    if (batch.length === 0) return;
    for (const doc of batch) {
      if (loop.stopped()) return;
      cursor.document = doc.documentId; // saved only once the document is done
      const postIds = (
        await deps.db
          .select({ postId: postDocuments.postId })
          .from(postDocuments)
          .innerJoin(posts, eq(posts.id, postDocuments.postId))
          .where(and(eq(postDocuments.documentId, doc.documentId), since))
          .orderBy(asc(postDocuments.id))
      ).map((row) => row.postId);
      const records =
        doc.status === 'extracted' && postIds[0] !== undefined
          ? await read({ ...doc, postId: postIds[0] })
          : null;
      if (!records) {
        progress.documentsSkipped++;
        await loop.save();
        continue;
      }
      try {
        const outcomes = await matchDocumentForPosts(
          deps,
          { documentId: doc.documentId, postIds, records },
          call,
        );
        for (const outcome of outcomes) count(outcome);
        progress.documentsDone++;
      } catch (error) {
        progress.documentsSkipped++;
        deps.logger?.warn(
          { documentId: doc.documentId, err: describeError(error) },
          'retro-hunt could not re-read a document',
        );
      }
      await loop.save();
    }
  }
}
