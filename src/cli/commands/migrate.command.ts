import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { migrateDatabase } from '../../store/migrate.ts';
import { printJson, say } from '../output.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done by `start`), then print the schema status')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const ctx = await createAppContext({ migrate: false });
      try {
        const status = await migrateDatabase(ctx.database);
        if (options.json) printJson({ ok: true, database: ctx.database.location, ...status });
        else
          say(
            `database ${ctx.database.location}: ${status.applied}/${status.known} migrations applied, schema current`,
          );
      } finally {
        await ctx.close();
      }
    });
}
