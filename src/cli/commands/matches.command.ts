import type { Command } from 'commander';
import { alertOutbox } from '../../alert/outbox.ts';
import type { AppContext } from '../../app/context.ts';
import { publicUrlOf } from '../../app/leak-pipeline.ts';
import { createMatchDeps } from '../../match/match-service.ts';
import { type RetroHuntProgress, retroHunt } from '../../match/retro-hunt.ts';
import { storedDocumentReader } from '../../match/stored-documents.ts';
import { InputError } from '../../shared/errors.ts';
import { listMatches } from '../../store/matches.repository.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

/**
 * Re-matches stored posts and documents (decrypted and extracted again) for an organisation, or all, with progress on
 * stderr; new and grown matches are written to the alert outbox like any other.
 */
export async function runHunt(
  ctx: AppContext,
  options: { orgId?: number; since?: Date; reason: string; quiet?: boolean },
) {
  const deps = createMatchDeps(ctx);
  let lastPrinted = 0;
  const show = (p: RetroHuntProgress) => {
    if (options.quiet || performance.now() - lastPrinted < 1000) return;
    lastPrinted = performance.now();
    say(
      `retro-hunt #${p.huntId}: ${p.postsDone}/${p.postsTotal} posts, ${p.created} new and ${p.grown} grown matches`,
    );
  };
  const result = await retroHunt(deps, {
    orgId: options.orgId,
    since: options.since,
    reason: options.reason,
    onProgress: (p) => show(p),
    // Documents are decrypted and extracted again; what the hunt finds is alerted like any other match.
    readDocument: storedDocumentReader(ctx),
    onMatches: alertOutbox({ publicUrl: publicUrlOf(ctx) }),
  });
  if (!options.quiet)
    say(
      `retro-hunt #${result.huntId} ${result.status}: ${result.postsDone}/${result.postsTotal} posts and ${result.documentsDone}/${result.documentsTotal} documents re-matched` +
        `${result.documentsSkipped ? ` (${result.documentsSkipped} documents unreadable or no longer stored)` : ''}, ${result.created} new and ${result.grown} grown matches`,
    );
  return result;
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
              `#${m.id} ${m.severity.toUpperCase().padEnd(8)} ${m.org} · ${m.post.site} post ${m.post.id} "${m.post.title}"${m.document ? ` · ${m.document.name}` : ''}\n` +
                `    ${m.severityReason ?? ''}${counts ? ` · identifiers: ${counts}` : ''}${verdict}\n` +
                (m.termsHit.length
                  ? `    terms: ${m.termsHit.map((t) => `${t.pattern} ×${t.count}`).join(', ')}\n`
                  : '') +
                (m.categories.length ? `    categories: ${m.categories.join(', ')}\n` : '') +
                (m.maskedSamples.length ? `    samples: ${m.maskedSamples.join(', ')}\n` : ''),
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
    .description('retro-hunt: re-match stored posts against the current terms and identifiers, with progress')
    .option('--org <slug>', 'only for this organisation')
    .option('--since <date>', 'only posts first seen since this date (YYYY-MM-DD)')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (options: { org?: string; since?: string; json?: boolean }) => {
      const since = options.since ? new Date(options.since) : undefined;
      if (since && Number.isNaN(since.getTime()))
        throw new InputError('matches.bad_since', `--since expects a date, got "${options.since}"`);
      const ctx = await registryContext();
      try {
        const orgId = options.org ? (await requireOrganisation(ctx.database.db, options.org)).id : undefined;
        const result = await runHunt(ctx, { orgId, since, reason: 'manual', quiet: false });
        if (options.json) printJson({ ok: result.status === 'succeeded', hunt: result });
        process.exitCode = result.status === 'succeeded' ? EXIT.ok : EXIT.problems;
      } finally {
        await ctx.close();
      }
    });
}
