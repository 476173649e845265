/** E-mail addresses in text: found from their `@`, expanded both ways, normalised as at import. */
import { normaliseEmail } from '../identifiers/normalise.ts';

const LOCAL = /[\p{L}\p{N}._%+'-]/u;
const DOMAIN = /[\p{L}\p{N}.-]/u;
const ASCII_LOCAL = new Uint8Array(128);
const ASCII_DOMAIN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_LOCAL[c] = LOCAL.test(ch) ? 1 : 0;
  ASCII_DOMAIN[c] = DOMAIN.test(ch) ? 1 : 0;
}
const isLocal = (code: number) =>
  code < 128 ? ASCII_LOCAL[code] === 1 : LOCAL.test(String.fromCharCode(code));
const isDomain = (code: number) =>
  code < 128 ? ASCII_DOMAIN[code] === 1 : DOMAIN.test(String.fromCharCode(code));

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

/** Printable ASCII only, no ".." and no dot next to the "@" (the only "@": neither side's characters include one). */
function plainAscii(text: string, start: number, at: number, end: number): boolean {
  if (text.charCodeAt(at - 1) === 46 || text.charCodeAt(at + 1) === 46) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || (c === 46 && text.charCodeAt(i + 1) === 46 && i + 1 < end)) return false;
  }
  return true;
}

const NONE: readonly FoundEmail[] = Object.freeze([]);

/** The addresses in `text`, in order (a shared empty array when there are none). */
export function findEmails(text: string): readonly FoundEmail[] {
  let found: FoundEmail[] | undefined; // made with its first address: a first push would reserve seventeen
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
    for (let c = text.charCodeAt(start); start < at && (c === 46 || c === 39 || c === 45); )
      c = text.charCodeAt(++start); // . ' -
    let end = at + 1;
    while (end < text.length && end - at < 254 && isDomain(text.charCodeAt(end))) end++;
    for (let c = text.charCodeAt(end - 1); end > at + 1 && (c === 46 || c === 45); )
      c = text.charCodeAt(--end - 1);
    if (start === at || end === at + 1) continue;
    const dot = text.lastIndexOf('.', end - 1);
    if (dot <= at || !letterLabel(text, dot + 1, end)) continue;
    // Already delimited by address characters: ASCII ones only need lower-casing (and the import's checks).
    if (at - start <= 64 && plainAscii(text, start, at, end)) {
      const email = { value: text.slice(start, end).toLowerCase(), start, end };
      if (found) found.push(email);
      else found = [email];
      continue;
    }
    const normalised = normaliseEmail(text.slice(start, end));
    if (!normalised.ok) continue;
    const email = { value: normalised.value, start, end };
    if (found) found.push(email);
    else found = [email];
  }
  return found ?? NONE;
}
