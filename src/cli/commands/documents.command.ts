import type { Command } from 'commander';
import { createAppContext } from '../../app/context.ts';
import { createLeakPipeline } from '../../app/leak-pipeline.ts';
import { loadConfig } from '../../config/load-config.ts';
import { InputError } from '../../shared/errors.ts';
import { type DocumentListItem, listDocuments } from '../../store/documents.repository.ts';
import { documentStatuses } from '../../store/schema/index.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, safeText, say } from '../output.ts';
import { pipelineRunJson, printPipelineRun } from './pipeline-report.ts';

const MB = 1024 * 1024;

function size(bytes: number | null): string {
  if (bytes === null) return '?';
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** "12.0 MB of 40.0 MB (30%)" while downloading, the size once stored. */
export function progressOf(document: DocumentListItem): string {
  if (document.sizeBytes !== null) return size(document.sizeBytes);
  if (document.downloadedBytes === 0 && document.expectedBytes === null) return '-';
  const expected = document.expectedBytes;
  const share = expected ? ` (${Math.floor((document.downloadedBytes / expected) * 100)}%)` : '';
  return `${size(document.downloadedBytes)}${expected ? ` of ${size(expected)}` : ''}${share}`;
}

function line(document: DocumentListItem): string {
  const sites = [...new Set(document.sources.map((source) => source.siteId))].join(',');
  const counts = Object.entries(document.counts)
    .filter(([key]) => ['pages', 'rows', 'lines', 'entries', 'records', 'ocrPages', 'files'].includes(key))
    .map(([key, value]) => `${value} ${key}`)
    .join(', ');
  const head = `${String(document.id).padStart(6)}  ${document.status.padEnd(18)} ${(document.sniffedType ?? '').padEnd(17)} ${progressOf(document).padEnd(24)} ${safeText(document.name)}  [${sites}]`;
  const details = [
    counts && `    ${counts}`,
    document.error && `    ! ${safeText(document.error)}`,
    ...document.warnings.slice(0, 5).map((warning) => `    ~ ${safeText(warning)}`),
  ];
  return [head, ...details.filter(Boolean)].join('\n');
}

export function registerDocumentsCommand(program: Command): void {
  const documents = program
    .command('documents')
    .description('list posted files with their status, download progress, counts and errors')
    .option('--json', 'print the list as JSON on stdout')
    .option('--post <id>', 'only the files of this post')
    .option('--status <status>', `only this status (${documentStatuses.join(', ')})`)
    .option('--limit <n>', 'at most this many, newest first', '200')
    .action(async (options: { json?: boolean; post?: string; status?: string; limit: string }) => {
      if (options.status && !(documentStatuses as readonly string[]).includes(options.status))
        throw new InputError(
          'cli.usage',
          `unknown status "${options.status}": expected one of ${documentStatuses.join(', ')}`,
        );
      if (options.post !== undefined && !/^\d+$/.test(options.post))
        throw new InputError('cli.usage', `--post expects a post id, not "${options.post}"`);
      const ctx = await createAppContext({ migrate: true });
      try {
        const list = await listDocuments(ctx.database.db, {
          ...(options.post !== undefined ? { postId: Number(options.post) } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: Number(options.limit) || 200,
        });
        if (options.json) printJson({ documents: list });
        else if (list.length === 0) say('no documents');
        else for (const document of list) process.stdout.write(`${line(document)}\n`);
      } finally {
        await ctx.close();
      }
    });

  documents
    .command('process')
    .description(
      'match waiting posts, download, read and match waiting posted files and deliver the alerts now (what the worker does), with progress',
    )
    .option('--limit <n>', 'downloads to take per pass (passes run until nothing is due)', '20')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (options: { limit: string; json?: boolean }) => {
      const loaded = loadConfig();
      const ctx = await createAppContext({
        loaded,
        migrate: true,
        createSecretKey: loaded.config.database.url === null,
      });
      const pipeline = createLeakPipeline(ctx, { progress: (message) => say(message) });
      try {
        const run = await pipeline.runToCompletion({ limit: Number(options.limit) || 20, deliver: true });
        const summary = run.documents;
        if (options.json) printJson(pipelineRunJson(run));
        else {
          for (const outcome of summary.downloads)
            say(
              `download ${outcome.id}: ${outcome.status}${'error' in outcome ? ` — ${outcome.error}` : ''}`,
            );
          for (const outcome of summary.extractions)
            say(
              `extract ${outcome.id}: ${outcome.status}${'records' in outcome ? `, ${outcome.records} records` : ''}${outcome.error ? ` — ${outcome.error}` : ''}`,
            );
          printPipelineRun(run);
        }
        process.exitCode = summary.errors.length > 0 ? EXIT.operator : EXIT.ok;
      } finally {
        pipeline.close();
        await ctx.close();
      }
    });
}
