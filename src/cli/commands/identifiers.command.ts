import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { CountryCode } from 'libphonenumber-js';
import { createHasher } from '../../match/hasher.ts';
import { parseColumnArguments } from '../../match/import/columns.ts';
import { type ImportProgress, importIdentifiers } from '../../match/import/import-identifiers.ts';
import { InputError, OperatorError } from '../../shared/errors.ts';
import {
  clearIdentifiers,
  type IdentifierKind,
  identifierStatus,
} from '../../store/identifiers.repository.ts';
import { identifierKinds } from '../../store/schema/index.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, say } from '../output.ts';
import { runHunt } from './matches.command.ts';
import { registryContext, requireOrganisation } from './org.command.ts';

const collect = (value: string, previous: string[]) => [...previous, value];
const SHOWN_REJECTIONS = 50;

export function registerIdentifiersCommand(program: Command): void {
  const identifiers = program
    .command('identifiers')
    .description("an organisation's people, held only as keyed hashes: import, status, clear");

  identifiers
    .command('import')
    .description(
      'import a CSV of identifiers (e-mails, logins, phones, NIR, health numbers, patient ids, name + birth date) as keyed hashes',
    )
    .argument('<org>', 'organisation slug')
    .argument('<file>', 'CSV file (separator detected; UTF-8 or Windows-1252)')
    .option(
      '--column <kind=header>',
      'map a column (repeatable), e.g. email=Courriel, nir="N° SS", birthdate=3',
      collect,
      [],
    )
    .option(
      '--country <code>',
      'region of phone numbers written without a country code (default: match.phoneRegions[0])',
    )
    .option('--date-order <order>', 'dmy or mdy, for dates like 03/04/1980 (default: match.dateOrder)')
    .option('--separator <char>', 'column separator (default: detected)')
    .option('--no-header', 'the first row is data (map columns by number)')
    .option('--no-hunt', 'do not re-match stored posts afterwards')
    .option('--wait', 'follow the retro-hunt until it ends when a worker runs it')
    .option('--json', 'print the report as JSON on stdout')
    .action(
      async (
        slug: string,
        file: string,
        options: {
          column: string[];
          country?: string;
          dateOrder?: string;
          separator?: string;
          header: boolean;
          hunt: boolean;
          wait?: boolean;
          json?: boolean;
        },
      ) => {
        if (options.dateOrder && options.dateOrder !== 'dmy' && options.dateOrder !== 'mdy')
          throw new InputError('import.bad_date_order', '--date-order is dmy or mdy');
        const columns = parseColumnArguments(options.column);
        let bytes: number;
        try {
          bytes = statSync(file).size;
        } catch (error) {
          throw new OperatorError(
            'import.no_file',
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
          );
        }
        const ctx = await registryContext();
        try {
          const org = await requireOrganisation(ctx.database.db, slug);
          const hasher = createHasher(ctx.secretKey.material);
          let lastPrinted = performance.now();
          const progress = (p: ImportProgress, force = false) => {
            if (!force && performance.now() - lastPrinted < 1000) return;
            lastPrinted = performance.now();
            say(
              `  ${p.rows.toLocaleString('en-US')} rows (${Math.round((100 * p.bytesRead) / Math.max(1, bytes))}%), ${p.identifiers.toLocaleString('en-US')} identifiers, ${p.rejected} rejected`,
            );
          };
          say(`importing ${basename(file)} into ${org.slug} (hashed under key ${hasher.fingerprint})`);
          const result = await importIdentifiers(ctx.database.db, hasher, {
            orgId: org.id,
            fileName: basename(file),
            input: createReadStream(file),
            bytes,
            columns,
            noHeader: !options.header,
            separator: options.separator,
            region: (options.country?.toUpperCase() ??
              ctx.config.match.phoneRegions[0] ??
              'FR') as CountryCode,
            dateOrder: (options.dateOrder ?? ctx.config.match.dateOrder) as 'dmy' | 'mdy',
            patientIdPattern: org.patientIdPattern ? new RegExp(org.patientIdPattern, 'iu') : null,
            onProgress: (p) => progress(p),
          });
          if (!options.json) {
            say(`columns: ${result.columns.map((c) => `${c.kind}="${c.header}"`).join(', ')}`);
            say(
              `${result.rowsTotal} rows: ${result.rowsAccepted} imported, ${result.rowsRejected} rejected; identifiers: ${
                Object.entries(result.identifiers)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ') || 'none'
              } (${result.inserted} new)`,
            );
            for (const r of result.rejections.slice(0, SHOWN_REJECTIONS))
              say(`  line ${r.line}, column "${r.column}": ${r.reason}`);
            if (result.rejectionsTotal > SHOWN_REJECTIONS)
              say(
                `  … and ${result.rejectionsTotal - SHOWN_REJECTIONS} more rejected values (--json lists up to 1 000)`,
              );
            if (result.rejectionsTotal > 0)
              say(
                `incomplete: ${result.rejectionsTotal} values rejected and NOT imported; the ${result.inserted} new identifiers above were imported. Fix those lines and import the file again (registered identifiers are not duplicated).`,
              );
          }
          // Rejected values are people left unprotected: a script must notice, so the import is not a success.
          const complete =
            result.rejectionsTotal === 0 && (result.rowsAccepted > 0 || result.rowsTotal === 0);
          const hunt =
            options.hunt && result.inserted > 0
              ? await runHunt(ctx, {
                  orgId: org.id,
                  reason: 'identifiers imported',
                  quiet: false,
                  wait: options.wait,
                })
              : null;
          if (options.json) printJson({ ok: complete, import: result, hunt });
          process.exitCode = complete ? EXIT.ok : EXIT.problems;
        } finally {
          await ctx.close();
        }
      },
    );

  identifiers
    .command('status')
    .description(
      'registered identifiers per organisation and kind, and whether they were hashed under the current key',
    )
    .argument('[org]', 'organisation slug')
    .option('--json', 'print the status as JSON on stdout')
    .action(async (slug: string | undefined, options: { json?: boolean }) => {
      const ctx = await registryContext();
      try {
        const orgId = slug ? (await requireOrganisation(ctx.database.db, slug)).id : undefined;
        const current = createHasher(ctx.secretKey.material).fingerprint;
        const rows = (await identifierStatus(ctx.database.db, orgId)).map((r) => ({
          ...r,
          currentKey: r.fingerprints.every((f) => f === current),
        }));
        if (options.json) printJson({ keyFingerprint: current, organisations: rows });
        else {
          for (const r of rows) {
            const counts =
              Object.entries(r.counts)
                .map(([k, n]) => `${n} ${k}`)
                .join(', ') || 'none';
            process.stdout.write(
              `${r.slug.padEnd(24)} ${counts}${r.currentKey ? '' : '  ! hashed under another key: re-import (README, "Rotating the secret key")'}\n`,
            );
          }
          if (rows.length === 0) say('no identifiers registered');
        }
        process.exitCode = rows.every((r) => r.currentKey) ? EXIT.ok : EXIT.problems;
      } finally {
        await ctx.close();
      }
    });

  identifiers
    .command('clear')
    .description(
      "delete an organisation's registered identifiers (all, or some kinds): the first step of a key rotation",
    )
    .argument('<org>', 'organisation slug')
    .option('--kind <kind>', `only this kind (repeatable): ${identifierKinds.join(', ')}`, collect, [])
    .option('--yes', 'confirm')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (slug: string, options: { kind: string[]; yes?: boolean; json?: boolean }) => {
      for (const kind of options.kind)
        if (!(identifierKinds as readonly string[]).includes(kind))
          throw new InputError('identifiers.bad_kind', `unknown kind "${kind}"`);
      if (!options.yes)
        throw new InputError(
          'identifiers.unconfirmed',
          'this deletes registered identifiers: add --yes to confirm',
        );
      const ctx = await registryContext();
      try {
        const org = await requireOrganisation(ctx.database.db, slug);
        const deleted = await clearIdentifiers(ctx.database.db, org.id, options.kind as IdentifierKind[]);
        if (options.json) printJson({ ok: true, deleted });
        else say(`deleted ${deleted} identifier hashes of ${org.slug}`);
      } finally {
        await ctx.close();
      }
    });
}
