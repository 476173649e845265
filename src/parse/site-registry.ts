import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../shared/errors.ts';
import { defineSite, type SiteDefinition } from './site-definition.ts';

/** The explicit list of known leak sites. Ids are unique: a second definition with a taken id is refused. */
export class SiteRegistry {
  private readonly sites = new Map<string, SiteDefinition>();

  constructor(definitions: Iterable<SiteDefinition> = []) {
    for (const definition of definitions) this.add(definition);
  }

  add(definition: SiteDefinition): void {
    const existing = this.sites.get(definition.id);
    if (existing) {
      throw new InputError(
        'site.duplicate_id',
        `site id "${definition.id}" is defined twice: in ${existing.source} and in ${definition.source}`,
      );
    }
    this.sites.set(definition.id, definition);
  }

  get(id: string): SiteDefinition | undefined {
    return this.sites.get(id);
  }

  require(id: string): SiteDefinition {
    const site = this.sites.get(id);
    if (!site) {
      throw new InputError(
        'site.unknown',
        `no site "${id}"; known: ${[...this.sites.keys()].sort().join(', ') || 'none'}`,
      );
    }
    return site;
  }

  all(): SiteDefinition[] {
    return [...this.sites.values()];
  }

  /** Definitions whose group name matches (case-insensitive), for pages that name their group. */
  byGroup(group: string): SiteDefinition[] {
    const wanted = group.toLowerCase();
    return this.all().filter((site) => site.group.toLowerCase() === wanted || site.id === wanted);
  }
}

/** Reads one YAML definition; the error names the file and every invalid key. */
export function readYamlDefinition(path: string): SiteDefinition {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(
      'site.bad_yaml',
      `${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError(
      'site.bad_yaml',
      `${path}: expected a mapping with id, name, group, mirrors, listing`,
    );
  }
  try {
    return defineSite(data as Parameters<typeof defineSite>[0], path);
  } catch (error) {
    throw new InputError('site.invalid', (error as Error).message);
  }
}

export interface YamlLoadResult {
  definitions: SiteDefinition[];
  /** One message per file that could not be used; the other files still load. */
  errors: string[];
}

/** Loads every *.yaml / *.yml in a folder. A bad file is reported and skipped; it never hides the others. */
export function loadYamlDefinitions(directory: string): YamlLoadResult {
  let names: string[];
  try {
    names = readdirSync(directory)
      .filter((name) => /\.ya?ml$/i.test(name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { definitions: [], errors: [] };
    throw error;
  }
  const result: YamlLoadResult = { definitions: [], errors: [] };
  for (const name of names) {
    try {
      result.definitions.push(readYamlDefinition(join(directory, name)));
    } catch (error) {
      result.errors.push((error as Error).message);
    }
  }
  return result;
}
