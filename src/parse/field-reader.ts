import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import type { FieldSpec } from './site-definition.ts';

/** Whitespace folded, as a person reads the text. */
export function cleanText(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

/** Text of an element with line breaks where the page has block boundaries, so words of two cells do not merge. */
export function blockText($: CheerioAPI, element: Cheerio<AnyNode>): string {
  const clone = element.clone();
  clone.find('script, style, noscript, template').remove();
  clone.find('br, p, div, li, tr, td, th, h1, h2, h3, h4, h5, h6').each((_, node) => {
    $(node).append(' ');
  });
  return cleanText(clone.text());
}

function applyPattern(value: string, pattern: string | undefined): string | undefined {
  if (!pattern) return value;
  const match = new RegExp(pattern, 'iu').exec(value);
  if (!match) return undefined;
  return (match[1] ?? match[0]).trim();
}

/** Reads one field inside a post container; undefined when absent or empty. */
export function readField(
  $: CheerioAPI,
  container: Cheerio<AnyNode>,
  spec: FieldSpec | undefined,
): string | undefined {
  if (spec === undefined) return undefined;
  const { selector, attr, pattern } =
    typeof spec === 'string' ? { selector: spec, attr: undefined, pattern: undefined } : spec;
  const target = selector ? container.find(selector).first() : container;
  if (target.length === 0) return undefined;
  const raw = attr ? target.attr(attr) : blockText($, target);
  if (raw === undefined) return undefined;
  const value = applyPattern(cleanText(raw), pattern);
  return value ? value : undefined;
}

/** Reads every match of a field (attachments): attribute values or texts. */
export function readAll($: CheerioAPI, container: Cheerio<AnyNode>, spec: FieldSpec | undefined): string[] {
  if (spec === undefined) return [];
  const { selector, attr, pattern } =
    typeof spec === 'string' ? { selector: spec, attr: 'href', pattern: undefined } : spec;
  const targets = selector ? container.find(selector) : container;
  const values: string[] = [];
  targets.each((_, node) => {
    const element = $(node);
    const raw = attr ? element.attr(attr) : element.text();
    const value = raw === undefined ? undefined : applyPattern(cleanText(raw), pattern);
    if (value) values.push(value);
  });
  return values;
}

/** An absolute URL for a link found on `pageUrl`, or undefined for javascript:, mailto:, fragments and garbage. */
export function absoluteUrl(href: string | undefined, pageUrl: string): string | undefined {
  if (!href) return undefined;
  const trimmed = href.trim();
  if (!trimmed || trimmed.startsWith('#') || /^(javascript|mailto|data|tel):/i.test(trimmed))
    return undefined;
  try {
    const url = new URL(trimmed, pageUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
