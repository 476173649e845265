import type { Element } from 'domhandler';
import { isText } from 'domhandler';
import {
  childElements,
  closest,
  collapse,
  descendants,
  isHidden,
  isInside,
  roleText,
  visibleText,
} from './dom.ts';
import { isGenericLabel, isTitleLike, labelKey } from './text-kinds.ts';

/**
 * Picks the title of one record (a repeated block): a heading, else an element named as a title, else the text of
 * a link to the site's own pages, else bold text, else the first cell of a table row, else the first words.
 */

export type TitleSource =
  | 'heading'
  | 'named'
  | 'link'
  | 'emphasis'
  | 'cell'
  | 'external_link'
  | 'attribute'
  | 'text';

/** How much a title from each source is trusted. */
export const SOURCE_WEIGHT: Record<TitleSource, number> = {
  heading: 1,
  named: 0.95,
  link: 0.8,
  emphasis: 0.6,
  cell: 0.6,
  external_link: 0.45,
  attribute: 0.45,
  text: 0.35,
};

export interface TitlePick {
  text: string;
  source: TitleSource;
  /** The element the title was read from. */
  element: Element;
}

const HEADING = /^h([1-6])$/;
const NAMED =
  /(^|[\s_-])(title|name|company|victim|target|heading|headline|subject|org|organization|client)([\s_-]|$)/;
const NOT_NAMED =
  /(site|user|author|file|nav|menu|brand|logo|page|section|tab|modal|widget|sub)[-_]?(title|name)/;

/** Whether a link points at the site's own pages, as opposed to a victim's website or a file server. */
export type LinkJudge = (anchor: Element) => 'site' | 'external' | 'file' | 'none';

function headingLevel(element: Element): number | undefined {
  const match = HEADING.exec(element.tagName);
  return match ? Number(match[1]) : undefined;
}

const INLINE = new Set([
  'a',
  'span',
  'i',
  'b',
  'strong',
  'em',
  'img',
  'small',
  'font',
  'u',
  'mark',
  'sup',
  'sub',
]);

/** Only inline content: the element is a title holder itself, not a whole card. */
function isLeafish(element: Element): boolean {
  return descendants(element).every((node) => INLINE.has(node.tagName));
}

/** Decorations inside a title element: badges, timers, dates, view counters, icons. */
const DECORATION =
  /(^|[\s_-])(badge|label|tag|tags|countdown|timer|status|new|date|time|views?|counter|icon|flag)([\s_-]|$)/;

/** An element's text without its decorations, when what is left still reads as a title. */
function readable(element: Element): string {
  const full = visibleText(element);
  const bare = visibleText(element, (node) => DECORATION.test(roleText(node)));
  return bare !== full && isTitleLike(bare) ? bare : full;
}

const PICTURE_WORDS =
  /^(logo|image|img|icon|photo|picture|banner|avatar|preview|cover|cover image|thumbnail|flag)$/i;

/** A heading's title: the link inside it when the link carries the name (badges and timers left out). */
function headingTitle(heading: Element, judge: LinkJudge): string {
  const text = readable(heading);
  const anchors = descendants(heading).filter((node) => node.tagName === 'a');
  if (anchors.length === 1) {
    const anchorText = readable(anchors[0] as Element);
    if (
      isTitleLike(anchorText) &&
      judge(anchors[0] as Element) !== 'file' &&
      anchorText.length >= text.length / 2
    )
      return anchorText;
  }
  return text;
}

/** Hints from the whole group: texts every record repeats (labels), and the table column that holds the names. */
export interface TitleOptions {
  banned?: ReadonlySet<string>;
  column?: number;
}

export function pickTitle(
  record: Element,
  judge: LinkJudge,
  options: TitleOptions = {},
): TitlePick | undefined {
  const banned = options.banned;
  const acceptable = (text: string) => isTitleLike(text) && !banned?.has(labelKey(text));
  const nodes = [record, ...descendants(record, { skipHidden: true })];
  // 1. Headings: the highest level wins, then document order.
  let best: TitlePick | undefined;
  let bestLevel = 7;
  // A heading that shows a state ("Paid", "Published") where the name would be: no loose text stands in for it.
  let badgeHeading = false;
  for (const node of nodes) {
    const level = headingLevel(node);
    if (level === undefined || level >= bestLevel) continue;
    const text = headingTitle(node, judge);
    if (isGenericLabel(text) && !banned?.has(labelKey(text))) badgeHeading = true;
    if (!acceptable(text)) continue;
    best = { text, source: 'heading', element: node };
    bestLevel = level;
  }
  if (best) return best;

  // 2. Elements whose class or id says they hold the name; the innermost one (`post-title` in `post-title-block`).
  const named: TitlePick[] = [];
  for (const node of nodes) {
    if (node === record && !isLeafish(record)) continue;
    const role = roleText(node);
    if (!NAMED.test(role) || NOT_NAMED.test(role)) continue;
    const text = readable(node);
    if (acceptable(text) && text.length <= 150) named.push({ text, source: 'named', element: node });
  }
  const innermost = named.find(
    (pick) => !named.some((other) => other !== pick && isInside(other.element, pick.element)),
  );
  if (innermost) return innermost;

  const isRow = record.tagName === 'tr';
  const emphasis = (): TitlePick | undefined => {
    for (const node of nodes) {
      if (!['strong', 'b'].includes(node.tagName)) continue;
      const text = readable(node);
      if (acceptable(text) && text.length <= 150) return { text, source: 'emphasis', element: node };
    }
    return undefined;
  };
  const link = (kind: 'site' | 'external'): TitlePick | undefined => {
    for (const node of nodes) {
      const anchor = node.tagName === 'a' ? node : undefined;
      if (!anchor) continue;
      const judged = judge(anchor);
      if (judged !== kind && !(kind === 'site' && judged === 'none' && anchor === record)) continue;
      const text = readable(anchor);
      if (acceptable(text) && text.length <= 150)
        return { text, source: kind === 'site' ? 'link' : 'external_link', element: anchor };
    }
    return undefined;
  };
  const cell = (): TitlePick | undefined => {
    if (options.column !== undefined) {
      const node = childElements(record).filter((child) => child.tagName === 'td' || child.tagName === 'th')[
        options.column
      ];
      const text = node ? readable(node) : '';
      if (node && acceptable(text) && text.length <= 150) return { text, source: 'cell', element: node };
    }
    for (const node of nodes) {
      if (node.tagName !== 'td' && node.tagName !== 'th') continue;
      const text = readable(node);
      if (acceptable(text) && text.length <= 150) return { text, source: 'cell', element: node };
    }
    return undefined;
  };

  // 3. A link to the site's own page, bold text, a table cell; a victim's website only after those.
  const ordered = isRow ? [link('site'), cell(), emphasis()] : [link('site'), emphasis()];
  for (const pick of ordered) if (pick) return pick;
  const external = link('external');
  if (external) return external;

  if (badgeHeading) return undefined;

  // 4. A logo's alt text or a link's title attribute, for cards that show only a picture.
  for (const node of nodes) {
    const label =
      node.tagName === 'img' ? node.attribs.alt : node.tagName === 'a' ? node.attribs.title : undefined;
    const text = collapse(label ?? '');
    if (acceptable(text) && text.length <= 120 && !PICTURE_WORDS.test(text))
      return { text, source: 'attribute', element: node };
  }

  // 5. The first run of text that reads as a title.
  for (const node of nodes) {
    if (isHidden(node)) continue;
    const ownText =
      node.children
        .filter(isText)
        .map((child) => collapse(child.data))
        .find((text) => text !== '') ?? '';
    if (acceptable(ownText) && ownText.length <= 120) return { text: ownText, source: 'text', element: node };
  }
  return undefined;
}

/** The link element holding or held by the title, if any. */
export function titleAnchor(pick: TitlePick, record: Element): Element | undefined {
  const around = closest(pick.element, (node) => node.tagName === 'a');
  if (around) return around;
  const inside = descendants(pick.element).filter((node) => node.tagName === 'a');
  if (inside.length === 1) return inside[0];
  // A record that is itself wrapped in a link (a card as one big <a>).
  const wrapping = closest(record, (node) => node.tagName === 'a');
  return wrapping;
}
