import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiteRegistry } from '../src/parse/site-registry.ts';
import { SHIPPED_SITES } from './index.ts';

const here = import.meta.dirname;

describe('shipped sites', () => {
  it('lists the ten definitions once each, and the registry accepts them all', () => {
    expect(SHIPPED_SITES.map((site) => site.id).sort()).toEqual(
      [
        '0mega',
        'blacksuit',
        'daixin',
        'everest',
        'groove',
        'lorenz',
        'moneymessage',
        'pandora',
        'pay2key',
        'yanluowang',
      ].sort(),
    );
    const registry = new SiteRegistry(SHIPPED_SITES);
    for (const site of SHIPPED_SITES) expect(registry.byGroup(site.group)).toEqual([site]);
  });

  it('every definition has its module and a fixture test beside it', () => {
    for (const site of SHIPPED_SITES) {
      expect(site.source).toBe(`crawlers/${site.id}.ts`);
      expect(existsSync(join(here, `${site.id}.ts`)), site.id).toBe(true);
      expect(existsSync(join(here, `${site.id}.test.ts`)), site.id).toBe(true);
    }
  });
});
