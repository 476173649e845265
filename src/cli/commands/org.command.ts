import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { loadConfig } from '../../config/load-config.ts';
import { defaultWatchTerms } from '../../match/default-terms.ts';
import { InputError } from '../../shared/errors.ts';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
} from '../../store/organisations.repository.ts';
import { printJson, say } from '../output.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The application context for registry commands: an embedded database may create its key, as `start` would. */
export async function registryContext() {
  const loaded = loadConfig();
  return createAppContext({ loaded, migrate: true, createSecretKey: loaded.config.database.url === null });
}

export async function requireOrganisation(db: Parameters<typeof getOrganisation>[0], slug: string) {
  const org = await getOrganisation(db, slug);
  if (!org)
    throw new InputError('org.not_found', `no organisation "${slug}"`, { hint: 'see `leakwatch org list`' });
  return org;
}

export function registerOrgCommand(program: Command): void {
  const org = program.command('org').description('protected organisations: add, list, show');

  org
    .command('add')
    .description('add an organisation, with watch terms for its name, aliases and domains')
    .argument('<slug>', 'short id: lower-case letters, digits, hyphens')
    .requiredOption('--name <name>', 'the organisation name as it appears in leaks')
    .option('--domain <domain>', 'a domain it owns (repeatable)', collect, [])
    .option('--alias <alias>', 'another name it is known by (repeatable)', collect, [])
    .option('--sector <sector>', 'its sector, e.g. health')
    .option('--patient-id-pattern <regex>', 'shape of its patient/customer ids, e.g. "LH-\\d{6}"')
    .option('--no-default-terms', 'do not create watch terms for the name, aliases and domains')
    .option('--json', 'print the organisation as JSON on stdout')
    .action(
      async (
        slug: string,
        options: {
          name: string;
          domain: string[];
          alias: string[];
          sector?: string;
          patientIdPattern?: string;
          defaultTerms: boolean;
          json?: boolean;
        },
      ) => {
        const ctx = await registryContext();
        try {
          const created = await createOrganisation(ctx.database.db, {
            slug,
            name: options.name,
            aliases: options.alias,
            sector: options.sector ?? null,
            patientIdPattern: options.patientIdPattern ?? null,
            domains: options.domain,
            terms: options.defaultTerms
              ? defaultWatchTerms({ name: options.name, aliases: options.alias, domains: options.domain })
              : [],
          });
          if (options.json) printJson({ ok: true, organisation: created });
          else {
            say(`added organisation ${created.slug} (${created.name}), id ${created.id}`);
            for (const term of created.terms) say(`  watch ${term.kind.padEnd(12)} ${term.pattern}`);
            say('next: `leakwatch identifiers import` its people, `leakwatch terms add` more terms');
          }
        } finally {
          await ctx.close();
        }
      },
    );

  org
    .command('list')
    .description('list organisations with their domains and number of watch terms')
    .option('--json', 'print the list as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const list = await listOrganisations(ctx.database.db);
        if (options.json) printJson({ organisations: list });
        else {
          for (const o of list)
            process.stdout.write(
              `${o.slug.padEnd(24)} ${String(o.termCount).padStart(4)} terms  ${o.name}${o.domains.length ? `  (${o.domains.join(', ')})` : ''}\n`,
            );
          if (list.length === 0) say('no organisation yet: `leakwatch org add <slug> --name …`');
        }
      } finally {
        await ctx.close();
      }
    });

  org
    .command('show')
    .description('show an organisation with its domains and watch terms')
    .argument('<slug>')
    .option('--json', 'print it as JSON on stdout')
    .action(async (slug: string, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const found = await requireOrganisation(ctx.database.db, slug);
        if (options.json) printJson({ organisation: found });
        else {
          process.stdout.write(`${found.slug}: ${found.name}${found.sector ? ` [${found.sector}]` : ''}\n`);
          if (found.aliases.length) process.stdout.write(`  aliases: ${found.aliases.join(', ')}\n`);
          if (found.patientIdPattern) process.stdout.write(`  patient ids: /${found.patientIdPattern}/\n`);
          for (const d of found.domains) process.stdout.write(`  domain ${d.domain} (${d.proofState})\n`);
          for (const t of found.terms)
            process.stdout.write(`  term #${t.id} ${t.kind} ${t.pattern}${t.muted ? ' (muted)' : ''}\n`);
        }
      } finally {
        await ctx.close();
      }
    });
}
