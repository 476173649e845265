import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '../shared/errors.ts';
import { ensurePrivateDir } from '../shared/private-files.ts';
import type { Config } from './schema.ts';

export interface SecretKey {
  /** The key material; derive purpose-specific keys from it (see shared/keys.ts), never use it directly. */
  material: string;
  source: 'configuration' | 'generated' | 'data-dir';
  path?: string;
}

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key comes from LEAKWATCH_SECRET_KEY(_FILE), else from <dataDir>/secret.key, else (when allowed) a new one is
 * generated there with mode 0600. It never comes from the database, so a database dump alone reveals nothing.
 */
export function resolveSecretKey(config: Config, options: { create: boolean }): SecretKey {
  if (config.secretKey) return { material: config.secretKey, source: 'configuration' };
  const path = join(config.dataDir, SECRET_KEY_FILE);
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      throw new OperatorError(
        'secret_key.permissions',
        `${path} is readable by other users (mode ${mode.toString(8)})`,
        {
          hint: `chmod 600 ${path}`,
        },
      );
    }
    const material = readFileSync(path, 'utf8').trim();
    if (material.length < 32) {
      throw new OperatorError('secret_key.short', `${path} holds fewer than 32 characters of key material`, {
        hint: 'restore the key from your backup; a new key makes existing hashes and evidence unreadable',
      });
    }
    return { material, source: 'data-dir', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!options.create) {
    throw new OperatorError('secret_key.missing', 'no secret key configured', {
      hint: `set LEAKWATCH_SECRET_KEY or LEAKWATCH_SECRET_KEY_FILE, or run \`leakwatch start\` once to generate ${path}`,
    });
  }
  ensurePrivateDir(config.dataDir);
  const material = randomBytes(32).toString('base64url');
  writeFileSync(path, `${material}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { material, source: 'generated', path };
}
