import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root (where package.json, config/ and drizzle/ are), found by walking up from this module,
 * so the same code works from src/ under tsx and from dist/src/ in a built image.
 */
function findPackageRoot(start: string): string {
  let directory = start;
  for (;;) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'config', 'default.yaml')))
      return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`cannot find leakwatch's package root above ${start}`);
    directory = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
