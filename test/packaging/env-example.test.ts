/**
 * config/env.example documents every environment variable leakwatch reads. These checks keep it in step with
 * src/config/env-map.ts (the variables) and config/default.yaml (the defaults it shows).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_BINDINGS, OTHER_KNOWN_VARIABLES } from '../../src/config/env-map.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(ROOT, 'config', 'env.example'), 'utf8');
const lines = text.split('\n');

interface Assignment {
  variable: string;
  value: string;
  line: number;
}

/** `VAR=value` or `#VAR=value` (commented out, as the file ships). */
const assignments: Assignment[] = lines.flatMap((line, index) => {
  const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  return match ? [{ variable: match[1] as string, value: match[2] as string, line: index }] : [];
});
const assigned = assignments.map((a) => a.variable);

const FILE_VARIANTS = ENV_BINDINGS.filter((b) => b.fileVariant).map((b) => `${b.variable}_FILE`);
const KNOWN = new Set([...ENV_BINDINGS.map((b) => b.variable), ...FILE_VARIANTS, ...OTHER_KNOWN_VARIABLES]);

describe('config/env.example', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'lw-env-example-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('names every variable of ENV_BINDINGS', () => {
    const missing = ENV_BINDINGS.map((b) => b.variable).filter((variable) => !assigned.includes(variable));
    expect(missing).toEqual([]);
  });

  it('names the _FILE variant of every variable that has one, and LEAKWATCH_CONFIG', () => {
    const missing = [...FILE_VARIANTS, ...OTHER_KNOWN_VARIABLES].filter(
      (variable) => !assigned.includes(variable),
    );
    expect(missing).toEqual([]);
  });

  it('names no variable that leakwatch does not read, and each only once', () => {
    expect(assigned.filter((variable) => !KNOWN.has(variable))).toEqual([]);
    expect(assigned.filter((variable, index) => assigned.indexOf(variable) !== index)).toEqual([]);
  });

  it('explains every variable in a comment above it', () => {
    for (const { variable, line } of assignments) {
      // Walk up over the neighbouring assignments (a variable and its _FILE variant share one explanation).
      let above = line - 1;
      while (above >= 0 && /^#?\s*[A-Z][A-Z0-9_]*=/.test(lines[above] as string)) above--;
      const comment = lines[above] ?? '';
      expect(comment, variable).toMatch(/^# \S/);
    }
  });

  it('shows the defaults of config/default.yaml, and no secret', () => {
    const env = Object.fromEntries(
      assignments.filter((a) => !a.variable.endsWith('_FILE')).map((a) => [a.variable, a.value]),
    );
    const secrets = ENV_BINDINGS.filter((b) => b.fileVariant).map((b) => b.variable);
    for (const variable of secrets) expect(env[variable], variable).toBe('');
    const shown = loadConfig({ env, cwd });
    const defaults = loadConfig({ env: {}, cwd });
    expect(shown.config).toEqual(defaults.config);
    // Every value was really read from the file (an empty value counts as "not set").
    for (const binding of ENV_BINDINGS)
      expect(shown.sources.get(binding.key), binding.key).toBe(binding.variable);
  });

  it('gives absolute paths as examples for the _FILE variants', () => {
    for (const { variable, value } of assignments.filter((a) => a.variable.endsWith('_FILE'))) {
      expect(value, variable).toMatch(/^\/\S+$/);
    }
  });
});

describe('config/default.yaml', () => {
  /** `key: value  # VARIABLE …` lines, with the dotted key path worked out from the indentation. */
  function documentedVariables(): Map<string, { key: string; fileVariant: boolean }> {
    const found = new Map<string, { key: string; fileVariant: boolean }>();
    const parents: Array<{ indent: number; key: string }> = [];
    const defaults = readFileSync(join(ROOT, 'config', 'default.yaml'), 'utf8');
    for (const line of defaults.split('\n')) {
      const match = /^(\s*)([A-Za-z]\w*):(.*)$/.exec(line);
      if (!match) continue;
      const indent = (match[1] as string).length;
      while (parents.length > 0 && (parents.at(-1)?.indent as number) >= indent) parents.pop();
      const key = [...parents.map((p) => p.key), match[2] as string].join('.');
      const rest = match[3] as string;
      const variable = /#\s*((?:LEAKWATCH|DATABASE)_[A-Z0-9_]+)\b(.*)$/.exec(rest);
      if (variable)
        found.set(variable[1] as string, { key, fileVariant: /\(\+_FILE\)/.test(variable[2] as string) });
      if (rest.trim() === '') parents.push({ indent, key: match[2] as string });
    }
    return found;
  }

  it('names each variable beside the key it sets, with (+_FILE) exactly where a file variant exists', () => {
    const documented = documentedVariables();
    const expected = new Map(
      ENV_BINDINGS.map((b) => [b.variable, { key: b.key, fileVariant: b.fileVariant === true }]),
    );
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });
});
