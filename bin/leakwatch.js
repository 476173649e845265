#!/usr/bin/env -S node --max-semi-space-size=64
// The `leakwatch` command. A source checkout runs the TypeScript directly through tsx;
// a built image (no tsx installed, dist/ present) runs the compiled JavaScript.
// V8's young generation is raised to 64 MB semi-spaces (here, in package.json's scripts and in the image's CMD: V8
// takes the flag only on the command line). Matching allocates short-lived objects per record and per candidate; with
// the 16 MB default the scavenger copies the records in flight several times a second. On the identifiers benchmark
// (npm run bench runs with the same flag) scavenges took about a quarter of the time, for ~60 MB more peak memory.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
const source = join(root, 'src', 'cli', 'main.ts');

async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return null;
  }
}

const tsx = existsSync(source) ? await loadTsx() : null;
if (tsx) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(built).href);
}
