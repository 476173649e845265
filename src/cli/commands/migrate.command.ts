import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { createLogger, moduleLogger } from '../../shared/logger.ts';
import { openDatabase } from '../../store/db.ts';
import { migrateDatabase } from '../../store/migrate.ts';
import { printJson, say } from '../output.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done by `start`), then print the schema status')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      // Migrating needs no secret key, so this does not build the full application context.
      const { config } = loadConfig();
      const logger = moduleLogger(createLogger(config.log), 'store');
      const database = await openDatabase({
        url: config.database.url,
        dataDir: config.dataDir,
        logger,
        poolSize: 1,
      });
      try {
        const status = await migrateDatabase(database);
        if (options.json) printJson({ ok: true, database: database.location, ...status });
        else
          say(
            `database ${database.location}: ${status.applied}/${status.known} migrations applied, schema current`,
          );
      } finally {
        await database.close();
      }
    });
}
