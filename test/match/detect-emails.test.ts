/**
 * findEmails takes plain ASCII addresses by a fast path (one scan each way, lower-cased only when needed); every other
 * address goes through normaliseEmail, as at import. The fast path must give exactly what the general path gives.
 */
import { describe, expect, it } from 'vitest';
import { findEmails } from '../../src/match/detect/emails.ts';
import { normaliseEmail } from '../../src/match/identifiers/normalise.ts';
import { hostile } from './hostile-text.ts';

const LOCAL = /[\p{L}\p{N}._%+'-]/u;
const DOMAIN = /[\p{L}\p{N}.-]/u;

/** The rule without the fast path: delimit each address around its "@", then normalise it as the import does. */
function reference(text: string): Array<{ value: string; start: number; end: number }> {
  const found: Array<{ value: string; start: number; end: number }> = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL.test(text[start - 1] as string)) start--;
    while (start < at && ".'-".includes(text[start] as string)) start++;
    let end = at + 1;
    while (end < text.length && end - at < 254 && DOMAIN.test(text[end] as string)) end++;
    while (end > at + 1 && '.-'.includes(text[end - 1] as string)) end--;
    if (start === at || end === at + 1) continue;
    const dot = text.lastIndexOf('.', end - 1);
    if (dot <= at || !/^\p{L}{2,}$/u.test(text.slice(dot + 1, end))) continue;
    const normalised = normaliseEmail(text.slice(start, end));
    if (normalised.ok) found.push({ value: normalised.value, start, end });
  }
  return found;
}

describe('findEmails', () => {
  it('finds what the general rule finds, on hostile text', () => {
    const random = hostile(
      0x1b873593,
      [
        ..."aZx9._%+'-@ ,;<>()é",
        'É',
        'ß',
        'ü',
        '..',
        '.@',
        '@.',
        'Jean',
        'DUPONT',
        'orange',
        '.fr',
        '.COM',
        '.c',
        'mailto:',
        '\u00a0',
        '\t',
        '\n',
        'a'.repeat(70),
      ],
      14,
    );
    let addresses = 0;
    for (let i = 0; i < 100_000; i++) {
      const sample = random();
      const expected = reference(sample);
      addresses += expected.length;
      expect([...findEmails(sample)], sample).toEqual(expected);
    }
    expect(addresses).toBeGreaterThan(2_000); // the comparison saw addresses, not only misses
  });

  it('lower-cases plain addresses and normalises the others', () => {
    expect(findEmails('Contact: Jean.DUPONT@Orange.FR, x').map((e) => e.value)).toEqual([
      'jean.dupont@orange.fr',
    ]);
    expect(findEmails('hélène.martin@laboratoire-azur.fr').map((e) => e.value)).toEqual(
      reference('hélène.martin@laboratoire-azur.fr').map((e) => e.value),
    );
    expect(findEmails('jean..dupont@orange.fr').map((e) => e.value)).toEqual(
      reference('jean..dupont@orange.fr').map((e) => e.value),
    );
  });
});
