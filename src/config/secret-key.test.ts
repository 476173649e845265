import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../shared/errors.ts';
import { loadConfig } from './load-config.ts';
import { resolveSecretKey } from './secret-key.ts';

function configIn(dataDir: string, env: Record<string, string> = {}) {
  return loadConfig({ env: { LEAKWATCH_DATA_DIR: dataDir, ...env } }).config;
}

describe('resolveSecretKey', () => {
  it('generates a key once, mode 0600, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-key-'));
    const first = resolveSecretKey(configIn(dir), { create: true });
    expect(first.source).toBe('generated');
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(first.material.length).toBeGreaterThanOrEqual(32);
    const second = resolveSecretKey(configIn(dir), { create: true });
    expect(second.source).toBe('data-dir');
    expect(second.material).toBe(first.material);
  });

  it('prefers the configured key over the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-key-'));
    const key = resolveSecretKey(configIn(dir, { LEAKWATCH_SECRET_KEY: 'c'.repeat(32) }), { create: true });
    expect(key).toEqual({ material: 'c'.repeat(32), source: 'configuration' });
    expect(() => readFileSync(join(dir, 'secret.key'))).toThrow();
  });

  it('refuses to invent a key when not allowed to, with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-key-'));
    expect(() => resolveSecretKey(configIn(dir), { create: false })).toThrow(/no secret key configured/);
  });

  it('refuses a key file other users can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-key-'));
    writeFileSync(join(dir, 'secret.key'), 'k'.repeat(40));
    chmodSync(join(dir, 'secret.key'), 0o644);
    let error: unknown;
    try {
      resolveSecretKey(configIn(dir), { create: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as OperatorError).hint).toContain('chmod 600');
  });
});
