import type { AnyNode, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';

/**
 * Small DOM helpers for the generic extractor, on domhandler nodes (what cheerio parses into). Traversals are
 * iterative: captured pages are hostile input and may nest elements tens of thousands deep.
 */

/** Elements whose content is never read as page text. */
export const SKIPPED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'head',
  'iframe',
  'object',
  'select',
  'option',
  'textarea',
  'canvas',
]);

/** Elements that end a run of words: their text is separated from the text around them. */
const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'button',
]);

const HIDDEN_CLASS = /(^|\s)(sr-only|screen-reader-text|visually-hidden|visuallyhidden|d-none|hidden)(\s|$)/i;

export function collapse(text: string): string {
  return text.replace(/(?:\s|\u00a0|\u200b|\u200c|\u200d|\ufeff)+/g, ' ').trim();
}

/** Hidden from a visitor: the `hidden` attribute, display:none / visibility:hidden, screen-reader-only classes. */
export function isHidden(element: Element): boolean {
  const { attribs } = element;
  if (attribs.hidden !== undefined) return true;
  if (attribs.style && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(attribs.style)) return true;
  return attribs.class !== undefined && HIDDEN_CLASS.test(attribs.class);
}

/** Children that are elements, in order. */
export function childElements(node: AnyNode): Element[] {
  return 'children' in node ? (node.children as AnyNode[]).filter(isTag) : [];
}

const SPACE = Symbol('space');

/**
 * The text a visitor reads in a node: script/style and hidden elements left out, block boundaries become spaces
 * so that two cells never merge into one word.
 */
/** Texts already read, per node: records, titles and fields read the same elements many times. */
const textCache = new WeakMap<AnyNode, string>();

export function visibleText(node: AnyNode, skip?: (element: Element) => boolean): string {
  if (!skip) {
    const cached = textCache.get(node);
    if (cached !== undefined) return cached;
    const text = readVisibleText(node);
    textCache.set(node, text);
    return text;
  }
  return readVisibleText(node, skip);
}

function readVisibleText(node: AnyNode, skip?: (element: Element) => boolean): string {
  const parts: string[] = [];
  const stack: Array<AnyNode | typeof SPACE> = [node];
  while (stack.length > 0) {
    const current = stack.pop() as AnyNode | typeof SPACE;
    if (current === SPACE) {
      parts.push(' ');
      continue;
    }
    if (isText(current)) {
      parts.push(current.data);
      continue;
    }
    if (!isTag(current)) continue;
    if (SKIPPED_TAGS.has(current.tagName) || (current !== node && (isHidden(current) || skip?.(current))))
      continue;
    const block = BLOCK_TAGS.has(current.tagName);
    if (block) stack.push(SPACE);
    for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as AnyNode);
    if (block) stack.push(SPACE);
  }
  return collapse(parts.join(''));
}

/** Every element below `root` (not `root` itself), in document order, skipping script/style and friends. */
export function descendants(root: AnyNode, options: { skipHidden?: boolean } = {}): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...childElements(root)].reverse();
  while (stack.length > 0) {
    const current = stack.pop() as Element;
    if (SKIPPED_TAGS.has(current.tagName)) continue;
    if (options.skipHidden && isHidden(current)) continue;
    out.push(current);
    const children = childElements(current);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Element);
  }
  return out;
}

/** The closest ancestor-or-self element matching `test`, up to (not beyond) `stop`. */
export function closest(
  element: Element,
  test: (candidate: Element) => boolean,
  stop?: AnyNode,
): Element | undefined {
  let current: AnyNode | null = element;
  while (current && isTag(current)) {
    if (test(current)) return current;
    if (current === stop) return undefined;
    current = current.parent;
  }
  return undefined;
}

export function isInside(element: AnyNode, ancestor: AnyNode): boolean {
  let current: AnyNode | null = element;
  while (current) {
    if (current === ancestor) return true;
    current = current.parent;
  }
  return false;
}

/** Class names that change from one record to the next or with state: ids baked into classes, active, odd… */
const STATE_CLASS =
  /^(active|current|selected|odd|even|first|last|show|open|collapsed|in|fade|visible|disabled|hover|focus|new|hot|sticky|pinned|featured|highlighted?|clearfix|loaded|animated|lazy|lazyloaded|js-.*)$/i;

export function stableClasses(element: Element): string[] {
  const raw = element.attribs.class;
  if (!raw) return [];
  return raw
    .split(/\s+/)
    .filter((name) => name && name.length <= 40 && !/\d{2,}/.test(name) && !STATE_CLASS.test(name))
    .filter((name) => /^-?[_a-zA-Z][\w-]*$/.test(name));
}

/** One step of a structural signature: the tag and its first stable class (`div.card`, `tr`). */
export function stepOf(element: Element): string {
  const first = stableClasses(element)[0];
  return first ? `${element.tagName}.${first}` : element.tagName;
}

/** The same step with every stable class, sorted: splits `panel panel-primary` from `panel panel-success`. */
export function fullStepOf(element: Element): string {
  const classes = stableClasses(element).sort();
  return classes.length > 0 ? `${element.tagName}.${classes.join('.')}` : element.tagName;
}

/** Class, id and a few attributes that name what an element is, lower-cased, for keyword tests. */
export function roleText(element: Element): string {
  const { attribs } = element;
  return `${attribs.class ?? ''} ${attribs.id ?? ''} ${attribs.itemprop ?? ''} ${attribs.role ?? ''}`.toLowerCase();
}
