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

const NIR =
  /(?<![\p{L}\p{N}])[1-478][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?(?:\d{2}|2[ABab])[ .-]?\d{3}[ .-]?\d{3}[ .-]?\d{2}(?![\p{L}\p{N}])/gu;
const RUN = /(?<![\p{L}\p{N}+])\+?(?:\(0\) ?)?\d(?:[ .-]?\d| ?\(0\) ?\d){6,22}(?![\p{L}\p{N}])/gu;
const KVNR = /(?<![\p{L}\p{N}])[A-Z]\d{9}(?![\p{L}\p{N}])/gu;
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/gu;

export interface NumberOptions {
  /** Regions whose national format is read (numbers written without a country code). */
  regions: readonly CountryCode[];
  phones: boolean;
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
  const forms: string[] = [];
  for (const region of regions) {
    if (region === 'FR') {
      if (/^0[1-9]\d{8}$/.test(digits)) forms.push(`+33${digits.slice(1)}`);
    } else if (digits.length >= 6 && digits.length <= 12) {
      const e164 = parsedPhone(digits, region);
      if (e164) forms.push(e164);
    }
  }
  return forms;
}

export function findNumbers(text: string, options: NumberOptions): FoundNumbers {
  const found: FoundNumbers = { phones: [], nirs: [], health: [], cards: 0, ibans: 0 };
  const nirSpans: Array<[number, number]> = [];
  if (/[1-478]/.test(text)) {
    for (const m of text.matchAll(NIR)) {
      const value = m[0].replace(/[ .-]/g, '').toUpperCase();
      if (validNir(value)) {
        found.nirs.push(value);
        nirSpans.push([m.index, m.index + m[0].length]);
      }
    }
  }
  for (const m of text.matchAll(RUN)) {
    const start = m.index;
    if (nirSpans.some(([a, b]) => start < b && start + m[0].length > a)) continue;
    const raw = m[0];
    let digits = raw.replace(/\(0\)/g, '').replace(/\D/g, '');
    let international = raw.startsWith('+');
    if (!international && digits.startsWith('00') && digits.length > 10) {
      international = true;
      digits = digits.slice(2);
    }
    if (options.phones)
      for (const form of phoneForms(international, digits, options.regions)) found.phones.push(form);
    if (international) continue;
    if (digits.length >= 13 && validCard(digits)) found.cards++;
    if (options.healthNumbers) {
      if (digits.length === 10 && validNhs(digits)) found.health.push(`nhs:${digits}`);
      else if (digits.length === 11 && validNiss(digits)) found.health.push(`niss:${digits}`);
      else if (digits.length === 13 && validAvs(digits)) found.health.push(`avs:${digits}`);
    }
  }
  if (options.healthNumbers && /[A-Z]\d{9}/.test(text)) {
    for (const m of text.matchAll(KVNR)) if (validKvnr(m[0])) found.health.push(`kvnr:${m[0]}`);
  }
  if (/[A-Z]{2}\d{2}/.test(text)) {
    for (const m of text.matchAll(IBAN)) if (validIban(m[0].replace(/ /g, ''))) found.ibans++;
  }
  return found;
}
