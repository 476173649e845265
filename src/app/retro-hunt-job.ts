/**
 * The `match.retro-hunt` job: a worker runs the hunt the CLI recorded, once no other hunt of its organisation runs
 * (hunt-locks.ts), with what it finds alerted like any match. A job runs one slice of the hunt (match.huntSliceSeconds),
 * then hands the rest on to a new job and ends: the hunt's row keeps where it got to, so the next job — on this worker
 * or another — goes on from there. A job that outlives its expiry therefore means a worker that died, and another takes
 * the hunt up within 15 minutes instead of after the longest hunt. A worker stopping mid-slice hands the hunt back to
 * the queue (the job fails and is retried); a copy of the job that finds its hunt over does nothing.
 */
import { lockHunt } from '../match/hunt-locks.ts';
import { type RetroHuntProgress, runRecordedHunt } from '../match/retro-hunt.ts';
import { storedDocumentReader } from '../match/stored-documents.ts';
import { retroHuntJob } from '../queue/jobs.ts';
import { type JobHandler, jobIdFor, type Queue } from '../queue/queue.ts';
import { RetryableError } from '../shared/errors.ts';
import { moduleLogger } from '../shared/logger.ts';
import { getRetroHunt } from '../store/retro-hunts.repository.ts';
import type { AppContext } from './context.ts';
import type { LeakPipeline } from './leak-pipeline.ts';

const itemsDone = (p: RetroHuntProgress) => p.postsDone + p.documentsDone + p.documentsSkipped;

export function retroHuntHandler(
  ctx: AppContext,
  pipeline: LeakPipeline,
  stopping: AbortSignal,
  /** The queue the next slice is sent to, once the worker has one (undefined: the hunt runs in one job). */
  queue: () => Queue | undefined,
): JobHandler<{ huntId: number }> {
  const log = moduleLogger(ctx.logger, 'retro-hunt');
  const readDocument = storedDocumentReader(ctx);
  const sliceMs = ctx.config.match.huntSliceSeconds * 1000;
  const current = async (huntId: number) => {
    const hunt = await getRetroHunt(ctx.database.db, huntId);
    return hunt?.status === 'running' ? hunt : null;
  };
  return async (job) => {
    const { huntId } = job.data;
    const recorded = await current(huntId);
    if (!recorded) return;
    const lock = await lockHunt(ctx.database, recorded, {
      signal: stopping,
      onWait: () => log.info({ huntId }, 'waiting for the running retro-hunt of the same organisation'),
    });
    try {
      const hunt = await current(huntId);
      if (!hunt) return;
      log.info({ huntId, orgId: hunt.orgId, attempt: job.retryCount + 1 }, 'retro-hunt started');
      // The slice ends at the first post or document done after its time: every job moves the hunt on, however slow
      // one item is or however short the slice.
      const slice = new AbortController();
      const sliced = queue() !== undefined;
      const deadline = performance.now() + sliceMs;
      let startedAt: number | undefined;
      let last: RetroHuntProgress | undefined;
      const status = await runRecordedHunt(pipeline.match, hunt, {
        readDocument,
        onMatches: pipeline.onMatches,
        interrupt: AbortSignal.any([stopping, slice.signal]),
        onProgress: (progress) => {
          last = progress;
          startedAt ??= itemsDone(progress);
          if (sliced && itemsDone(progress) > startedAt && performance.now() >= deadline) slice.abort();
        },
      });
      if (status === 'interrupted') {
        const next = stopping.aborted ? undefined : queue();
        if (!next)
          throw new RetryableError(
            'match.hunt_interrupted',
            `retro-hunt #${huntId} interrupted: the worker is stopping; another run goes on from where it got to`,
          );
        // Named after the progress, so two copies of a job that reached the same point hand on one job, not two.
        const at = last ? `${last.postsDone}:${last.documentsDone}:${last.documentsSkipped}` : 'start';
        await next.send(retroHuntJob, { huntId }, { id: jobIdFor(`retro-hunt:${huntId}:after:${at}`) });
        log.info({ huntId, progress: last }, 'retro-hunt slice over; the next job goes on from here');
        return;
      }
      log.info({ huntId, status }, 'retro-hunt over');
    } finally {
      await lock.release();
    }
  };
}
