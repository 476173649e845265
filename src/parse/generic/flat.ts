import type { Element } from 'domhandler';
import { isTag } from 'domhandler';
import { visibleText } from './dom.ts';
import type { RecordInfo } from './record.ts';
import { findDate } from './text-kinds.ts';

/**
 * Flat layouts write a post as a heading followed by loose siblings (`<h2>…</h2><p>…</p><p>Date: …</p><hr>`), with
 * no element around each post. When the chosen records are such headings, the siblings up to the next record are
 * read as the rest of the post: its date and description, when the heading itself has none.
 */

/** At most this many siblings are read after a record. */
const MAX_SIBLINGS = 12;

function followers(record: Element, members: ReadonlySet<Element>): Element[] {
  const out: Element[] = [];
  let node = record.next;
  while (node && out.length < MAX_SIBLINGS) {
    if (isTag(node)) {
      if (members.has(node) || /^h[1-6]$/.test(node.tagName)) break;
      out.push(node);
    }
    node = node.next;
  }
  return out;
}

export function extendFlatRecords(records: RecordInfo[], fetchedAt: Date): void {
  const members = new Set(records.map((record) => record.element));
  for (const record of records) {
    const siblings = followers(record.element, members);
    if (siblings.length === 0) continue;
    const text = siblings
      .map((sibling) => visibleText(sibling))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (!record.date) {
      const found = findDate(text, fetchedAt);
      if (found) {
        record.date = found.raw;
        record.publishedAt = found.at;
      }
    }
    if (!record.description) {
      const longest = siblings
        .map((sibling) => visibleText(sibling))
        .filter((sibling) => sibling.length >= 20 || sibling.split(' ').length >= 3)
        .sort((a, b) => b.length - a.length)[0];
      if (longest) record.description = longest.length > 500 ? `${longest.slice(0, 499)}…` : longest;
    }
  }
}
