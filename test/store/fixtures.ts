import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/store/db.ts';
import { type SiteDefinitionInput, upsertSite } from '../../src/store/sites.repository.ts';

/** A unique id, so tests sharing one database per describe block never see each other's rows. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function siteDefinition(overrides: Partial<SiteDefinitionInput> = {}): SiteDefinitionInput {
  const id = overrides.id ?? uniqueId('site');
  return {
    id,
    name: `Site ${id}`,
    groupName: 'TestGroup',
    engine: 'http',
    schedule: '*/30 * * * *',
    definitionSource: 'test',
    mirrors: [`http://${'a'.repeat(56)}.onion/`],
    ...overrides,
  };
}

/** Creates a site and returns its id. */
export async function createSite(db: Db, overrides: Partial<SiteDefinitionInput> = {}): Promise<string> {
  const { site } = await upsertSite(db, siteDefinition(overrides));
  return site.id;
}
