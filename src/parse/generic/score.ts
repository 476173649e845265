import type { Element } from 'domhandler';
import { roleText } from './dom.ts';
import type { RecordInfo } from './record.ts';
import { labelKey, titleQuality } from './text-kinds.ts';
import { SOURCE_WEIGHT, type TitleSource } from './title.ts';

/**
 * How much a group of records looks like the page's post list: many records, each with a title from a strong source
 * (heading, title class, link), titles that differ from each other, and more than a title (description, link to
 * the post, date, website, picture). Blocks in navigation, headers, footers and sidebars, and lists whose links only
 * jump inside the page (a table of contents) are penalised.
 */

export interface Factor {
  name: string;
  factor: number;
}

export interface GroupScore {
  score: number;
  count: number;
  titleStrength: number;
  uniqueness: number;
  richness: number;
  consistency: number;
  shares: { link: number; date: number; description: number; website: number };
  sources: Partial<Record<TitleSource, number>>;
  /** Penalties (factor < 1) and bonuses applied, for the explanation. */
  factors: Factor[];
}

const AREA_TAGS = new Set(['nav', 'header', 'footer', 'aside', 'menu']);
const AREA_ROLES = /\b(navigation|banner|contentinfo|complementary|menu|menubar|tablist)\b/;
const AREA_TOKENS = new Set([
  'nav',
  'navbar',
  'navigation',
  'menu',
  'submenu',
  'sidebar',
  'sidenav',
  'aside',
  'footer',
  'header',
  'topbar',
  'breadcrumb',
  'breadcrumbs',
  'pagination',
  'pager',
  'tags',
  'tagcloud',
  'categories',
  'widget',
  'social',
  'share',
  'toolbar',
  'dropdown',
]);

/** The first navigation-like element among the record and its ancestors, described (`nav`, `div.sidenav`). */
export function navigationArea(record: Element): string | undefined {
  let current: Element | null = record;
  while (current && current.type === 'tag' && current.tagName !== 'body') {
    if (AREA_TAGS.has(current.tagName)) return `<${current.tagName}>`;
    if (AREA_ROLES.test(current.attribs.role ?? '')) return `role=${current.attribs.role}`;
    const tokens = roleText(current)
      .split(/[\s_-]+/)
      .filter(Boolean);
    const hit = tokens.find((token) => AREA_TOKENS.has(token));
    if (hit) return `${current.tagName} "${hit}"`;
    current = current.parent as Element | null;
  }
  return undefined;
}

function share(records: RecordInfo[], test: (record: RecordInfo) => boolean): number {
  return records.filter(test).length / records.length;
}

export function scoreGroup(records: RecordInfo[]): GroupScore {
  const count = records.length;
  const sources: Partial<Record<TitleSource, number>> = {};
  const slots = new Map<string, number>();
  let strength = 0;
  for (const record of records) {
    const title = record.title;
    if (!title) continue;
    sources[title.source] = (sources[title.source] ?? 0) + 1;
    strength += SOURCE_WEIGHT[title.source] * titleQuality(title.text);
    const slot = `${title.source}:${title.element.tagName}`;
    slots.set(slot, (slots.get(slot) ?? 0) + 1);
  }
  const titleStrength = strength / count;
  const uniqueness = new Set(records.map((record) => labelKey(record.title?.text ?? ''))).size / count;
  const consistency = Math.max(...slots.values()) / count;
  const shares = {
    link: share(records, (record) => record.link !== undefined),
    date: share(records, (record) => record.date !== undefined),
    description: share(records, (record) => record.description !== undefined),
    website: share(records, (record) => record.website !== undefined || record.attachments.length > 0),
  };
  const image = share(records, (record) => record.hasImage);
  const status = share(records, (record) => record.status !== undefined);
  const richness =
    0.3 * shares.description +
    0.25 * shares.link +
    0.2 * shares.date +
    0.1 * shares.website +
    0.1 * image +
    0.05 * status;

  const factors: Factor[] = [];
  const area = navigationArea(records[0]?.element as Element);
  if (area) factors.push({ name: `inside navigation/sidebar/header/footer (${area})`, factor: 0.25 });
  const jumping = share(records, (record) => record.links > 0 && record.fragmentLinks === record.links);
  if (jumping > 0.3)
    factors.push({
      name: `links only jump within the page (${Math.round(jumping * 100)}%)`,
      factor: 1 - 0.7 * jumping,
    });
  const bare = share(
    records,
    (record) => record.links > 0 && !record.date && !record.description && record.text === record.title?.text,
  );
  if (bare >= 0.8) factors.push({ name: 'bare links with nothing but a name (a menu?)', factor: 0.6 });
  const long = share(records, (record) => (record.title?.text.length ?? 0) > 120);
  if (long > 0.5) factors.push({ name: 'titles read like sentences', factor: 0.5 });

  const base = count * titleStrength * uniqueness * (0.3 + richness) * (0.5 + 0.5 * consistency);
  const score = factors.reduce((value, { factor }) => value * factor, base);
  return { score, count, titleStrength, uniqueness, richness, consistency, shares, sources, factors };
}
