import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.ts';
import { ENV_BINDINGS } from './env-map.ts';
import { loadConfig } from './load-config.ts';
import { maskConfig } from './mask.ts';

const cwd = mkdtempSync(join(tmpdir(), 'lw-config-'));

function load(env: Record<string, string>) {
  return loadConfig({ env, cwd });
}

/** The ConfigError thrown for this environment, as one string. */
function problemsFor(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be rejected');
}

function yamlFile(text: string): string {
  const path = join(cwd, `extra-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('gives the documented defaults with no environment', () => {
    const { config, sources } = load({});
    expect(config.web).toEqual({ host: '127.0.0.1', port: 8080, publicUrl: null, auth: 'auto' });
    expect(config.database.url).toBeNull();
    expect(config.tor.socks).toBe('socks5h://127.0.0.1:9050');
    expect(config.tor.mode).toBe('auto');
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.secretKey).toBeNull();
    expect(sources.get('web.port')).toBe('config/default.yaml');
  });

  it('lets variables override the file and records where each value came from', () => {
    const { config, sources } = load({
      LEAKWATCH_PORT: '9090',
      DATABASE_URL: 'postgres://u:p@db:5432/lw',
      LEAKWATCH_TOR_SOCKS: 'socks5h://tor:9050',
    });
    expect(config.web.port).toBe(9090);
    expect(config.database.url).toBe('postgres://u:p@db:5432/lw');
    expect(config.tor.socks).toBe('socks5h://tor:9050');
    expect(sources.get('web.port')).toBe('LEAKWATCH_PORT');
    expect(sources.get('database.url')).toBe('DATABASE_URL');
  });

  it('reads an extra YAML file named by LEAKWATCH_CONFIG, under the variables', () => {
    const file = yamlFile('web:\n  port: 7000\n  host: 0.0.0.0\nworker:\n  concurrency: 3\n');
    const { config, sources } = load({ LEAKWATCH_CONFIG: file, LEAKWATCH_PORT: '7001' });
    expect(config.web.host).toBe('0.0.0.0');
    expect(config.worker.concurrency).toBe(3);
    expect(config.web.port).toBe(7001);
    expect(sources.get('web.host')).toBe(file);
  });

  it('reads secrets from *_FILE variables', () => {
    const keyFile = join(cwd, 'key');
    writeFileSync(keyFile, `${'k'.repeat(40)}\n`);
    const { config, sources } = load({ LEAKWATCH_SECRET_KEY_FILE: keyFile });
    expect(config.secretKey).toBe('k'.repeat(40));
    expect(sources.get('secretKey')).toContain('LEAKWATCH_SECRET_KEY_FILE');
  });

  describe('rejects bad values with a message naming the key, the source and what is expected', () => {
    it('a port that is not a number', () => {
      const message = problemsFor({ LEAKWATCH_PORT: 'eighty' });
      expect(message).toContain('web.port = "eighty" (from LEAKWATCH_PORT)');
      expect(message).toMatch(/expected number/);
    });

    it('a port out of range', () => {
      expect(problemsFor({ LEAKWATCH_PORT: '70000' })).toMatch(
        /web\.port = 70000 \(from LEAKWATCH_PORT\): expected at most 65535/,
      );
    });

    it('a socks5:// proxy that would resolve .onion names locally', () => {
      const message = problemsFor({ LEAKWATCH_TOR_SOCKS: 'socks5://127.0.0.1:9050' });
      expect(message).toContain('tor.socks');
      expect(message).toContain('LEAKWATCH_TOR_SOCKS');
      expect(message).toMatch(/socks5h/);
    });

    it('a database URL of the wrong kind, with its password masked', () => {
      const message = problemsFor({ DATABASE_URL: 'mysql://admin:hunter2@db/lw' });
      expect(message).toContain('database.url');
      expect(message).toContain('(from DATABASE_URL)');
      expect(message).toContain('postgres://');
      expect(message).not.toContain('hunter2');
    });

    it('a log level that does not exist, listing the ones that do', () => {
      const message = problemsFor({ LEAKWATCH_LOG_LEVEL: 'verbose' });
      expect(message).toContain('log.level = "verbose" (from LEAKWATCH_LOG_LEVEL)');
      expect(message).toContain('"debug"');
    });

    it('a short secret key, without echoing it', () => {
      const message = problemsFor({ LEAKWATCH_SECRET_KEY: 'tooshort-s3cr3t' });
      expect(message).toContain('secretKey');
      expect(message).toContain('at least 32 characters');
      expect(message).not.toContain('tooshort-s3cr3t');
    });

    it('a wrong type in a YAML file, naming the file', () => {
      const file = yamlFile('worker:\n  concurrency: many\n');
      const message = problemsFor({ LEAKWATCH_CONFIG: file });
      expect(message).toContain(`worker.concurrency = "many" (from ${file})`);
    });

    it('an unknown setting in a YAML file', () => {
      const file = yamlFile('web:\n  prot: 8081\n');
      expect(problemsFor({ LEAKWATCH_CONFIG: file })).toContain(`web.prot: unknown setting (from ${file})`);
    });

    it('a misspelt LEAKWATCH_ variable, suggesting the right one', () => {
      expect(problemsFor({ LEAKWATCH_PROT: '8081' })).toContain(
        'LEAKWATCH_PROT: unknown variable (did you mean LEAKWATCH_PORT?)',
      );
    });

    it('a missing LEAKWATCH_CONFIG file', () => {
      expect(problemsFor({ LEAKWATCH_CONFIG: join(cwd, 'nope.yaml') })).toMatch(
        /LEAKWATCH_CONFIG: .*file not found/,
      );
    });

    it('both a variable and its _FILE variant', () => {
      expect(
        problemsFor({ LEAKWATCH_SECRET_KEY: 'x'.repeat(40), LEAKWATCH_SECRET_KEY_FILE: '/dev/null' }),
      ).toContain('secretKey: both LEAKWATCH_SECRET_KEY and LEAKWATCH_SECRET_KEY_FILE are set');
    });

    it('every problem at once, not just the first', () => {
      const message = problemsFor({ LEAKWATCH_PORT: 'x', LEAKWATCH_TOR_MODE: 'sometimes' });
      expect(message).toContain('web.port');
      expect(message).toContain('tor.mode');
    });
  });

  it('binds every documented variable to a key that exists in the configuration', () => {
    const { config } = load({});
    for (const binding of ENV_BINDINGS) {
      const value = binding.key
        .split('.')
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], config);
      expect(value, `${binding.variable} → ${binding.key}`).not.toBeUndefined();
    }
  });

  it('masks secrets for printing', () => {
    const { config } = load({
      LEAKWATCH_SECRET_KEY: 's'.repeat(40),
      DATABASE_URL: 'postgres://lw:pa55word@db:5432/lw',
      LEAKWATCH_TOR_CONTROL_PASSWORD: 'ctrl-pass',
    });
    const printed = JSON.stringify(maskConfig(config));
    expect(printed).not.toContain('s'.repeat(40));
    expect(printed).not.toContain('pa55word');
    expect(printed).not.toContain('ctrl-pass');
    expect(printed).toContain('postgres://lw:********@db:5432/lw');
  });
});
