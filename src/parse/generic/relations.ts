import type { Element } from 'domhandler';
import type { Candidate } from './candidates.ts';
import { childElements, isInside, stepOf } from './dom.ts';
import type { Dropped } from './filters.ts';
import type { RecordInfo } from './record.ts';
import type { GroupScore } from './score.ts';
import { labelKey } from './text-kinds.ts';

/**
 * How candidate groups relate to each other: one nested in another, one an index of another (a sidebar of aliases),
 * one a list repeated inside each record of another (files, links). Used to penalise the groups that are not the
 * post list, and to find the real runner-up for the confidence.
 */

/** How many of the best groups are compared with each other for "repeats the titles of another block". */
const ALIAS_POOL = 8;
/** How many of the best groups are compared for "a list inside each post". */
const SUBLIST_POOL = 30;

export interface Scored {
  candidate: Candidate;
  records: RecordInfo[];
  dropped: Dropped[];
  score: GroupScore;
}

const titleCache = new WeakMap<Scored, string[]>();
const memberCache = new WeakMap<Scored, Set<Element>>();
const textCache = new WeakMap<Scored, string>();
/** Titles tested per group for "an index of another block": enough to tell, cheap on huge pages. */
const ALIAS_SAMPLE = 60;

function titlesOf(group: Scored): string[] {
  let titles = titleCache.get(group);
  if (!titles) {
    titles = group.records.map((record) => labelKey(record.title?.text ?? ''));
    titleCache.set(group, titles);
  }
  return titles;
}

function membersOf(group: Scored): Set<Element> {
  let members = memberCache.get(group);
  if (!members) {
    members = new Set(group.candidate.members);
    memberCache.set(group, members);
  }
  return members;
}

function textOf(group: Scored): string {
  let text = textCache.get(group);
  if (text === undefined) {
    text = group.records.map((record) => labelKey(record.text)).join(' | ');
    textCache.set(group, text);
  }
  return text;
}

export function nested(a: Scored, b: Scored): boolean {
  const x = a.candidate.members[0] as Element;
  const y = b.candidate.members[0] as Element;
  const theirs = membersOf(b);
  return isInside(x, y) || isInside(y, x) || a.candidate.members.some((member) => theirs.has(member));
}

/** A short list whose titles all appear in the text of a richer block is an index of it (a sidebar of aliases). */
export function penaliseIndexes(ranked: Scored[]): void {
  const pool = ranked.slice(0, ALIAS_POOL);
  for (const group of pool) {
    for (const other of pool) {
      if (other === group || other.score.richness <= group.score.richness || nested(group, other)) continue;
      const haystack = textOf(other);
      const titles = titlesOf(group)
        .filter((title) => title.length >= 3)
        .slice(0, ALIAS_SAMPLE);
      const repeated = titles.filter((title) => haystack.includes(title)).length;
      if (titles.length > 0 && repeated / titles.length >= 0.6) {
        group.score.factors.push({ name: `titles repeat those of a richer block (an index)`, factor: 0.2 });
        group.score.score *= 0.2;
        break;
      }
    }
  }
}

/** Share of `a`'s titles that `b` also returns. */
export function overlap(a: Scored, b: Scored): number {
  const theirs = new Set(titlesOf(b));
  const mine = titlesOf(a);
  return mine.filter((title) => theirs.has(title)).length / mine.length;
}

const SEPARATORS = new Set(['br', 'hr', 'script', 'style']);

/** How much of their parents' content the members make up, on average (1: the parent holds nothing else). */
function listShare(group: Scored): number {
  const members = new Set(group.candidate.members);
  const parents = new Set(group.records.map((record) => record.element.parent as Element));
  let total = 0;
  for (const parent of parents) {
    const children = childElements(parent).filter((child) => !SEPARATORS.has(child.tagName));
    total += children.filter((child) => members.has(child)).length / Math.max(1, children.length);
  }
  return total / parents.size;
}

/**
 * A group found several times inside each of several records of another group, mixed with other fields, where that
 * group's records have their own title outside it, is a list inside each post (its files, its links), not the posts.
 */
export function penaliseSublists(ranked: Scored[]): void {
  const pool = ranked.slice(0, SUBLIST_POOL);
  for (const inner of pool) {
    for (const outer of pool) {
      if (outer === inner) continue;
      const containers = new Set(outer.records.map((record) => record.element));
      const used = new Set<Element>();
      const inside = inner.records.every((record) => {
        let node = record.element.parent as Element | null;
        while (node && !containers.has(node)) node = node.parent as Element | null;
        if (node) used.add(node);
        return node !== null;
      });
      if (!inside || used.size < 2 || inner.records.length / used.size < 2) continue;
      // Inside a container of their own (a table, a <ul>, a grid) they are a list in a section, not fields.
      if (listShare(inner) >= 0.8) continue;
      const innerElements = inner.records.map((record) => record.element);
      const ownTitles = outer.records.filter((record) => {
        const title = record.title?.element;
        return title && !innerElements.some((element) => isInside(title, element));
      }).length;
      if (ownTitles / outer.records.length < 0.8) continue;
      inner.score.factors.push({
        name: 'repeated inside each record of a larger block (a list within each post)',
        factor: 0.6,
      });
      inner.score.score *= 0.6;
      break;
    }
  }
}

function dominantSlot(group: Scored): string {
  const counts = new Map<string, number>();
  for (const record of group.records) {
    const slot = `${record.title?.source}:${record.title?.element.tagName}`;
    counts.set(slot, (counts.get(slot) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/**
 * Blocks of the same records elsewhere on the page: the same element and class, titles read the same way, links
 * and dates where the chosen block has them, no penalty, no shared titles ("published" and "upcoming" sections).
 */
export function findSisters(best: Scored, ranked: Scored[]): Scored[] {
  const step = stepOf(best.candidate.members[0] as Element);
  const slot = dominantSlot(best);
  const sisters: Scored[] = [];
  for (const group of ranked) {
    if (group === best || group.score.factors.length > 0) continue;
    if (stepOf(group.candidate.members[0] as Element) !== step || dominantSlot(group) !== slot) continue;
    if ([best, ...sisters].some((chosen) => nested(group, chosen) || overlap(group, chosen) > 0.2)) continue;
    const alike = (key: 'link' | 'date') => best.score.shares[key] < 0.8 || group.score.shares[key] >= 0.5;
    if (!alike('link') || !alike('date') || group.score.titleStrength < 0.8 * best.score.titleStrength)
      continue;
    sisters.push(group);
  }
  return sisters;
}
