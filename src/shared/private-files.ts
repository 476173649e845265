// The data directory holds the secret key, the embedded database and the encrypted evidence: owner-only (0700 for
// directories, 0600 for files). `restrictTree` also fixes what an older version (or a lax umask) left open.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const OPEN_TO_OTHERS = 0o077;

/**
 * Creates `path` (and missing parents) owner-only, and takes group and other access off it if it existed. Returns
 * true when it was open to others (what it holds may be too: see restrictTree).
 */
export function ensurePrivateDir(path: string): boolean {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  const { mode } = lstatSync(path);
  if (!(mode & OPEN_TO_OTHERS)) return false;
  chmodSync(path, mode & ~OPEN_TO_OTHERS & 0o7777);
  return true;
}

/** Every file and directory under `root` (itself included) that group or others may access, up to `limit`. */
export function openToOthers(root: string, limit = 100): Array<{ path: string; mode: number }> {
  const found: Array<{ path: string; mode: number }> = [];
  const visit = (path: string) => {
    if (found.length >= limit) return;
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(path);
    } catch {
      return; // gone meanwhile (a WAL segment recycled)
    }
    if (stats.isSymbolicLink()) return;
    if (stats.mode & OPEN_TO_OTHERS) found.push({ path, mode: stats.mode & 0o7777 });
    if (stats.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) visit(join(path, name));
    }
  };
  visit(root);
  return found;
}

/** Takes group and other access off everything under `root`; returns how many entries were changed. */
export function restrictTree(root: string): number {
  let changed = 0;
  for (const entry of openToOthers(root, Number.MAX_SAFE_INTEGER)) {
    try {
      chmodSync(entry.path, entry.mode & ~OPEN_TO_OTHERS);
      changed++;
    } catch {
      // Not ours to change (another owner): doctor names it.
    }
  }
  return changed;
}
