import type { SiteDefinition } from '../src/parse/site-definition.ts';

/**
 * Every leak site shipped with leakwatch, one module each. Adding a site: write crawlers/<id>.ts with defineSite(),
 * a fixture test beside it, and list it here.
 */
export const SHIPPED_SITES: readonly SiteDefinition[] = [];
