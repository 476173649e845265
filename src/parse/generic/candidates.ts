import type { Element } from 'domhandler';
import { descendants, fullStepOf, stepOf } from './dom.ts';

/**
 * Candidate record groups: elements that share a structural signature, the path of `tag.class` steps from <body>.
 * Siblings of one list share it, and so do the cards of a grid split over several rows or the rows of two tables
 * with the same classes. Each element gets two signatures: with the first stable class of each step (`div.panel`)
 * and, for its own step, with every stable class (`div.panel.panel-success`), so a block of placeholders styled
 * differently can be told from the posts around it.
 */

export interface Candidate {
  /** The last steps of the signature, readable (`div.row > div.col-sm-9 > div.panel`). */
  signature: string;
  /** Depth of the members below <body>. */
  depth: number;
  /** The members were grouped with every class of their own step (`div.panel.panel-primary`). */
  fullClasses: boolean;
  members: Element[];
}

/** Elements that are never a record themselves. */
const NOT_RECORDS = new Set([
  'br',
  'hr',
  'img',
  'input',
  'wbr',
  'col',
  'colgroup',
  'source',
  'track',
  'area',
  'param',
  'embed',
  'link',
  'meta',
  'base',
  'thead',
  'tbody',
  'tfoot',
  'i',
  'b',
  'strong',
  'em',
  'small',
  'span',
  'font',
]);

/** More groups than this are not scored (hostile pages); the largest and deepest are kept. */
const MAX_CANDIDATES = 250;

/** Readable tail of an element's signature: its own step and up to two ancestors'. */
function describePath(element: Element, own: string): string {
  const steps = [own];
  let current = element.parent as Element | null;
  while (steps.length < 3 && current && current.type === 'tag' && current.tagName !== 'body') {
    steps.unshift(stepOf(current));
    current = current.parent as Element | null;
  }
  return steps.join(' > ');
}

export function findCandidates(root: Element): Candidate[] {
  const elements = descendants(root, { skipHidden: true });
  // Signatures are interned as numbers: "parent id > step" keeps keys short however deep the page nests.
  const ids = new Map<string, number>();
  const intern = (key: string) => {
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    return id;
  };
  const signatures = new Map<Element, number>();
  const depths = new Map<Element, number>();
  const size = new Map<Element, number>();
  const groups = new Map<string, Element[]>();
  const add = (key: string, element: Element) => {
    const list = groups.get(key);
    if (list) list.push(element);
    else groups.set(key, [element]);
  };
  for (const element of elements) {
    const parent = element.parent as Element | null;
    const parentId = (parent && signatures.get(parent)) ?? 0;
    const signature = intern(`${parentId}>${stepOf(element)}`);
    signatures.set(element, signature);
    depths.set(element, ((parent && depths.get(parent)) ?? 0) + 1);
    if (NOT_RECORDS.has(element.tagName)) continue;
    add(String(signature), element);
    const full = fullStepOf(element);
    if (full !== stepOf(element)) add(`${parentId}>${full}#full`, element);
  }
  for (let i = elements.length - 1; i >= 0; i--) {
    const element = elements[i] as Element;
    const parent = element.parent as Element | null;
    const own = (size.get(element) ?? 0) + 1;
    size.set(element, own);
    if (parent) size.set(parent, (size.get(parent) ?? 0) + own);
  }

  const candidates: Array<Candidate & { weight: number }> = [];
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    const first = members[0] as Element;
    const fullClasses = key.endsWith('#full');
    // A full-class group equal to its first-class group adds nothing.
    if (fullClasses && groups.get(String(signatures.get(first)))?.length === members.length) continue;
    const average = members.reduce((total, member) => total + (size.get(member) ?? 1), 0) / members.length;
    candidates.push({
      signature: describePath(first, fullClasses ? fullStepOf(first) : stepOf(first)),
      depth: depths.get(first) ?? 0,
      fullClasses,
      members,
      weight: members.length * Math.log2(2 + average),
    });
  }
  candidates.sort((a, b) => b.weight - a.weight);
  return candidates.slice(0, MAX_CANDIDATES).map(({ weight: _weight, ...candidate }) => candidate);
}
