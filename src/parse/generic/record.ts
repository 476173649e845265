import type { Element } from 'domhandler';
import { parseLooseDate } from '../dates.ts';
import type { PostStatus } from '../parsed-post.ts';
import { classifyStatus, countdownEnd } from '../post-status.ts';
import { closest, descendants, isInside, roleText, visibleText } from './dom.ts';
import { hrefOf, isFragmentLink, type LinkContext, linkContext, makeLinkJudge, onclickUrl } from './links.ts';
import { findDate, isDetailLabel, isGenericLabel } from './text-kinds.ts';
import { type LinkJudge, pickTitle, type TitleOptions, type TitlePick, titleAnchor } from './title.ts';

/** One repeated block of a page read as a post: its title and whatever else it shows. */
export interface RecordInfo {
  element: Element;
  title?: TitlePick;
  text: string;
  link?: string;
  linkElement?: Element;
  date?: string;
  publishedAt?: Date;
  dateElement?: Element;
  description?: string;
  descriptionElement?: Element;
  status?: PostStatus;
  statusElement?: Element;
  countdownEndsAt?: Date;
  website?: string;
  websiteElement?: Element;
  size?: string;
  attachments: string[];
  hasImage: boolean;
  links: number;
  /** Links that only jump inside this page. */
  fragmentLinks: number;
}

export interface RecordContext extends LinkContext {
  fetchedAt: Date;
  judge: LinkJudge;
}

export function recordContext(
  pageUrl: string,
  fetchedAt: Date,
  anchors: readonly Element[] = [],
): RecordContext {
  const links = linkContext(pageUrl, anchors);
  return { ...links, fetchedAt, judge: makeLinkJudge(links) };
}

const DATE_ROLE = /(date|time|posted|publish|created|updated|when)/;
const STATUS_ROLE = /(status|badge|label|progress|state|countdown|timer|deadline|clock)/;
const COUNTDOWN_ROLE = /(countdown|timer|deadline|clock)/;
const DESCRIPTION_ROLE = /(desc|summary|excerpt|abstract|content|text|body|about|info|intro|preview)/;
const SIZE = /\b\d+(?:[.,]\d+)?\s?(?:[KMGTP]i?B|[KMGT]b|ГБ|МБ|ТБ)\b/u;
const MAX_ATTACHMENTS = 50;

export function readRecord(element: Element, context: RecordContext, options?: TitleOptions): RecordInfo {
  const nodes = [element, ...descendants(element, { skipHidden: true })];
  const text = visibleText(element);
  const anchors = nodes.filter((node) => node.tagName === 'a' && node.attribs.href !== undefined);
  const record: RecordInfo = {
    element,
    text,
    attachments: [],
    hasImage: nodes.some(
      (node) => node.tagName === 'img' || /background-image/.test(node.attribs.style ?? ''),
    ),
    links: anchors.length,
    fragmentLinks: anchors.filter((anchor) => isFragmentLink(anchor, context)).length,
  };
  const title = pickTitle(element, context.judge, options);
  if (title) record.title = title;
  readLink(record, nodes, anchors, context);
  readDate(record, nodes, context);
  readStatus(record, nodes, context);
  for (const anchor of anchors) {
    const kind = context.judge(anchor);
    const url = hrefOf(anchor, context);
    if (!url) continue;
    if (kind === 'external' && !record.website) {
      record.website = url;
      record.websiteElement = anchor;
    } else if (kind === 'file' && record.attachments.length < MAX_ATTACHMENTS) record.attachments.push(url);
  }
  const size = SIZE.exec(text);
  if (size) record.size = size[0];
  readDescription(record, nodes);
  return record;
}

function readLink(record: RecordInfo, nodes: Element[], anchors: Element[], context: RecordContext): void {
  const set = (anchor: Element | undefined): boolean => {
    if (!anchor || context.judge(anchor) !== 'site') return false;
    const url = hrefOf(anchor, context);
    if (!url || url === context.pageUrl) return false;
    record.link = url;
    record.linkElement = anchor;
    return true;
  };
  if (record.title && set(titleAnchor(record.title, record.element))) return;
  for (const anchor of anchors) if (isDetailLabel(visibleText(anchor)) && set(anchor)) return;
  // A card whose cover picture, ahead of its title, links to the post.
  const titleAt = record.title ? nodes.indexOf(record.title.element) : -1;
  for (const anchor of anchors) {
    if (nodes.indexOf(anchor) > titleAt) break;
    const label = visibleText(anchor);
    if (label === '' && descendants(anchor).some((node) => node.tagName === 'img') && set(anchor)) return;
  }
  const clickable = record.title
    ? closest(record.title.element, (node) => !!node.attribs.onclick)
    : undefined;
  const clicked = onclickUrl(clickable ?? record.element, context);
  if (clicked) record.link = clicked;
}

function readDate(record: RecordInfo, nodes: Element[], context: RecordContext): void {
  const titleText = record.title?.text ?? '';
  const tryNode = (node: Element, raw: string): boolean => {
    const found = findDate(raw, context.fetchedAt);
    if (!found) return false;
    record.date = found.raw;
    record.publishedAt = found.at;
    record.dateElement = node;
    return true;
  };
  for (const node of nodes) {
    if (node.tagName !== 'time') continue;
    if (tryNode(node, visibleText(node)) || tryNode(node, node.attribs.datetime ?? '')) return;
  }
  for (const node of nodes) {
    if (node === record.element || !DATE_ROLE.test(roleText(node)) || COUNTDOWN_ROLE.test(roleText(node)))
      continue;
    if (tryNode(node, visibleText(node))) return;
  }
  const rest = titleText ? record.text.replace(titleText, ' ') : record.text;
  const found = findDate(rest, context.fetchedAt);
  if (!found) return;
  record.date = found.raw;
  record.publishedAt = found.at;
  // The innermost element that shows the date, for a suggested selector.
  let holder = record.element;
  for (const node of nodes) {
    if (node !== record.element && isInside(node, holder) && visibleText(node).includes(found.raw))
      holder = node;
  }
  record.dateElement = holder;
}

function readStatus(record: RecordInfo, nodes: Element[], context: RecordContext): void {
  for (const node of nodes) {
    if (node === record.element) continue;
    const role = roleText(node);
    if (!STATUS_ROLE.test(role)) continue;
    const text = visibleText(node);
    const countdown = COUNTDOWN_ROLE.test(role);
    const status = classifyStatus(text) ?? (countdown && text ? 'countdown' : undefined);
    if (!status) continue;
    record.status = status;
    record.statusElement = node;
    if (status === 'countdown') {
      const raw = text || node.attribs['data-end'] || node.attribs['data-time'] || node.attribs['data-date'];
      const endsAt = countdownEnd(raw, context.fetchedAt, (value) =>
        parseLooseDate(value, context.fetchedAt),
      );
      if (endsAt) record.countdownEndsAt = endsAt;
    }
    return;
  }
}

function readDescription(record: RecordInfo, nodes: Element[]): void {
  const title = record.title?.text ?? '';
  let best: { text: string; element?: Element } | undefined;
  for (const node of nodes) {
    if (node === record.element) continue;
    if (node.tagName !== 'p' && !DESCRIPTION_ROLE.test(roleText(node))) continue;
    if (record.title && isInside(record.title.element, node)) continue;
    const text = visibleText(node);
    const withoutDate = record.date ? text.replace(record.date, '') : text;
    if (withoutDate.length >= 20 && !isGenericLabel(text) && (!best || text.length > best.text.length))
      best = { text, element: node };
  }
  if (!best) {
    const rest = (title ? record.text.replace(title, ' ') : record.text).replace(/\s+/g, ' ').trim();
    if ((record.date ? rest.replace(record.date, '') : rest).length >= 20) best = { text: rest };
  }
  if (!best) return;
  record.description = best.text.length > 500 ? `${best.text.slice(0, 499)}…` : best.text;
  if (best.element) record.descriptionElement = best.element;
}
