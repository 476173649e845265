/**
 * One normalised form per identifier, the same at import and at detection, so that their keyed hashes meet:
 * e-mails and logins lower-cased (one "account" namespace: an e-mail imported as a login still matches), phone numbers
 * in E.164, NIR and health numbers without separators and checked, patient ids upper-cased, name + birth date as the
 * sorted folded name words and an ISO date. Each form is prefixed by its namespace before hashing, so that a patient id
 * "12345" and a login "12345" do not collide. Failures give a reason that never contains the value.
 */
import { domainToASCII } from 'node:url';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { identifierKinds } from '../../store/schema/identifiers.ts';
import { fold } from '../fold.ts';
import { validAvs, validKvnr, validNhs, validNir, validNiss } from './checksums.ts';
import { type DateOrder, parseDate } from './dates.ts';

export type IdentifierKind = (typeof identifierKinds)[number];

export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

const ok = (value: string): Normalised => ({ ok: true, value });
const no = (reason: string): Normalised => ({ ok: false, reason });

/** `acct:` for e-mails and logins, `tel:`, `nir:`, `hn:<scheme>:`, `pid:`, `nbd:`. */
export const NAMESPACE: Record<IdentifierKind, string> = {
  email: 'acct:',
  login: 'acct:',
  phone: 'tel:',
  nir: 'nir:',
  health_number: 'hn:',
  patient_id: 'pid:',
  name_birthdate: 'nbd:',
};

/** Characters a local part cannot hold (besides whitespace): `<>()[]\\,;:"@`. */
const LOCAL_FORBIDDEN = new Uint8Array(128);
for (const char of '<>()[]\\,;:"@') LOCAL_FORBIDDEN[char.charCodeAt(0)] = 1;

/**
 * The common case of normaliseEmail, without regexes: printable ASCII, no spaces, no `<…>` or `mailto:` wrapper, a
 * plain lower-case domain. The same result as the general path; undefined when the address needs it.
 */
function plainEmail(raw: string): Normalised | undefined {
  const first = raw.charCodeAt(0);
  if (first === 60 || ((first | 0x20) === 0x6d && /^mailto:/i.test(raw))) return undefined; // "<", "mailto:"
  const at = raw.lastIndexOf('@');
  if (at < 1 || at === raw.length - 1 || at > 64) return undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return undefined;
    if (i < at && LOCAL_FORBIDDEN[c] === 1) return undefined;
  }
  // The domain: letters, digits, dots and hyphens, at least one dot, no empty label, no label starting or ending with
  // "-", no trailing dot (the general path removes one: not this path's case).
  let dots = 0;
  let previous = 46; // a leading "." or "-" is refused as if it followed a dot
  for (let i = at + 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 46) {
      if (previous === 46 || previous === 45) return undefined; // "..", "-."
      dots++;
    } else if (c === 45) {
      if (previous === 46) return undefined; // ".-", a leading "-"
    } else {
      const lower = c | 0x20;
      if (!((lower >= 97 && lower <= 122) || (c >= 48 && c <= 57))) return undefined;
    }
    previous = c;
  }
  if (previous === 46 || previous === 45 || dots === 0 || raw.length - at - 1 > 253) return undefined;
  return ok(raw.toLowerCase());
}

export function normaliseEmail(raw: string): Normalised {
  const quick = plainEmail(raw);
  if (quick) return quick;
  // NFKC changes nothing in ASCII (most addresses): skip it there.
  const value = (/[^ -~]/.test(raw) ? raw.normalize('NFKC') : raw)
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .replace(/^mailto:/i, '')
    .toLowerCase();
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return no('not an e-mail address');
  const local = value.slice(0, at);
  if (/[\s<>()[\]\\,;:"@]/.test(local) || local.length > 64) return no('not an e-mail address');
  const written = value.slice(at + 1).replace(/\.$/, '');
  const plain = /^[a-z0-9.-]+$/.test(written) && !/(^|\.)-|-(\.|$)|\.\.|^\./.test(written);
  const domain = plain ? written : domainToASCII(written); // punycode only for internationalised domains
  if (!domain?.includes('.') || domain.length > 253) return no('invalid e-mail domain');
  return ok(`${local}@${domain}`);
}

export function normaliseLogin(raw: string): Normalised {
  const value = raw.normalize('NFKC').trim().toLowerCase();
  if (value.length < 2 || value.length > 128) return no('login length must be 2 to 128 characters');
  if (/\s/.test(value)) return no('a login cannot contain spaces');
  return value.includes('@') ? normaliseEmail(value) : ok(value);
}

/**
 * E.164 of a valid phone number (libphonenumber-js with full metadata); `region` reads numbers written without a
 * country code. Detection uses a faster path that gives the same E.164 (src/match/detect/numbers.ts).
 */
export function normalisePhone(raw: string, region: CountryCode = 'FR'): Normalised {
  const phone = parsePhoneNumberFromString(raw, region);
  if (!phone?.isValid()) return no('not a valid phone number');
  return ok(phone.number);
}

export function normaliseNir(raw: string): Normalised {
  const value = raw.toUpperCase().replace(/[\s.-]/g, '');
  if (!/^[0-9]{5}(\d{2}|2[AB])\d{8}$/.test(value))
    return no('not a NIR (15 characters: 13 and a 2-digit key)');
  if (!validNir(value)) return no('NIR key does not match');
  return ok(value);
}

export type HealthScheme = 'nhs' | 'niss' | 'avs' | 'kvnr';

/** Which national scheme a health number belongs to, by shape and check digit; its canonical form `scheme:digits`. */
export function normaliseHealthNumber(raw: string): Normalised {
  const value = raw.toUpperCase().replace(/[\s.\-/]/g, '');
  if (/^756\d{10}$/.test(value))
    return validAvs(value) ? ok(`avs:${value}`) : no('AVS check digit does not match');
  if (/^[A-Z]\d{9}$/.test(value))
    return validKvnr(value) ? ok(`kvnr:${value}`) : no('KVNR check digit does not match');
  if (/^\d{10}$/.test(value))
    return validNhs(value) ? ok(`nhs:${value}`) : no('NHS number check digit does not match');
  if (/^\d{11}$/.test(value))
    return validNiss(value) ? ok(`niss:${value}`) : no('NISS check digits do not match');
  return no('not a recognised health number (NHS, NISS, AVS or KVNR)');
}

export function normalisePatientId(raw: string, pattern?: RegExp | null): Normalised {
  const value = raw.normalize('NFKC').trim().toUpperCase().replace(/\s+/g, '');
  if (value.length < 3 || value.length > 64) return no('patient id length must be 3 to 64 characters');
  if (pattern && !new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', '')).test(value)) {
    return no("does not match the organisation's patient id pattern");
  }
  return ok(value);
}

/** Name words folded and sorted: "DUPONT Hélène" and "Helene Dupont" are the same person. */
export function nameKey(name: string): string | null {
  const folded = fold(name);
  // Folded text is words separated by single spaces; words with a digit are left out. A name has 2 to 6 words, so
  // they are collected and insertion-sorted by hand (Array#sort and split cost more than the rest on a dump's rows).
  const words: string[] = [];
  let start = 0;
  let digit = false;
  for (let i = 0; i <= folded.length; i++) {
    const c = i < folded.length ? folded.charCodeAt(i) : 32;
    if (c === 32) {
      if (i > start && !digit) {
        if (words.length === 6) return null;
        const word = folded.slice(start, i);
        let at = words.length;
        while (at > 0 && (words[at - 1] as string) > word) {
          words[at] = words[at - 1] as string;
          at--;
        }
        words[at] = word;
      }
      start = i + 1;
      digit = false;
    } else if (c >= 48 && c <= 57) digit = true;
  }
  if (words.length < 2) return null;
  return words.join(' ');
}

export function normaliseNameBirthdate(
  name: string,
  birthdate: string,
  order: DateOrder = 'dmy',
): Normalised {
  const key = nameKey(name);
  if (!key) return no('a name needs 2 to 6 words (first and last name)');
  const iso = parseDate(birthdate, order);
  if (!iso) return no('not a birth date');
  return ok(`${key}|${iso}`);
}

export interface NormaliseOptions {
  region?: CountryCode;
  dateOrder?: DateOrder;
  patientIdPattern?: RegExp | null;
}

/** Normalises one value of a kind (name + birth date are given as "name\u0000date"). */
export function normaliseIdentifier(
  kind: IdentifierKind,
  raw: string,
  options: NormaliseOptions = {},
): Normalised {
  switch (kind) {
    case 'email':
      return normaliseEmail(raw);
    case 'login':
      return normaliseLogin(raw);
    case 'phone':
      return normalisePhone(raw, options.region);
    case 'nir':
      return normaliseNir(raw);
    case 'health_number':
      return normaliseHealthNumber(raw);
    case 'patient_id':
      return normalisePatientId(raw, options.patientIdPattern);
    case 'name_birthdate': {
      const [name = '', date = ''] = raw.split('\u0000');
      return normaliseNameBirthdate(name, date, options.dateOrder);
    }
  }
}
