/** E-mail addresses in text: found from their `@`, expanded both ways, normalised as at import. */
import { normaliseEmail } from '../identifiers/normalise.ts';

const LOCAL = /[\p{L}\p{N}._%+'-]/u;
const DOMAIN = /[\p{L}\p{N}.-]/u;

/** ASCII classes of address characters: one table for both scans (bits below), read without a call per character. */
const LOCAL_PART = 1;
const DOMAIN_PART = 2;
/** Upper-case ASCII letters: the address is lower-cased. */
const UPPER = 4;
/** A character beyond ASCII: the address goes through the general path. */
const NOT_ASCII = 8;
const ADDRESS_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ADDRESS_CLASS[c] =
    (LOCAL.test(ch) ? LOCAL_PART : 0) |
    (DOMAIN.test(ch) ? DOMAIN_PART : 0) |
    (c >= 65 && c <= 90 ? UPPER : 0);
}

export interface FoundEmail {
  /** Normalised address (lower case, ASCII domain). */
  value: string;
  start: number;
  end: number;
}

const TLD = /^\p{L}{2,}$/u;

/** The top-level label [from, to) is letters only, two or more (ASCII by hand, the rest by the Unicode regex). */
function letterLabel(text: string, from: number, to: number): boolean {
  if (to - from < 2) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return TLD.test(text.slice(from, to));
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

const NONE: readonly FoundEmail[] = Object.freeze([]);

/** The addresses in `text`, in order (a shared empty array when there are none). */
export function findEmails(text: string): readonly FoundEmail[] {
  let found: FoundEmail[] | undefined; // made with its first address: a first push would reserve seventeen
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    // One scan each way finds the address and whether the fast path may take it. The flags may cover characters
    // trimmed off afterwards: then the general path runs, which gives the same answer, only slower.
    let flags = 0;
    let start = at;
    for (const limit = at > 64 ? at - 64 : 0; start > limit; start--) {
      const c = text.charCodeAt(start - 1);
      if (c < 128) {
        const k = ADDRESS_CLASS[c] as number;
        if ((k & LOCAL_PART) === 0) break;
        flags |= k;
      } else if (LOCAL.test(String.fromCharCode(c))) flags |= NOT_ASCII;
      else break;
    }
    for (let c = text.charCodeAt(start); start < at && (c === 46 || c === 39 || c === 45); )
      c = text.charCodeAt(++start); // . ' -
    // The forward scan notes the last "." it passes: where the top-level label starts, unless trimming takes it off.
    let end = at + 1;
    let dotAt = -1;
    for (const limit = Math.min(text.length, at + 254); end < limit; end++) {
      const c = text.charCodeAt(end);
      if (c < 128) {
        const k = ADDRESS_CLASS[c] as number;
        if ((k & DOMAIN_PART) === 0) break;
        flags |= k;
        if (c === 46) dotAt = end;
      } else if (DOMAIN.test(String.fromCharCode(c))) flags |= NOT_ASCII;
      else break;
    }
    const scanned = end;
    for (let c = text.charCodeAt(end - 1); end > at + 1 && (c === 46 || c === 45); )
      c = text.charCodeAt(--end - 1);
    if (start === at || end === at + 1) continue;
    if (end !== scanned) dotAt = text.lastIndexOf('.', end - 1);
    if (dotAt <= at || !letterLabel(text, dotAt + 1, end)) continue;
    let value: string;
    // ASCII already delimited by address characters only needs lower-casing: normaliseEmail's other checks cannot
    // fail on it (the test compares the two paths on hostile text).
    if ((flags & NOT_ASCII) === 0 && at - start <= 64) {
      value = text.slice(start, end);
      if (flags & UPPER) value = value.toLowerCase();
    } else {
      const normalised = normaliseEmail(text.slice(start, end));
      if (!normalised.ok) continue;
      value = normalised.value;
    }
    const email = { value, start, end };
    if (found) found.push(email);
    else found = [email];
  }
  return found ?? NONE;
}
