/**
 * One dependency direction for src/: a folder imports only folders before it in the pipeline's order. The edges
 * that still run against it are listed below as debt; a new one fails this test, and so does a listed one that is
 * gone (the list only shrinks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

const PIPELINE_ORDER = [
  'shared',
  'config',
  'store',
  'queue',
  'tor',
  'fetch',
  'parse',
  'extract',
  'crawl',
  'documents',
  'match',
  'alert',
  'schedule',
  'app',
  'web',
  'cli',
] as const;

/** Back-edges that existed when the check was written (issue 13): to be turned into hooks or narrow deps. */
const KNOWN_BACK_EDGES = [
  'alert/dispatch-job.ts -> app/context.ts',
  'app/run-roles.ts -> web/from-context.ts',
  'crawl/crawl-settings.ts -> match/phone-regions.ts',
  'crawl/crawl-site.ts -> alert/site-alerts.ts',
  'crawl/record-reading.ts -> alert/post-event-alerts.ts',
  'crawl/record-reading.ts -> alert/site-alerts.ts',
  'documents/pipeline.ts -> app/context.ts',
  'match/match-service.ts -> app/context.ts',
  'match/stored-documents.ts -> app/context.ts',
  'schedule/roles.ts -> app/context.ts',
  'store/organisations.repository.ts -> match/fold.ts',
  'store/organisations.repository.ts -> match/regex-safety.ts',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g;

/** Every relative import from one src/ folder into a later one, as `from -> to` paths under src/. */
function backEdges(): string[] {
  const edges: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    const fromFolder = PIPELINE_ORDER.indexOf(from.split('/')[0] as (typeof PIPELINE_ORDER)[number]);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = relative(SRC, resolve(dirname(file), match[1] as string));
      const toFolder = PIPELINE_ORDER.indexOf(to.split('/')[0] as (typeof PIPELINE_ORDER)[number]);
      if (toFolder > fromFolder) edges.push(`${from} -> ${to}`);
    }
  }
  return [...new Set(edges)].sort();
}

describe('import direction of src/', () => {
  it('names every top-level folder in the order', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !(PIPELINE_ORDER as readonly string[]).includes(folder))).toEqual([]);
  });

  it('adds no import against the pipeline’s direction, and the listed debt only shrinks', () => {
    const edges = backEdges();
    expect(
      edges.filter((edge) => !KNOWN_BACK_EDGES.includes(edge)),
      'new back-edges: take a hook or narrow deps instead',
    ).toEqual([]);
    expect(
      KNOWN_BACK_EDGES.filter((edge) => !edges.includes(edge)),
      'fixed back-edges: remove them from the list',
    ).toEqual([]);
  });
});
