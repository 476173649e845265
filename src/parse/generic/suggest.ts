import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { FieldSpec } from '../site-definition.ts';
import { childElements, stableClasses } from './dom.ts';
import type { RecordInfo } from './record.ts';
import type { SuggestedSite } from './types.ts';

/**
 * CSS selectors for a site definition, read off the block the extractor chose: one selector for the post
 * containers, and for each field a selector inside a container, each checked against the page it came from.
 */

/** A field selector is kept when it finds the same element in this share of the records that have the field. */
const AGREEMENT = 0.8;

function escapeIdent(name: string): string {
  return name.replace(/([^\w-])/g, '\\$1');
}

function step(element: Element, allClasses = false): string {
  const classes = stableClasses(element);
  const chosen = allClasses ? classes : classes.slice(0, 1);
  return `${element.tagName}${chosen.map((name) => `.${escapeIdent(name)}`).join('')}`;
}

function usableId(element: Element): string | undefined {
  const id = element.attribs.id;
  return id && /^[A-Za-z][\w-]{0,40}$/.test(id) && !/\d{2,}/.test(id) ? `#${escapeIdent(id)}` : undefined;
}

function sameSet(found: Element[], wanted: Element[]): boolean {
  if (found.length !== wanted.length) return false;
  const set = new Set(wanted);
  return found.every((element) => set.has(element));
}

/** The shortest selector, climbing at most 8 ancestors, that selects exactly `wanted`. */
function climb($: CheerioAPI, first: Element, own: string, wanted: Element[]): string | undefined {
  const parts = [own];
  let ancestor = first.parent as Element | null;
  for (let depth = 0; depth < 8; depth++) {
    const selector = parts.join(' ');
    if (sameSet($(selector).toArray() as Element[], wanted)) return selector;
    if (ancestor?.type !== 'tag' || ancestor.tagName === 'html') return undefined;
    parts.unshift(usableId(ancestor) ?? step(ancestor));
    ancestor = ancestor.parent as Element | null;
  }
  return undefined;
}

/**
 * A selector of the post containers: exactly the records kept if it can (`div.panel.panel-primary` leaves the
 * placeholders out), else exactly every member of the block.
 */
export function containerSelector($: CheerioAPI, kept: Element[], members: Element[]): string | undefined {
  const first = kept[0];
  if (!first) return undefined;
  for (const wanted of [kept, members]) {
    for (const own of [step(first), step(first, true)]) {
      const selector = climb($, first, own, wanted);
      if (selector) return selector;
    }
  }
  return undefined;
}

/** Steps from the record down to `target`, with :nth-of-type where a tag repeats among siblings. */
function pathFrom(record: Element, target: Element): string | undefined {
  const steps: string[] = [];
  let current: Element | null = target;
  while (current && current !== record) {
    const parent = current.parent as Element | null;
    if (!parent) return undefined;
    const tag = current.tagName;
    const same = childElements(parent).filter((sibling) => sibling.tagName === tag);
    steps.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(current) + 1})` : step(current));
    current = parent;
  }
  return current === record ? steps.join(' > ') : undefined;
}

/** A selector inside the record that finds each record's field element, or undefined. */
function fieldSelector(
  $: CheerioAPI,
  pairs: Array<{ record: Element; target: Element }>,
): string | undefined {
  if (pairs.length === 0) return undefined;
  const sample = pairs[0] as { record: Element; target: Element };
  if (pairs.every(({ record, target }) => record === target)) return '';
  const options = [step(sample.target), step(sample.target, true), sample.target.tagName];
  const parent = sample.target.parent as Element | null;
  if (parent && parent !== sample.record && parent.type === 'tag')
    options.push(`${step(parent)} > ${step(sample.target)}`);
  const path = pathFrom(sample.record, sample.target);
  if (path) options.push(path);
  for (const option of options) {
    const hits = pairs.filter(({ record, target }) => $(record).find(option).first()[0] === target).length;
    if (hits / pairs.length >= AGREEMENT) return option;
  }
  return undefined;
}

/** A pattern that keeps a date written like `raw` ("Dec 01, 2022" → `\p{L}+\.? \d{1,2}, \d{1,4}`). */
export function patternLike(raw: string): string {
  const parts = raw.match(/\d+|\p{L}+|\s+|./gu) ?? [];
  const body = parts
    .map((part) => {
      if (/^\d+$/.test(part)) return `\\d{1,${Math.max(part.length, 2)}}`;
      if (/^\p{L}+$/u.test(part)) return '\\p{L}+';
      if (/^\s+$/.test(part)) return '\\s*';
      return part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    })
    .join('');
  return `(${body})`;
}

type FieldName = 'title' | 'link' | 'date' | 'description' | 'status' | 'website';

function elementOf(record: RecordInfo, field: FieldName): Element | undefined {
  switch (field) {
    case 'title':
      return record.title?.element;
    case 'link':
      return record.linkElement;
    case 'date':
      return record.dateElement;
    case 'description':
      return record.descriptionElement;
    case 'status':
      return record.statusElement;
    case 'website':
      return record.websiteElement;
  }
}

export function suggestSite(
  $: CheerioAPI,
  records: RecordInfo[],
  options: { members: Element[]; pagination?: string },
): SuggestedSite | undefined {
  const posts = containerSelector(
    $,
    records.map((record) => record.element),
    options.members,
  );
  if (!posts) return undefined;
  const specFor = (field: FieldName): FieldSpec | undefined => {
    const pairs = records.flatMap((record) => {
      const target = elementOf(record, field);
      return target ? [{ record: record.element, target }] : [];
    });
    if (pairs.length < records.length / 2) return undefined;
    const selector = fieldSelector($, pairs);
    if (selector === undefined) return undefined;
    if (field === 'link' || field === 'website') return { selector, attr: 'href' };
    const attribute = records.find((record) => record.title?.source === 'attribute')?.title?.element;
    if (field === 'title' && attribute)
      return { selector, attr: attribute.tagName === 'img' ? 'alt' : 'title' };
    if (field === 'date') {
      const raw = records.find((record) => record.dateElement)?.date ?? '';
      return { selector, pattern: patternLike(raw) };
    }
    return selector === '' ? { selector } : selector;
  };
  const title = specFor('title');
  if (title === undefined) return undefined;
  const suggestion: SuggestedSite = { posts, fields: { title } };
  for (const field of ['link', 'date', 'description', 'status', 'website'] as const) {
    const spec = specFor(field);
    if (spec !== undefined) suggestion.fields[field] = spec;
  }
  if (options.pagination) suggestion.pagination = { links: options.pagination };
  return suggestion;
}
