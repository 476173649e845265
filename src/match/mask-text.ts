/**
 * Captured text that leakwatch copies into what it derives (post titles, file and archive entry names) can itself
 * hold identifiers: a teaser title with a patient's e-mail, `NIR_280037511804224.pdf`. Before such text goes into an
 * incident title, a match location or an alert payload (and on to chat), the matcher's own detectors read it and
 * whatever they find (e-mail, phone, NIR, health number, IBAN, card) is replaced by its masked form, whether or not it
 * is registered: derived evidence says what leaked, never the value. The captured rows themselves (posts, documents)
 * are the evidence as crawled and are not rewritten.
 */
import type { CountryCode } from 'libphonenumber-js';
import { findEmails } from './detect/emails.ts';
import { findNumbers, type NumberOptions } from './detect/numbers.ts';
import { maskEmail, maskIdentifier } from './mask.ts';

// Spans handed to the number detector one at a time, so what it finds can be replaced where it stands: digit runs
// (separators as leaks write them, 2A/2B of Corsican NIRs), IBANs and KVNRs. A span it finds nothing in is left as is.
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/gu;
const KVNR = /(?<![\p{L}\p{N}])[A-Z]\d{9}(?![\p{L}\p{N}])/gu;
const DIGIT_RUN = /\+?\d(?:[ .\-/()]{0,2}[\dAB])*\d/gu;

/** Masks every identifier the detectors find in `text`; `regions`: where numbers without +country are read. */
export function maskIdentifiersIn(text: string, regions: readonly string[] = []): string {
  if (!text) return text;
  const options: NumberOptions = {
    regions: regions as readonly CountryCode[],
    phones: true,
    healthNumbers: true,
  };
  let out = maskEmails(text);
  for (const spans of [IBAN, KVNR, DIGIT_RUN])
    out = out.replace(spans, (span) => maskedNumber(span, options) ?? span);
  return out;
}

/**
 * Match locations with their document names masked (`dump.zip/m***.o***@free.fr.csv`, row 12): each distinct name is
 * read once, however many rows of the same file are located.
 */
export function maskDocumentNames<Location extends { document?: string }>(
  locations: readonly Location[],
  regions: readonly string[] = [],
): Location[] {
  const masked = new Map<string, string>();
  return locations.map((location) => {
    const name = location.document;
    if (name === undefined) return location;
    let safe = masked.get(name);
    if (safe === undefined) {
      safe = maskIdentifiersIn(name, regions);
      masked.set(name, safe);
    }
    return safe === name ? location : { ...location, document: safe };
  });
}

function maskEmails(text: string): string {
  const found = findEmails(text);
  if (found.length === 0) return text;
  let out = '';
  let from = 0;
  for (const email of [...found].sort((a, b) => a.start - b.start)) {
    if (email.start < from) continue;
    out += text.slice(from, email.start) + maskEmail(email.value);
    from = email.end;
  }
  return out + text.slice(from);
}

function maskedNumber(span: string, options: NumberOptions): string | null {
  const found = findNumbers(span, options);
  const nir = found.nirs[0];
  if (nir) return maskIdentifier('nir', nir);
  const health = found.health[0];
  if (health) return maskIdentifier('health_number', health);
  const phone = found.phones[0];
  if (phone) return maskIdentifier('phone', phone);
  if (found.cards > 0 || found.ibans > 0) {
    // Counted, not normalised, by the detector: the first and last characters at most, as for any masked value.
    const compact = span.replace(/[^A-Z0-9]/gi, '');
    return `${compact.slice(0, 2)}${'*'.repeat(Math.max(3, compact.length - 4))}${compact.slice(-2)}`;
  }
  return null;
}
