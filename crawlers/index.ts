import type { SiteDefinition } from '../src/parse/site-definition.ts';
import omega from './0mega.ts';
import blacksuit from './blacksuit.ts';
import daixin from './daixin.ts';
import everest from './everest.ts';
import groove from './groove.ts';
import lorenz from './lorenz.ts';
import moneymessage from './moneymessage.ts';
import pandora from './pandora.ts';
import pay2key from './pay2key.ts';
import yanluowang from './yanluowang.ts';

/**
 * Every leak site shipped with leakwatch, one module each. Adding a site: write crawlers/<id>.ts with defineSite(),
 * a fixture test beside it, and list it here.
 */
export const SHIPPED_SITES: readonly SiteDefinition[] = [
  omega,
  blacksuit,
  daixin,
  everest,
  groove,
  lorenz,
  moneymessage,
  pandora,
  pay2key,
  yanluowang,
];
