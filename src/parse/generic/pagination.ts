import type { Element } from 'domhandler';
import { descendants, roleText, stableClasses, visibleText } from './dom.ts';
import { hrefOf, type LinkContext, makeLinkJudge } from './links.ts';

/**
 * Links to further listing pages: numbered page links and "next/older" links, inside a pagination block or
 * pointing at a page-numbered URL on the same site.
 */

const PAGER_AREA =
  /(^|[\s_-])(pagination|pager|paging|pages|page-numbers|nav-links|pagenav|wp-pagenavi)([\s_-]|$)/;
const PAGER_TEXT =
  /^(\d{1,4}|next|next page|older|older posts|older entries|newer|newer posts|previous|prev|last|first|»|›|→|>|>>|<|<<|«|‹|←|следующая|далее|вперед|вперёд|назад|suivant|weiter|siguiente|下一页|上一页)$/iu;
const PAGE_URL = /([?&](page|p|pg|offset|start)=\d+)|(\/page\/\d+)|(\/\d+\/?$)|(page[-_]?\d+)/i;

export interface Pagination {
  urls: string[];
  /** A selector of the numbered links, for a suggested definition. */
  selector?: string;
}

function pagerArea(anchor: Element, root: Element): Element | undefined {
  let current: Element | null = anchor.parent as Element | null;
  for (let depth = 0; current && current !== root && depth < 4; depth++) {
    if (current.type === 'tag' && PAGER_AREA.test(roleText(current))) return current;
    current = current.parent as Element | null;
  }
  return undefined;
}

export function findPagination(root: Element, context: LinkContext): Pagination {
  const judge = makeLinkJudge(context);
  const current = context.pageUrl.replace(/#.*$/, '');
  const urls = new Set<string>();
  let area: Element | undefined;
  for (const anchor of descendants(root)) {
    if (anchor.tagName !== 'a' || judge(anchor) !== 'site') continue;
    const url = hrefOf(anchor, context)?.replace(/#.*$/, '');
    if (!url || url === current) continue;
    const text = visibleText(anchor);
    const inPager = pagerArea(anchor, root);
    const relNext = /\bnext\b/i.test(anchor.attribs.rel ?? '');
    const pagerLike = PAGER_TEXT.test(text) && PAGE_URL.test(url);
    if (!inPager && !relNext && !pagerLike) continue;
    if (inPager && !PAGER_TEXT.test(text) && !PAGE_URL.test(url) && !relNext) continue;
    urls.add(url);
    if (inPager && !area) area = inPager;
  }
  const result: Pagination = { urls: [...urls] };
  const first = area ? stableClasses(area)[0] : undefined;
  if (area && first) result.selector = `${area.tagName}.${first} a[href]`;
  return result;
}
