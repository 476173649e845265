/**
 * Check digits of the identifiers leakwatch recognises: French NIR (INSEE number, Corsica 2A/2B), the national health
 * and insurance numbers of neighbouring countries, IBAN (ISO 13616 mod 97) and payment cards (Luhn). A candidate with
 * a wrong check digit is not an identifier.
 */

/** `digits` (a string of digits, any length) modulo `m`, without floating-point loss. */
export function modString(digits: string, m: number): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % m;
  return r;
}

/**
 * French NIR: sex (1, 2, or 3, 4, 7, 8 for provisional numbers), year, month (01–12, or 20–42 / 50–99 when unknown),
 * department (2 digits, 2A/2B for Corsica), commune, order number, and a key = 97 − (number mod 97) where 2A counts
 * as 19 and 2B as 18. `value` is the 15 characters without separators, upper case.
 */
export function validNir(value: string): boolean {
  if (!/^[123478]\d{2}(0[1-9]|1[0-2]|[2-4]\d|[5-9]\d)(\d{2}|2[AB])\d{6}\d{2}$/.test(value)) return false;
  const department = value.slice(5, 7);
  const body =
    department === '2A' || department === '2B'
      ? value.slice(0, 5) + (department === '2A' ? '19' : '18') + value.slice(7, 13)
      : value.slice(0, 13);
  const key = Number(value.slice(13));
  return key >= 1 && key <= 97 && 97 - modString(body, 97) === key;
}

/** UK NHS number: 10 digits, modulus 11 with weights 10..2 (a remainder of 10 is never issued). */
export function validNhs(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
}

/** Belgian national register number (NISS/INSZ): 9 digits and 97 − mod 97, with a leading 2 for births from 2000. */
export function validNiss(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const body = digits.slice(0, 9);
  const check = Number(digits.slice(9));
  return 97 - modString(body, 97) === check || 97 - modString(`2${body}`, 97) === check;
}

/** Swiss AHV/AVS number: 756 and 10 digits, EAN-13 check digit. */
export function validAvs(digits: string): boolean {
  if (!/^756\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (digits.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(12) - 48;
}

/** German health insurance number (KVNR): a letter and 9 digits, the last a check digit over letter-as-01..26. */
export function validKvnr(value: string): boolean {
  if (!/^[A-Z]\d{9}$/.test(value)) return false;
  const letter = String(value.charCodeAt(0) - 64).padStart(2, '0');
  const digits = letter + value.slice(1, 9);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const product = (digits.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 2);
    sum += product > 9 ? product - 9 : product;
  }
  return sum % 10 === value.charCodeAt(9) - 48;
}

/** IBAN: country, 2 check digits, up to 30 alphanumerics; moved and converted to digits, mod 97 is 1. */
export function validIban(value: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  const moved = value.slice(4) + value.slice(0, 4);
  let digits = '';
  for (const char of moved) digits += /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
  return modString(digits, 97) === 1;
}

/** Luhn check of a card number, with a plausible issuer prefix and length (13–19 digits). */
export function validCard(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  if (!/^(4|5[1-5]|2[2-7]|3[47]|3[0689]|6(011|5|4[4-9]|2)|35)/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
