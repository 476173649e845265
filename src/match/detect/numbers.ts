/**
 * Numbers in text: phone numbers (to E.164, as at import), French NIR (valid key only), national health numbers
 * (NHS, NISS, AVS, KVNR: valid check digits only), payment cards (Luhn: counted as a category, never looked up) and
 * IBANs (mod 97: a category). One regex finds digit runs; each run is classified by shape and check digits.
 */
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  validAvs,
  validCard,
  validIban,
  validKvnr,
  validNhs,
  validNir,
  validNiss,
} from '../identifiers/checksums.ts';
import { shapeOf, type TextShape } from './shape.ts';

/** NIRs of people born in Corsica (2A, 2B) hold letters: not digit runs. Other NIRs are found as digit runs. */
const CORSICAN_NIR =
  /(?<![\p{L}\p{N}])[1-478][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?2[ABab][ .-]?\d{3}[ .-]?\d{3}[ .-]?\d{2}(?![\p{L}\p{N}])/gu;
const RUN = /(?<![\p{L}\p{N}+])\+?(?:\(0\) ?)?\d(?:[ .-]?\d| ?\(0\) ?\d){6,22}(?![\p{L}\p{N}])/gu;
const KVNR = /(?<![\p{L}\p{N}])[A-Z]\d{9}(?![\p{L}\p{N}])/gu;
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/gu;

export interface NumberOptions {
  /** Regions whose national format is read (numbers written without a country code). */
  regions: readonly CountryCode[];
  phones: boolean;
  /** Look for NHS, NISS, AVS and KVNR numbers (only when someone registered health numbers). */
  healthNumbers: boolean;
}

export interface FoundNumbers {
  /** E.164 phone numbers. */
  phones: string[];
  /** NIRs with a valid key, 15 characters. */
  nirs: string[];
  /** `scheme:value` health numbers with a valid check digit. */
  health: string[];
  cards: number;
  ibans: number;
}

const phoneCache = new Map<string, string | null>();

function parsedPhone(text: string, region?: CountryCode): string | null {
  const key = `${region ?? ''}|${text}`;
  let e164 = phoneCache.get(key);
  if (e164 === undefined) {
    const phone = parsePhoneNumberFromString(text, region);
    e164 = phone?.isPossible() ? phone.number : null;
    if (phoneCache.size > 20_000) phoneCache.clear();
    phoneCache.set(key, e164);
  }
  return e164;
}

/** The E.164 forms a digit run can stand for (French numbers without libphonenumber: same result, 50× faster). */
export function phoneForms(
  international: boolean,
  digits: string,
  regions: readonly CountryCode[],
): string[] {
  if (international) {
    if (digits.startsWith('33')) {
      const rest = digits[2] === '0' ? digits.slice(3) : digits.slice(2);
      return /^[1-9]\d{8}$/.test(rest) ? [`+33${rest}`] : [];
    }
    if (digits.length < 8 || digits.length > 15) return [];
    const e164 = parsedPhone(`+${digits}`);
    return e164 ? [e164] : [];
  }
  let forms: string[] | undefined; // made with its first form: a first push would reserve seventeen
  for (const region of regions) {
    let form: string | null = null;
    if (region === 'FR') {
      if (digits.length === 10 && digits[0] === '0' && digits[1] !== '0') form = `+33${digits.slice(1)}`;
    } else if (digits.length >= 6 && digits.length <= 12) form = parsedPhone(digits, region);
    if (!form) continue;
    if (forms) forms.push(form);
    else forms = [form];
  }
  return forms ?? [];
}

/** What `\s` and String#trim take for white space. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * A text that is nothing but one number (most table cells that hold one): digits with at most one separator (space,
 * "." or "-") between them, 7 to 23 digits, a leading "+" and white space around allowed; the number without the white
 * space, or null. What `/^\s*\+?\d(?:[ .-]?\d){6,22}\s*$/` and trim give, without the regex (tested against it).
 */
export function wholeNumber(text: string, shape: TextShape): string | null {
  if (text.length > 40 || shape.upper > 0 || shape.at || shape.digits < 7 || shape.digits > 23) return null;
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  let i = start;
  if (text.charCodeAt(i) === 43) i++; // "+"
  let digits = 0;
  let separated = true; // nothing may come before the first digit
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      separated = false;
    } else if ((c === 32 || c === 46 || c === 45) && !separated) separated = true;
    else return null;
  }
  // Every digit of the text is in the number (shape.digits counts them all), and it ends with one.
  return !separated && digits === shape.digits ? text.slice(start, end) : null;
}

/** "2A" or "2B" (any case) somewhere: what a Corsican NIR holds. */
function corsicanDepartment(text: string): boolean {
  for (let at = text.indexOf('2'); at >= 0; at = text.indexOf('2', at + 1)) {
    const next = text.charCodeAt(at + 1) | 0x20;
    if (next === 0x61 || next === 0x62) return true;
  }
  return false;
}

function digitCount(raw: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  return count;
}

/**
 * The digits of a run, without a "(0)" trunk prefix: what `raw.replace(/\D+/g, '')` gives, "(0)" dropped whole (tested
 * against the two regexes). The stretches of digits between separators are joined by hand: a third of the phone numbers
 * of a dump are written "06 12 34 56 78", and the regex costs several times more than the loop.
 */
export function digitsOf(raw: string): string {
  let digits = '';
  let from = 0; // where the current stretch of digits starts
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (i > from) digits += raw.slice(from, i);
    if (c === 40 && raw.charCodeAt(i + 1) === 48 && raw.charCodeAt(i + 2) === 41) i += 2; // "(0)"
    from = i + 1;
  }
  if (from === 0) return raw; // "0612345678": nothing to take out
  return from < raw.length ? digits + raw.slice(from) : digits;
}

export const noNumbers = (): FoundNumbers => ({ phones: [], nirs: [], health: [], cards: 0, ibans: 0 });

/** Adds what `text` holds to `found` (records' cells are scanned one by one into the same object). */
export function findNumbers(
  text: string,
  options: NumberOptions,
  found = noNumbers(),
  shape = shapeOf(text),
): FoundNumbers {
  if (shape.digits < 7) return found;
  if (shape.digits >= 11 && corsicanDepartment(text)) {
    for (const m of text.matchAll(CORSICAN_NIR)) {
      const value = m[0].replace(/[ .-]/g, '').toUpperCase();
      if (validNir(value)) found.nirs.push(value);
    }
  }
  // A cell that is nothing but one number (most table cells that hold one) needs no regex.
  const whole = wholeNumber(text, shape);
  if (whole !== null) classifyRun(whole, options, found);
  else if (shape.runStart) {
    RUN.lastIndex = 0; // RUN is global: exec walks the runs without matchAll's copy of the regex
    for (let m = RUN.exec(text); m; m = RUN.exec(text)) classifyRun(m[0], options, found);
  }
  if (options.healthNumbers && shape.upper > 0 && /[A-Z]\d{9}/.test(text)) {
    for (const m of text.matchAll(KVNR)) if (validKvnr(m[0])) found.health.push(`kvnr:${m[0]}`);
  }
  if (shape.upper >= 2 && shape.digits >= 9 && /[A-Z]{2}\d{2}/.test(text)) {
    for (const m of text.matchAll(IBAN)) if (validIban(m[0].replace(/ /g, ''))) found.ibans++;
  }
  return found;
}

/** What one digit run is: a NIR, phone number forms, a card number, a health number. */
function classifyRun(raw: string, options: NumberOptions, found: FoundNumbers): void {
  // Without phone or health numbers wanted, only NIRs (15 digits) and cards (13 to 19) are left to find: a shorter
  // run (a phone number in a dump nobody registered phones for) needs no copy of its digits.
  if (!options.phones && !options.healthNumbers && digitCount(raw) < 13) return;
  let digits = digitsOf(raw);
  if (digits.length === 15 && !raw.startsWith('+') && validNir(digits)) {
    found.nirs.push(digits); // a NIR is not also a phone or card number
    return;
  }
  let international = raw.startsWith('+');
  if (!international && digits.startsWith('00') && digits.length > 10) {
    international = true;
    digits = digits.slice(2);
  }
  if (options.phones) {
    const forms = phoneForms(international, digits, options.regions);
    // The first forms found become the list (phoneForms makes a new array each time); later ones are pushed onto
    // it: a page of a customer list holds dozens of numbers, and a concat each would copy the list each time.
    if (forms.length > 0) {
      if (found.phones.length === 0) found.phones = forms;
      else for (const form of forms) found.phones.push(form);
    }
  }
  if (international) return;
  if (digits.length >= 13 && validCard(digits)) found.cards++;
  // NHS, NISS and AVS numbers are only looked for when registered: their check digits alone would take one French
  // phone number in eleven for an NHS number.
  if (options.healthNumbers) {
    if (digits.length === 10 && validNhs(digits)) found.health.push(`nhs:${digits}`);
    else if (digits.length === 11 && validNiss(digits)) found.health.push(`niss:${digits}`);
    else if (digits.length === 13 && validAvs(digits)) found.health.push(`avs:${digits}`);
  }
}
