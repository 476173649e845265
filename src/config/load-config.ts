import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';
import { PACKAGE_ROOT } from '../shared/paths.ts';
import { ENV_BINDINGS, type EnvBinding, OTHER_KNOWN_VARIABLES } from './env-map.ts';
import { maskUrlPassword } from './mask.ts';
import { type Config, configSchema, SECRET_KEYS, URL_WITH_CREDENTIALS_KEYS } from './schema.ts';

export const DEFAULT_CONFIG_FILE = join(PACKAGE_ROOT, 'config', 'default.yaml');

export interface LoadedConfig {
  config: Config;
  /** For each key path, where its effective value came from (a file path or an environment variable). */
  sources: ReadonlyMap<string, string>;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  defaultsFile?: string;
}

type Tree = Record<string, unknown>;

/**
 * Reads the layers, validates once, and either returns the whole configuration or throws one ConfigError listing
 * every problem with its key, the value's source and what is expected.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const sources = new Map<string, string>();
  const merged: Tree = {};

  const defaultsFile = options.defaultsFile ?? DEFAULT_CONFIG_FILE;
  mergeLayer(merged, readYamlLayer(defaultsFile, problems), 'config/default.yaml', sources);

  const extraFile = env.LEAKWATCH_CONFIG;
  if (extraFile) {
    const path = isAbsolute(extraFile) ? extraFile : resolve(cwd, extraFile);
    mergeLayer(merged, readYamlLayer(path, problems, 'LEAKWATCH_CONFIG'), path, sources);
  }

  for (const binding of ENV_BINDINGS) applyEnvBinding(merged, binding, env, cwd, sources, problems);
  problems.push(...unknownVariables(env));

  const result = configSchema.safeParse(merged);
  if (!result.success)
    problems.push(...result.error.issues.map((issue) => describeIssue(issue, merged, sources)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  const config = result.data;
  config.dataDir = resolve(cwd, config.dataDir);
  config.crawl.sitesDir = resolve(cwd, config.crawl.sitesDir);
  return { config, sources };
}

function readYamlLayer(path: string, problems: string[], via?: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    problems.push(`${via ? `${via}: ` : ''}cannot read configuration file ${path}: ${reason}`);
    return {};
  }
  try {
    const parsed: unknown = parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`${path}: expected a YAML mapping of settings at the top level`);
      return {};
    }
    return parsed as Tree;
  } catch (error) {
    problems.push(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return {};
  }
}

function mergeLayer(
  target: Tree,
  layer: Tree,
  source: string,
  sources: Map<string, string>,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) {
      const child = isTree(target[key]) ? (target[key] as Tree) : {};
      target[key] = child;
      mergeLayer(child, value, source, sources, path);
    } else {
      target[key] = value;
      sources.set(path, source);
    }
  }
}

function applyEnvBinding(
  target: Tree,
  binding: EnvBinding,
  env: NodeJS.ProcessEnv,
  cwd: string,
  sources: Map<string, string>,
  problems: string[],
): void {
  const direct = env[binding.variable];
  const fileVariable = `${binding.variable}_FILE`;
  const filePath = binding.fileVariant ? env[fileVariable] : undefined;
  if (direct !== undefined && filePath !== undefined) {
    problems.push(`${binding.key}: both ${binding.variable} and ${fileVariable} are set; set only one`);
    return;
  }
  let raw: string;
  let source: string;
  if (filePath !== undefined) {
    const path = isAbsolute(filePath) ? filePath : resolve(cwd, filePath);
    try {
      raw = readFileSync(path, 'utf8').trim();
    } catch (error) {
      problems.push(
        `${binding.key}: cannot read ${fileVariable}=${path}: ${(error as NodeJS.ErrnoException).code}`,
      );
      return;
    }
    source = `${fileVariable} (${path})`;
  } else if (direct !== undefined) {
    raw = direct;
    source = binding.variable;
  } else {
    return;
  }
  setPath(target, binding.key, convert(raw, binding));
  sources.set(binding.key, source);
}

/** Variables are strings; convert by the binding's kind and let the schema reject what does not convert. */
function convert(raw: string, binding: EnvBinding): unknown {
  if (raw === '' && binding.kind === 'string') return null;
  if (binding.kind === 'int') return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (binding.kind === 'number') return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  return raw;
}

function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>(OTHER_KNOWN_VARIABLES);
  for (const binding of ENV_BINDINGS) {
    known.add(binding.variable);
    if (binding.fileVariant) known.add(`${binding.variable}_FILE`);
  }
  return Object.keys(env)
    .filter((name) => name.startsWith('LEAKWATCH_') && !known.has(name))
    .map((name) => {
      const suggestion = closest(name, [...known]);
      return `${name}: unknown variable${suggestion ? ` (did you mean ${suggestion}?)` : ''}; see config/default.yaml`;
    });
}

function describeIssue(issue: z.core.$ZodIssue, merged: Tree, sources: ReadonlyMap<string, string>): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const parent = path.join('.');
    return issue.keys
      .map((key) => {
        const full = parent ? `${parent}.${key}` : key;
        return `${full}: unknown setting (from ${sources.get(full) ?? 'configuration'}); see config/default.yaml`;
      })
      .join('\n  - ');
  }
  const key = path.join('.');
  const value = getPath(merged, path);
  const source = sources.get(key) ?? 'nowhere (missing)';
  const shown = value === undefined ? 'missing' : showValue(key, value);
  return `${key} = ${shown} (from ${source}): ${expectation(issue)}`;
}

/** Error messages name the offending value, except secrets, which are never echoed. */
function showValue(key: string, value: unknown): string {
  if (SECRET_KEYS.includes(key)) return '[hidden]';
  if (URL_WITH_CREDENTIALS_KEYS.includes(key) && typeof value === 'string')
    return JSON.stringify(maskUrlPassword(value));
  return JSON.stringify(value);
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'too_small')
    return `expected at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
  if (issue.code === 'too_big')
    return `expected at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
  return issue.message;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(target: Tree, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (!isTree(node)) return undefined;
    node = node[part];
  }
  return node;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}
