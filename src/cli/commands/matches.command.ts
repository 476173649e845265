import type { Command } from 'commander';
import type { AppContext } from '../../app/context.ts';
import { createLeakPipeline } from '../../app/leak-pipeline.ts';
import { huntsBeingRun, huntWorkerPresent, lockHunt } from '../../match/hunt-locks.ts';
import {
  emptyProgress,
  type RetroHuntProgress,
  recordRetroHunt,
  runRecordedHunt,
} from '../../match/retro-hunt.ts';
import { storedDocumentReader } from '../../match/stored-documents.ts';
import { retroHuntJob } from '../../queue/jobs.ts';
import { jobIdFor, startQueue } from '../../queue/queue.ts';
import { describeError, InputError, OperatorError } from '../../shared/errors.ts';
import { moduleLogger } from '../../shared/logger.ts';
import { listMatches } from '../../store/matches.repository.ts';
import { listOrganisations } from '../../store/organisations.repository.ts';
import {
  getRetroHunt,
  listRetroHunts,
  type RetroHunt,
  updateRetroHunt,
} from '../../store/retro-hunts.repository.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, safeText, say } from '../output.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

export interface HuntRequest {
  orgId?: number;
  since?: Date;
  reason: string;
  quiet?: boolean;
  /** Follow a hunt handed to a worker until it ends. */
  wait?: boolean;
  /** Run it in this process even when a worker serves the database. */
  inline?: boolean;
}

export type HuntReport = RetroHuntProgress & {
  status: RetroHunt['status'] | 'queued';
  /** Who ran it: this process, or a worker (`leakwatch worker` / `start`) through the job queue. */
  ranBy: 'cli' | 'worker';
};

function progressOf(hunt: RetroHunt): RetroHuntProgress {
  return {
    huntId: hunt.id,
    postsTotal: hunt.postsTotal,
    postsDone: hunt.postsDone,
    documentsTotal: hunt.documentsTotal,
    documentsDone: hunt.documentsDone,
    documentsSkipped: hunt.documentsSkipped,
    created: hunt.changes.created,
    grown: hunt.changes.grown,
  };
}

/**
 * Re-matches stored posts and documents (decrypted and extracted again) for an organisation, or all; new and grown
 * matches are written to the alert outbox like any other. When a worker serves the database (PostgreSQL deployments)
 * the hunt is handed to it through the job queue and this returns at once (or follows it with `wait`); otherwise
 * (no worker, e.g. the embedded database only one process opens) it runs here, with progress on stderr.
 */
export async function runHunt(ctx: AppContext, request: HuntRequest): Promise<HuntReport> {
  const pipeline = createLeakPipeline(ctx);
  try {
    return await huntWith(ctx, pipeline, request);
  } finally {
    pipeline.close();
  }
}

async function huntWith(
  ctx: AppContext,
  pipeline: ReturnType<typeof createLeakPipeline>,
  request: HuntRequest,
): Promise<HuntReport> {
  const deps = pipeline.match;
  let lastPrinted = 0;
  const show = (p: RetroHuntProgress, force = false) => {
    if (request.quiet || (!force && performance.now() - lastPrinted < 1000)) return;
    lastPrinted = performance.now();
    say(
      `retro-hunt #${p.huntId}: ${p.postsDone}/${p.postsTotal} posts, ${p.documentsDone}/${p.documentsTotal} documents, ${p.created} new and ${p.grown} grown matches`,
    );
  };
  const hunt = await recordRetroHunt(deps, request);
  let report: HuntReport;
  if (!request.inline && (await huntWorkerPresent(ctx.database))) {
    await handToWorkers(ctx, hunt);
    if (!request.quiet)
      say(
        `retro-hunt #${hunt.id} queued: a worker runs it${request.wait ? '' : ' (follow it with `leakwatch matches hunts`)'}`,
      );
    if (!request.wait) return { ...emptyProgress(hunt.id), status: 'queued', ranBy: 'worker' };
    const over = await followHunt(ctx, hunt.id, show);
    report = { ...progressOf(over), status: over.status, ranBy: 'worker' };
  } else {
    const lock = await lockHunt(ctx.database, hunt, {
      onWait: () =>
        say(`retro-hunt #${hunt.id}: waiting for the running retro-hunt of the same organisation`),
    });
    let last = emptyProgress(hunt.id);
    try {
      const status = await runRecordedHunt(deps, hunt, {
        onProgress: (p) => {
          last = p;
          show(p);
        },
        // Documents are decrypted and extracted again; what the hunt finds is alerted like any other match.
        readDocument: storedDocumentReader(ctx),
        onMatches: pipeline.onMatches,
      });
      report = { ...last, status: status === 'interrupted' ? 'running' : status, ranBy: 'cli' };
    } finally {
      await lock.release();
    }
  }
  if (!request.quiet)
    say(
      `retro-hunt #${report.huntId} ${report.status}: ${report.postsDone}/${report.postsTotal} posts and ${report.documentsDone}/${report.documentsTotal} documents re-matched` +
        `${report.documentsSkipped ? ` (${report.documentsSkipped} documents unreadable or no longer stored)` : ''}, ${report.created} new and ${report.grown} grown matches`,
    );
  return report;
}

async function handToWorkers(ctx: AppContext, hunt: RetroHunt): Promise<void> {
  try {
    const queue = await startQueue(ctx.database, moduleLogger(ctx.logger, 'queue'), { jobs: [retroHuntJob] });
    try {
      await queue.send(retroHuntJob, { huntId: hunt.id }, { id: jobIdFor(`retro-hunt:${hunt.id}`) });
    } finally {
      await queue.stop();
    }
  } catch (error) {
    await updateRetroHunt(ctx.database.db, hunt.id, {
      status: 'failed',
      error: `not handed to a worker: ${describeError(error)}`,
      finishedAt: new Date(),
    });
    throw error;
  }
}

const FOLLOW_MS = 500;
/** Polls between two checks that some process still runs or can run the hunt. */
const ALIVE_EVERY = 10;

/** Follows a hunt run by a worker until it ends, printing its progress. */
async function followHunt(
  ctx: AppContext,
  huntId: number,
  show: (p: RetroHuntProgress, force?: boolean) => void,
): Promise<RetroHunt> {
  for (let poll = 1; ; poll++) {
    const hunt = await getRetroHunt(ctx.database.db, huntId);
    if (!hunt) throw new InputError('matches.hunt_gone', `retro-hunt #${huntId} no longer exists`);
    if (hunt.status !== 'running') return hunt;
    show(progressOf(hunt));
    if (
      poll % ALIVE_EVERY === 0 &&
      !(await huntsBeingRun(ctx.database)).has(huntId) &&
      !(await huntWorkerPresent(ctx.database))
    )
      throw new OperatorError(
        'matches.hunt_orphaned',
        `retro-hunt #${huntId} is queued but no worker is running any more`,
        { hint: 'it runs when a worker starts; or run `leakwatch matches hunt --inline` instead' },
      );
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
  }
}

/** What a recorded hunt is doing now: its status, or for a `running` one whether a process really runs it. */
function stateOf(
  hunt: RetroHunt,
  running: ReadonlySet<number>,
  workers: boolean,
): 'running' | 'queued' | 'interrupted' | RetroHunt['status'] {
  if (hunt.status !== 'running') return hunt.status;
  if (running.has(hunt.id)) return 'running';
  return workers ? 'queued' : 'interrupted';
}

export function registerMatchesCommand(program: Command): void {
  const matches = program
    .command('matches')
    .description(
      'list match records: counts per identifier kind, dump verdict, categories, severity, masked samples',
    )
    .option('--org <slug>', 'only this organisation')
    .option('--post <id>', 'only this post')
    .option('--limit <n>', 'at most this many (newest first)', '100')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { org?: string; post?: string; limit: string; json?: boolean }) => {
      const postId = options.post === undefined ? undefined : Number(options.post);
      if (postId !== undefined && !Number.isInteger(postId))
        throw new InputError('matches.bad_post', `--post expects a post id, got "${options.post}"`);
      const ctx = await registryContext();
      try {
        const orgId = options.org ? (await requireOrganisation(ctx.database.db, options.org)).id : undefined;
        const list = await listMatches(ctx.database.db, {
          orgId,
          postId,
          limit: Number(options.limit) || 100,
        });
        const rows = list.map((m) => ({
          id: m.id,
          org: m.orgSlug,
          post: { id: m.postId, title: m.postTitle, site: m.siteId },
          document: m.documentId === null ? null : { id: m.documentId, name: m.documentName },
          incidentId: m.incidentId,
          severity: m.severity,
          severityReason: m.details.severityReason ?? null,
          termsHit: m.termsHit,
          identifierCounts: m.identifierCounts,
          verdict: m.verdict,
          categories: m.categories,
          maskedSamples: m.maskedSamples,
          locations: m.locations,
          nearDuplicateOf: m.details.nearDuplicateOf ?? null,
          updatedAt: m.updatedAt,
        }));
        if (options.json) printJson({ matches: rows });
        else {
          for (const m of rows) {
            const counts = Object.entries(m.identifierCounts)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ');
            const verdict = m.verdict
              ? ` — ${m.verdict.recordsMatched} of ${m.verdict.recordsTotal} records are registered people`
              : '';
            process.stdout.write(
              `#${m.id} ${m.severity.toUpperCase().padEnd(8)} ${safeText(m.org)} · ${m.post.site} post ${m.post.id} "${safeText(m.post.title)}"${m.document ? ` · ${safeText(m.document.name ?? '')}` : ''}\n` +
                `    ${m.severityReason ?? ''}${counts ? ` · identifiers: ${counts}` : ''}${verdict}\n` +
                (m.termsHit.length
                  ? `    terms: ${m.termsHit.map((t) => `${safeText(t.pattern)} ×${t.count}`).join(', ')}\n`
                  : '') +
                (m.categories.length ? `    categories: ${m.categories.join(', ')}\n` : '') +
                (m.maskedSamples.length ? `    samples: ${safeText(m.maskedSamples.join(', '))}\n` : ''),
            );
          }
          if (rows.length === 0) say('no match records');
        }
      } finally {
        await ctx.close();
      }
    });

  matches
    .command('hunt')
    .description(
      'retro-hunt: re-match stored posts and documents against the current terms and identifiers (by a worker when one serves the database)',
    )
    .option('--org <slug>', 'only for this organisation')
    .option('--since <date>', 'only posts first seen since this date (YYYY-MM-DD)')
    .option('--wait', 'follow a hunt handed to a worker until it ends')
    .option('--inline', 'run it in this process even when a worker serves the database')
    .option('--json', 'print the summary as JSON on stdout')
    .action(
      async (options: { org?: string; since?: string; wait?: boolean; inline?: boolean; json?: boolean }) => {
        const since = options.since ? new Date(options.since) : undefined;
        if (since && Number.isNaN(since.getTime()))
          throw new InputError('matches.bad_since', `--since expects a date, got "${options.since}"`);
        const ctx = await registryContext();
        try {
          const orgId = options.org
            ? (await requireOrganisation(ctx.database.db, options.org)).id
            : undefined;
          const result = await runHunt(ctx, {
            orgId,
            since,
            reason: 'manual',
            quiet: false,
            wait: options.wait,
            inline: options.inline,
          });
          const ok = result.status === 'succeeded' || result.status === 'queued';
          if (options.json) printJson({ ok, hunt: result });
          process.exitCode = ok ? EXIT.ok : EXIT.problems;
        } finally {
          await ctx.close();
        }
      },
    );

  matches
    .command('hunts')
    .description('list retro-hunts, newest first, with their progress and who runs them')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { limit: string; json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const hunts = await listRetroHunts(ctx.database.db, Number(options.limit) || 20);
        const running = await huntsBeingRun(ctx.database);
        const workers = await huntWorkerPresent(ctx.database);
        const slugs = new Map((await listOrganisations(ctx.database.db)).map((org) => [org.id, org.slug]));
        const rows = hunts.map((hunt) => ({
          id: hunt.id,
          org: hunt.orgId === null ? null : (slugs.get(hunt.orgId) ?? null),
          reason: hunt.reason,
          since: hunt.since,
          status: hunt.status,
          state: stateOf(hunt, running, workers),
          progress: progressOf(hunt),
          error: hunt.error,
          startedAt: hunt.startedAt,
          finishedAt: hunt.finishedAt,
        }));
        if (options.json) printJson({ workers, hunts: rows });
        else {
          for (const h of rows) {
            const p = h.progress;
            process.stdout.write(
              `#${String(h.id).padEnd(5)} ${h.state.padEnd(11)} ${(h.org ?? 'all organisations').padEnd(20)} ${p.postsDone}/${p.postsTotal} posts, ${p.documentsDone}/${p.documentsTotal} documents${p.documentsSkipped ? ` (${p.documentsSkipped} skipped)` : ''}, ${p.created} new, ${p.grown} grown  ${h.reason}${h.error ? `\n        ! ${h.error}` : ''}\n`,
            );
          }
          if (rows.length === 0) say('no retro-hunts');
        }
      } finally {
        await ctx.close();
      }
    });
}
