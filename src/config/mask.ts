import { type Config, SECRET_KEYS, URL_WITH_CREDENTIALS_KEYS } from './schema.ts';

/** A copy of the configuration safe to print: secrets replaced, passwords in URLs hidden. */
export function maskConfig(config: Config): Record<string, unknown> {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const key of SECRET_KEYS) {
    const value = get(copy, key);
    if (value !== null && value !== undefined) set(copy, key, '********');
  }
  for (const key of URL_WITH_CREDENTIALS_KEYS) {
    const value = get(copy, key);
    if (typeof value === 'string') set(copy, key, maskUrlPassword(value));
  }
  return copy;
}

export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '********';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:********@');
  }
}

function get(tree: Record<string, unknown>, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

function set(tree: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  const parent = parts.slice(0, -1).reduce((node, part) => node[part] as Record<string, unknown>, tree);
  parent[parts[parts.length - 1] as string] = value;
}
