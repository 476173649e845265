import type { Command } from 'commander';
import { fold } from '../../match/fold.ts';
import { removeTermsWithEvidence } from '../../match/forget-terms.ts';
import { InputError } from '../../shared/errors.ts';
import { addWatchTerms, type WatchTermKind } from '../../store/organisations.repository.ts';
import { watchTermKinds } from '../../store/schema/index.ts';
import { listWatchTerms } from '../../store/watch-terms.repository.ts';
import { printJson, say } from '../output.ts';
import { runHunt } from './matches.command.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

export function registerTermsCommand(program: Command): void {
  const terms = program.command('terms').description("an organisation's watch terms: add, list, remove");

  terms
    .command('add')
    .description('add watch terms, then re-match stored posts for them (retro-hunt)')
    .argument('<org>', 'organisation slug')
    .argument('<kind>', `one of ${watchTermKinds.join(', ')}`)
    .argument(
      // Optional for commander, so a forgotten kind is answered with the usage, not "missing argument 'patterns'".
      '[patterns...]',
      'terms as written (quote phrases); regexes are checked for catastrophic backtracking',
    )
    .option('--no-hunt', 'do not re-match stored posts now')
    .option('--wait', 'follow the retro-hunt until it ends when a worker runs it')
    .option('--json', 'print the result as JSON on stdout')
    .action(
      async (
        slug: string,
        kind: string,
        patterns: string[],
        options: { hunt: boolean; wait?: boolean; json?: boolean },
      ) => {
        if (!(watchTermKinds as readonly string[]).includes(kind)) {
          throw new InputError(
            'terms.bad_kind',
            `unknown term kind "${kind}" (one of ${watchTermKinds.join(', ')})`,
            {
              hint: `the kind comes before the terms: leakwatch terms add ${slug} phrase ${JSON.stringify(patterns[0] ?? kind)}`,
            },
          );
        }
        if (patterns.length === 0)
          throw new InputError('terms.none', `no ${kind} term given`, {
            hint: `leakwatch terms add ${slug} ${kind} "<term>" ["<term>" …]`,
          });
        const ctx = await registryContext();
        try {
          const org = await requireOrganisation(ctx.database.db, slug);
          const added = await addWatchTerms(
            ctx.database.db,
            org.id,
            patterns.map((pattern) => ({ kind: kind as WatchTermKind, pattern })),
          );
          if (!options.json) {
            for (const term of added)
              say(
                `added ${term.kind} #${term.id} ${term.pattern}${term.kind !== 'regex' ? ` (matched as "${term.normalised}")` : ''}`,
              );
            if (added.length < patterns.length) say(`${patterns.length - added.length} already watched`);
          }
          const hunt =
            options.hunt && added.length > 0
              ? await runHunt(ctx, { orgId: org.id, reason: 'terms added', quiet: false, wait: options.wait })
              : null;
          if (options.json)
            printJson({ ok: true, added, alreadyWatched: patterns.length - added.length, hunt });
        } finally {
          await ctx.close();
        }
      },
    );

  terms
    .command('list')
    .description('list watch terms (of one organisation, or all)')
    .argument('[org]', 'organisation slug')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (slug: string | undefined, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const orgId = slug ? (await requireOrganisation(ctx.database.db, slug)).id : undefined;
        const list = await listWatchTerms(ctx.database.db, { orgId });
        if (options.json) printJson({ terms: list });
        else {
          for (const t of list)
            process.stdout.write(
              `#${String(t.id).padEnd(6)} ${t.orgSlug.padEnd(20)} ${t.kind.padEnd(12)} ${t.pattern}${t.muted ? '  (muted)' : ''}\n`,
            );
          if (list.length === 0) say('no watch terms');
        }
      } finally {
        await ctx.close();
      }
    });

  terms
    .command('remove')
    .description(
      'remove a watch term by id (#12 or 12) or as written; its hits leave the match records (alerts already sent are kept)',
    )
    .argument('<org>', 'organisation slug')
    .argument('<term>', 'term id or pattern')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (slug: string, term: string, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const org = await requireOrganisation(ctx.database.db, slug);
        const id = /^#?\d+$/.test(term) ? Number(term.replace('#', '')) : undefined;
        const { removed, forgotten } = await removeTermsWithEvidence(
          ctx.database.db,
          org.id,
          id !== undefined ? { id } : { pattern: term.trim(), normalised: fold(term) },
        );
        if (removed.length === 0)
          throw new InputError('terms.not_found', `no watch term "${term}" for ${org.slug}`, {
            hint: `see \`leakwatch terms list ${org.slug}\``,
          });
        if (options.json) printJson({ ok: true, removed, matches: forgotten });
        else {
          for (const t of removed) say(`removed ${t.kind} #${t.id} ${t.pattern}`);
          say(
            `match records: ${forgotten.updated} updated without its hits, ${forgotten.deleted} deleted (no evidence left); ` +
              `${forgotten.incidentsResolved} incidents resolved, ${forgotten.alertsMuted} unsent alerts muted; alerts already sent are kept`,
          );
        }
      } finally {
        await ctx.close();
      }
    });
}
