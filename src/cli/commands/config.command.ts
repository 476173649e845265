import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { maskConfig } from '../../config/mask.ts';
import { printJson } from '../output.ts';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (secrets masked) and where each value came from')
    .option('--json', 'print { config, sources } as JSON on stdout')
    .action((options: { json?: boolean }) => {
      const { config, sources } = loadConfig();
      const masked = maskConfig(config);
      if (options.json) {
        printJson({ config: masked, sources: Object.fromEntries(sources) });
        return;
      }
      const rows = flatten(masked).map(([key, value]) => [
        key,
        JSON.stringify(value),
        sources.get(key) ?? 'default',
      ]);
      const widths = [0, 1].map((i) => Math.max(...rows.map((row) => (row[i] as string).length)));
      for (const [key = '', value = '', source = ''] of rows) {
        process.stdout.write(
          `${key.padEnd(widths[0] as number)}  ${value.padEnd(widths[1] as number)}  ${source}\n`,
        );
      }
    });
}

function flatten(tree: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? flatten(value as Record<string, unknown>, path)
      : [[path, value] as [string, unknown]];
  });
}
