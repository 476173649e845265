import { describe, expect, it } from 'vitest';
import { foldText } from '../../src/match/fold.ts';
import {
  validAvs,
  validCard,
  validIban,
  validKvnr,
  validNhs,
  validNir,
  validNiss,
} from '../../src/match/identifiers/checksums.ts';
import { parseDate } from '../../src/match/identifiers/dates.ts';
import {
  nameKey,
  normaliseEmail,
  normaliseHealthNumber,
  normaliseLogin,
  normaliseNameBirthdate,
  normaliseNir,
  normalisePhone,
} from '../../src/match/identifiers/normalise.ts';
import { maskIdentifier } from '../../src/match/mask.ts';

describe('check digits', () => {
  it('NIR: key = 97 − number mod 97, Corsica 2A counts as 19 and 2B as 18', () => {
    expect(validNir('185077512345608')).toBe(true);
    expect(validNir('185077512345609')).toBe(false);
    expect(validNir('185072A12345665')).toBe(true);
    expect(validNir('185072B12345665')).toBe(false);
    expect(validNir('385077512345608')).toBe(false); // sex digit 3 changes the number, so the key no longer fits
    expect(validNir('185137512345608')).toBe(false); // month 13
  });

  it('national health numbers, IBAN and cards', () => {
    expect(validNhs('9434765919')).toBe(true);
    expect(validNhs('9434765918')).toBe(false);
    expect(validNiss('85073003328')).toBe(true);
    expect(validNiss('85073003329')).toBe(false);
    expect(validAvs('7569217076985')).toBe(true);
    expect(validAvs('7569217076986')).toBe(false);
    expect(validKvnr('A123456780')).toBe(true);
    expect(validKvnr('A123456781')).toBe(false);
    expect(validIban('FR1420041010050500013M02606')).toBe(true);
    expect(validIban('FR1420041010050500013M02607')).toBe(false);
    expect(validCard('4111111111111111')).toBe(true);
    expect(validCard('4111111111111112')).toBe(false);
  });
});

describe('normalisation: one form at import and detection, reasons without values', () => {
  it('e-mails and logins', () => {
    expect(normaliseEmail('  JEAN.Dupont@Orange.FR  ')).toEqual({ ok: true, value: 'jean.dupont@orange.fr' });
    expect(normaliseEmail('<mailto:a@Bücher.de>')).toEqual({ ok: true, value: 'a@xn--bcher-kva.de' });
    expect(normaliseEmail('jean.dupont')).toEqual({ ok: false, reason: 'not an e-mail address' });
    expect(normaliseLogin(' JDupont ')).toEqual({ ok: true, value: 'jdupont' });
  });

  it('phones to E.164', () => {
    expect(normalisePhone('06 12 34 56 78')).toEqual({ ok: true, value: '+33612345678' });
    expect(normalisePhone('+33 (0)6.12.34.56.78')).toEqual({ ok: true, value: '+33612345678' });
    expect(normalisePhone('020 7946 0958', 'GB')).toEqual({ ok: true, value: '+442079460958' });
    expect(normalisePhone('0612')).toEqual({ ok: false, reason: 'not a valid phone number' });
  });

  it('NIR with its key only', () => {
    expect(normaliseNir('1 85 07 75 123 456 08')).toEqual({ ok: true, value: '185077512345608' });
    expect(normaliseNir('1 85 07 2a 123 456 65')).toEqual({ ok: true, value: '185072A12345665' });
    expect(normaliseNir('1 85 07 75 123 456 09')).toEqual({ ok: false, reason: 'NIR key does not match' });
  });

  it('health numbers carry their scheme', () => {
    expect(normaliseHealthNumber('943 476 5919')).toEqual({ ok: true, value: 'nhs:9434765919' });
    expect(normaliseHealthNumber('756.9217.0769.85')).toEqual({ ok: true, value: 'avs:7569217076985' });
    expect(normaliseHealthNumber('85.07.30-033.28')).toEqual({ ok: true, value: 'niss:85073003328' });
    expect(normaliseHealthNumber('12')).toMatchObject({ ok: false });
  });

  it('name + birth date: word order, case and accents do not matter', () => {
    expect(nameKey('DUPONT Hélène')).toBe(nameKey('Helene Dupont'));
    expect(normaliseNameBirthdate('DUPONT Hélène', '12/03/1980')).toEqual(
      normaliseNameBirthdate('Helene Dupont', '1980-03-12'),
    );
    expect(normaliseNameBirthdate('Dupont', '12/03/1980')).toMatchObject({ ok: false });
    expect(parseDate('12 mars 1980')).toBe('1980-03-12');
    expect(parseDate('March 12, 1980')).toBe('1980-03-12');
    expect(parseDate('03/12/1980', 'mdy')).toBe('1980-03-12');
    expect(parseDate('31/02/1980')).toBeNull();
    expect(parseDate('19800312')).toBe('1980-03-12');
  });
});

describe('fast path of e-mail normalisation', () => {
  it('gives what the general rules give, on plain, odd and hostile addresses', async () => {
    const { domainToASCII } = await import('node:url');
    // The general rules, as written before the fast path existed.
    const reference = (raw: string) => {
      const value = (/[^ -~]/.test(raw) ? raw.normalize('NFKC') : raw)
        .trim()
        .replace(/^<(.*)>$/, '$1')
        .replace(/^mailto:/i, '')
        .toLowerCase();
      const at = value.lastIndexOf('@');
      if (at < 1 || at === value.length - 1) return { ok: false };
      const local = value.slice(0, at);
      if (/[\s<>()[\]\\,;:"@]/.test(local) || local.length > 64) return { ok: false };
      const written = value.slice(at + 1).replace(/\.$/, '');
      const plain = /^[a-z0-9.-]+$/.test(written) && !/(^|\.)-|-(\.|$)|\.\.|^\./.test(written);
      const domain = plain ? written : domainToASCII(written);
      if (!domain?.includes('.') || domain.length > 253) return { ok: false };
      return { ok: true, value: `${local}@${domain}` };
    };
    const locals = [
      'jean.dupont',
      'J.D',
      'a',
      '',
      'x@y',
      'a"b',
      'a b',
      'é',
      `${'l'.repeat(64)}`,
      `${'l'.repeat(65)}`,
      '<a',
      'MAILTO:a',
      'a;b',
    ];
    const domains = [
      'orange.fr',
      'ORANGE.FR',
      'a.b',
      'x',
      '.a.fr',
      'a..fr',
      'a.fr.',
      'a-.fr',
      '-a.fr',
      'a.-fr',
      'a-b.fr',
      'bücher.de',
      'a_b.fr',
      'a.fr-',
      `${'d'.repeat(250)}.fr`,
      '',
    ];
    for (const local of locals)
      for (const domain of domains)
        for (const raw of [`${local}@${domain}`, `<${local}@${domain}>`, ` ${local}@${domain} `]) {
          const got = normaliseEmail(raw);
          const expected = reference(raw);
          expect(got.ok).toBe(expected.ok);
          if (got.ok && expected.ok) expect(got.value).toBe(expected.value);
        }
  });
});

describe('fast paths of name + birth date normalisation', () => {
  it('numeric dates read by hand agree with the calendar, day-first and month-first', () => {
    const reference = (a: number, b: number, year: number, order: 'dmy' | 'mdy') => {
      const [day, month] = order === 'dmy' ? [a, b] : [b, a];
      const date = new Date(Date.UTC(year, month - 1, day));
      const valid =
        year >= 1900 &&
        year <= new Date().getUTCFullYear() &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day;
      return valid ? date.toISOString().slice(0, 10) : null;
    };
    for (const order of ['dmy', 'mdy'] as const) {
      for (const year of [1899, 1900, 1980, 2000, 2024, 2100]) {
        for (let a = 0; a <= 32; a++) {
          for (const b of [0, 1, 2, 4, 12, 13]) {
            for (const sep of ['/', '.', '-']) {
              expect(parseDate(`${a}${sep}${String(b).padStart(2, '0')}${sep}${year}`, order)).toBe(
                reference(a, b, year, order),
              );
            }
          }
        }
      }
    }
    expect(parseDate('29/02/1900')).toBeNull();
    expect(parseDate('29/02/2000')).toBe('2000-02-29');
    expect(parseDate('01/02/03')).toBe('2003-02-01');
    expect(parseDate(' 12/03/1980 ')).toBe('1980-03-12');
    expect(parseDate('12/03/19801')).toBeNull();
  });

  it('name keys: folded words without digits, sorted, 2 to 6 of them', () => {
    const reference = (name: string) => {
      const words = foldText(name)
        .folded.split(' ')
        .filter((word) => word.length > 0 && !/\d/.test(word));
      return words.length < 2 || words.length > 6 ? null : words.sort().join(' ');
    };
    for (const name of [
      'DUPONT Hélène',
      'Zoé  de la Tour-Martin',
      'a b c d e f',
      'a b c d e f g',
      'Jean 2 Dupont',
      'Jean Dupont3',
      'Ørsted Åsa ß',
      'Ｊｅａｎ Ｄｕｐｏｎｔ',
      '𝐀lice Martin',
      'solo',
      '',
    ])
      expect(nameKey(name)).toBe(reference(name));
  });
});

describe('masked samples', () => {
  it('keep first and last characters at most, and the e-mail domain', () => {
    expect(maskIdentifier('email', 'acct:jean.dupont@orange.fr')).toBe('j***.d***@orange.fr');
    expect(maskIdentifier('phone', 'tel:+33612345678')).toBe('+33*******78');
    expect(maskIdentifier('nir', 'nir:185077512345608')).toBe('1************8');
    expect(maskIdentifier('login', 'acct:jdupont')).toBe('j***t');
    expect(maskIdentifier('name_birthdate', 'nbd:dupont helene|1980-03-12')).toBe('D. H. (born ****-**-**)');
    expect(maskIdentifier('health_number', 'hn:nhs:9434765919')).toBe('nhs:9***9');
  });
});

describe('keyed hashing', () => {
  it('is HMAC-SHA256 under the derived key, byte for byte as node:crypto computes it, in batches too', async () => {
    const { createHmac } = await import('node:crypto');
    const { createHasher } = await import('../../src/match/hasher.ts');
    const { deriveKey } = await import('../../src/shared/keys.ts');
    const material = 'hashing-test-key-material-0123456789abcdef';
    const hasher = createHasher(material);
    const key = deriveKey(material, 'identifier-hash');
    const values = Array.from(
      { length: 300 },
      (_, n) => `acct:${'x'.repeat(n)}${n % 3 ? '' : 'é東😀'}@example.fr`,
    );
    const batch = hasher.hashMany(values);
    values.forEach((value, i) => {
      const expected = createHmac('sha256', key).update(value, 'utf8').digest();
      expect(Buffer.from(batch.subarray(i * 32, i * 32 + 32)).equals(expected)).toBe(true);
      if (i % 50 === 0) expect(hasher.hash(value).equals(expected)).toBe(true);
    });
    // More than one call's worth of messages (4096), block counts interleaved: grouped four by four in any order.
    const mixed = Array.from({ length: 5000 }, (_, n) => `tel:+33${n}${'9'.repeat((n * 7919) % 150)}`);
    const mixedBatch = hasher.hashMany(mixed);
    mixed.forEach((value, i) => {
      const expected = createHmac('sha256', key).update(value, 'utf8').digest();
      expect(Buffer.from(mixedBatch.subarray(i * 32, i * 32 + 32)).equals(expected)).toBe(true);
    });
    // A namespace and a value written one after the other hash as their concatenation, non-ASCII on either side.
    const cut = (value: string, n: number) => n % (value.length + 1);
    const prefixes = values.map((value, n) => value.slice(0, cut(value, n * 31)));
    const rests = values.map((value, n) => value.slice(cut(value, n * 31)));
    expect(Buffer.from(hasher.hashMany(rests, prefixes)).equals(Buffer.from(batch))).toBe(true);
    expect(
      createHasher('another-key-material-0123456789abcdefgh')
        .hash('acct:a@b.fr')
        .equals(hasher.hash('acct:a@b.fr')),
    ).toBe(false);
  });
});
