import { Command, CommanderError } from 'commander';
import { registerAlertsCommand } from './commands/alerts.command.ts';
import { registerChannelsCommand } from './commands/channels.command.ts';
import { registerConfigCommand } from './commands/config.command.ts';
import { registerCrawlCommand } from './commands/crawl.command.ts';
import { registerDoctorCommand } from './commands/doctor.command.ts';
import { registerDocumentsCommand } from './commands/documents.command.ts';
import { registerEvalParsersCommand } from './commands/eval-parsers.command.ts';
import { registerExtractCommand } from './commands/extract.command.ts';
import { registerIdentifiersCommand } from './commands/identifiers.command.ts';
import { registerMatchesCommand } from './commands/matches.command.ts';
import { registerMigrateCommand } from './commands/migrate.command.ts';
import { registerOrgCommand } from './commands/org.command.ts';
import { registerRoleCommands } from './commands/roles.command.ts';
import { registerSitesCommand } from './commands/sites.command.ts';
import { registerTermsCommand } from './commands/terms.command.ts';
import { registerTokensCommand } from './commands/tokens.command.ts';
import { EXIT } from './exit-codes.ts';
import { reportError } from './output.ts';

/** Every command, in the order `--help` lists them. Later features add theirs here. */
const COMMANDS = [
  registerRoleCommands,
  registerCrawlCommand,
  registerSitesCommand,
  registerMigrateCommand,
  registerConfigCommand,
  registerDoctorCommand,
  registerEvalParsersCommand,
  registerExtractCommand,
  registerOrgCommand,
  registerTermsCommand,
  registerIdentifiersCommand,
  registerMatchesCommand,
  registerDocumentsCommand,
  registerChannelsCommand,
  registerAlertsCommand,
  registerTokensCommand,
];

export function buildProgram(): Command {
  const program = new Command('leakwatch')
    .description(
      'Dark-web leak monitor: crawls leak sites through Tor, matches posted data, alerts your team.',
    )
    .option('-c, --config <file>', 'extra YAML configuration file (same as LEAKWATCH_CONFIG)')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (command) => {
      const file = command.opts<{ config?: string }>().config;
      if (file) process.env.LEAKWATCH_CONFIG = file;
    });
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; anything else is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const json = argv.includes('--json');
    return reportError(error, json);
  }
}

// Everything leakwatch writes (the embedded database and its WAL, evidence, keys, exports) is owner-only.
process.umask(0o077);
// Long-running roles resolve only after a graceful shutdown, so reaching this line means the command is over.
const code = await main(process.argv);
process.exitCode = code;
// Drivers and pools may keep handles open; a finished command must not hang on them.
setTimeout(() => process.exit(code), 100).unref();
