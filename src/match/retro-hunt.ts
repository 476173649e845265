/**
 * Retro-hunt: after terms or identifiers are added, re-match the posts and documents already stored, in the
 * background, with progress in the retro_hunts table (any process can follow it) and through a callback.
 *
 * Documents are re-read through `readDocument`, a callback the caller supplies (the extraction layer: it decrypts the
 * evidence and extracts text records again, since extracted text is not kept); documents it cannot read are counted
 * as skipped. Pass `onMatches` to write alerts for what the hunt finds, in the same transactions.
 */
import { and, asc, count as countRows, eq, gt, gte, type SQL } from 'drizzle-orm';
import type { TextRecord, TextRecordStream } from '../extract/text-record.ts';
import { describeError } from '../shared/errors.ts';
import { createRetroHunt, type RetroHunt, updateRetroHunt } from '../store/retro-hunts.repository.ts';
import { documents, postDocuments, posts } from '../store/schema/index.ts';
import { type MatchDeps, matchDocument, matchPost, type OnMatches } from './match-service.ts';

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
  signal?: AbortSignal;
}

export interface StartedRetroHunt {
  hunt: RetroHunt;
  /** Resolves when the hunt is over (succeeded, failed or cancelled); never rejects. */
  done: Promise<RetroHunt['status']>;
}

const BATCH = 200;

/** Starts a retro-hunt in the background: returns once it is recorded; `done` settles when it ends. */
export async function startRetroHunt(
  deps: MatchDeps,
  options: RetroHuntOptions = {},
): Promise<StartedRetroHunt> {
  const hunt = await createRetroHunt(deps.db, {
    orgId: options.orgId ?? null,
    reason: options.reason ?? 'manual',
    since: options.since ?? null,
  });
  const done = runRetroHunt(deps, hunt.id, options).catch(async (error) => {
    deps.logger?.error({ huntId: hunt.id, err: describeError(error) }, 'retro-hunt failed');
    await updateRetroHunt(deps.db, hunt.id, {
      status: 'failed',
      error: describeError(error),
      finishedAt: new Date(),
    }).catch(() => undefined);
    return 'failed' as const;
  });
  return { hunt, done };
}

/** Runs a retro-hunt to its end (startRetroHunt runs this in the background). */
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
  return {
    ...(last ?? {
      huntId: started.hunt.id,
      postsTotal: 0,
      postsDone: 0,
      documentsTotal: 0,
      documentsDone: 0,
      documentsSkipped: 0,
      created: 0,
      grown: 0,
    }),
    status,
  };
}

async function runRetroHunt(
  deps: MatchDeps,
  huntId: number,
  options: RetroHuntOptions,
): Promise<RetroHunt['status']> {
  const { db } = deps;
  const since: SQL | undefined = options.since ? gte(posts.firstSeenAt, options.since) : undefined;
  const postsTotal = await db.$count(posts, since);
  const documentsTotal = options.readDocument
    ? ((
        await db
          .select({ n: countRows() })
          .from(postDocuments)
          .innerJoin(posts, eq(posts.id, postDocuments.postId))
          .where(since)
      )[0]?.n ?? 0)
    : 0;
  const progress: RetroHuntProgress = {
    huntId,
    postsTotal,
    postsDone: 0,
    documentsTotal,
    documentsDone: 0,
    documentsSkipped: 0,
    created: 0,
    grown: 0,
  };
  let lastSaved = 0;
  const save = async (force = false) => {
    options.onProgress?.({ ...progress });
    if (!force && performance.now() - lastSaved < 1000) return;
    lastSaved = performance.now();
    const { postsDone, documentsDone, documentsSkipped, created, grown } = progress;
    await updateRetroHunt(db, huntId, {
      postsTotal,
      documentsTotal,
      postsDone,
      documentsDone,
      documentsSkipped,
      changes: { created, grown },
    });
  };
  const count = (outcome: Awaited<ReturnType<typeof matchPost>>) => {
    for (const change of outcome.changes) {
      if (change.kind === 'created') progress.created++;
      if (change.kind === 'grown') progress.grown++;
    }
  };
  const call = { onMatches: options.onMatches, onlyOrgId: options.orgId };
  await save(true);
  let afterId = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await db
      .select({ id: posts.id })
      .from(posts)
      .where(and(gt(posts.id, afterId), since))
      .orderBy(asc(posts.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    for (const { id } of batch) {
      if (options.signal?.aborted) break;
      count(await matchPost(deps, id, call));
      progress.postsDone++;
      afterId = id;
      if (options.readDocument) await huntDocuments(deps, id, options.readDocument, progress, call, count);
      await save();
    }
  }
  const status = options.signal?.aborted ? 'cancelled' : 'succeeded';
  await save(true);
  await updateRetroHunt(db, huntId, { status, finishedAt: new Date() });
  return status;
}

async function huntDocuments(
  deps: MatchDeps,
  postId: number,
  read: ReadDocument,
  progress: RetroHuntProgress,
  call: { onMatches?: OnMatches; onlyOrgId?: number },
  count: (outcome: Awaited<ReturnType<typeof matchDocument>>) => void,
): Promise<void> {
  const linked = await deps.db
    .select({
      documentId: documents.id,
      name: documents.name,
      sha256: documents.sha256,
      storageKey: documents.storageKey,
      status: documents.status,
    })
    .from(postDocuments)
    .innerJoin(documents, eq(documents.id, postDocuments.documentId))
    .where(eq(postDocuments.postId, postId))
    .orderBy(asc(documents.id));
  for (const doc of linked) {
    const records = doc.status === 'extracted' ? await read({ ...doc, postId }) : null;
    if (!records) {
      progress.documentsSkipped++;
      continue;
    }
    try {
      count(await matchDocument(deps, { postId, documentId: doc.documentId, records }, call));
      progress.documentsDone++;
    } catch (error) {
      progress.documentsSkipped++;
      deps.logger?.warn(
        { documentId: doc.documentId, err: describeError(error) },
        'retro-hunt could not re-read a document',
      );
    }
  }
}
