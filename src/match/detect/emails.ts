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

export function findEmails(text: string): FoundEmail[] {
  const found: FoundEmail[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
    while (start < at && /[.'-]/.test(text[start] as string)) start++;
    let end = at + 1;
    while (end < text.length && end - at < 254 && isDomain(text.charCodeAt(end))) end++;
    while (end > at + 1 && /[.-]/.test(text[end - 1] as string)) end--;
    if (start === at || end === at + 1) continue;
    const domain = text.slice(at + 1, end);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (!domain.includes('.') || !/^\p{L}{2,}$/u.test(tld)) continue;
    const address = text.slice(start, end);
    // Already delimited by address characters: ASCII ones only need lower-casing (and the import's checks).
    if (/^[\x21-\x7e]+$/.test(address) && at - start <= 64 && !/\.\.|@\.|\.@/.test(address)) {
      found.push({ value: address.toLowerCase(), start, end });
      continue;
    }
    const normalised = normaliseEmail(address);
    if (normalised.ok) found.push({ value: normalised.value, start, end });
  }
  return found;
}
