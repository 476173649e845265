import { describe, expect, it } from 'vitest';
import type { TextRecord } from '../../src/extract/text-record.ts';
import { candidateKey } from '../../src/match/detect/candidate.ts';
import { findEmails } from '../../src/match/detect/emails.ts';
import { type DetectOptions, detect, SHORTEST_FINDING } from '../../src/match/detect/index.ts';
import { YEAR_WORD } from '../../src/match/detect/names.ts';
import { digitsOf, findNumbers, wholeNumber } from '../../src/match/detect/numbers.ts';
import { DIGITS_ENOUGH, LONG_TEXT, shapeOf } from '../../src/match/detect/shape.ts';
import { DATE_IN_TEXT } from '../../src/match/identifiers/dates.ts';
import type { IdentifierKind } from '../../src/match/identifiers/normalise.ts';
import { hostile } from './hostile-text.ts';

const ALL: IdentifierKind[] = [
  'email',
  'login',
  'phone',
  'nir',
  'health_number',
  'patient_id',
  'name_birthdate',
];
const options = (wanted: IdentifierKind[] = ALL, extra: Partial<DetectOptions> = {}): DetectOptions => ({
  regions: ['FR'],
  dateOrder: 'dmy',
  wanted: new Set(wanted),
  patientPatterns: [],
  ...extra,
});
const text = (t: string): TextRecord => ({ text: t, location: { document: 'doc.txt', line: 1 } });
const row = (cells: string[], headers?: string[]): TextRecord => ({
  text: cells.join('\t'),
  cells,
  headers,
  location: { document: 'dump.csv', row: 2 },
});
const keys = (record: TextRecord, o = options()) =>
  detect(record, o)
    .candidates.map((c) => candidateKey(c))
    .sort();

describe('detectors', () => {
  it('finds e-mails whatever their case and padding, normalised as at import', () => {
    expect(keys(row(['   JEAN.DUPONT@ORANGE.FR   ', 'x']))).toEqual(['acct:jean.dupont@orange.fr']);
    expect(keys(text('contact: <Helene.Martin@Labo-Azur.FR>, or a@b'))).toEqual([
      'acct:helene.martin@labo-azur.fr',
    ]);
  });

  it('reads phone numbers in national and international formats to E.164', () => {
    expect(keys(text('tel 06 12 34 56 78 / +33 (0)7 61 22 33 44 ; 0033 1 42 68 53 00'))).toEqual(
      ['tel:+33142685300', 'tel:+33612345678', 'tel:+33761223344'].sort(),
    );
  });

  it('takes a NIR only with a valid key, Corsica included, and counts it as a national id', () => {
    const found = detect(
      text('NIR 1 85 07 75 123 456 08, autre 1 85 07 75 123 456 09, corse 185072A12345665'),
      options(),
    );
    expect(
      found.candidates
        .map((c) => candidateKey(c))
        .filter((k) => k.startsWith('nir:'))
        .sort(),
    ).toEqual(['nir:185072A12345665', 'nir:185077512345608']);
    expect(found.categories.get('national_ids')).toBe(2);
  });

  it('counts card numbers (Luhn) and IBANs (mod 97) as categories without looking them up', () => {
    const found = detect(
      text('card 4111 1111 1111 1111 and 4111 1111 1111 1112, iban FR14 2004 1010 0505 0001 3M02 606'),
      options(),
    );
    expect(found.categories.get('payment_cards')).toBe(1);
    expect(found.categories.get('bank_accounts')).toBe(1);
    expect(found.candidates.some((c) => candidateKey(c).includes('4111'))).toBe(false);
  });

  it('recognises credential lines: combos, url:login:pass, tables and stealer logs', () => {
    const combo = detect(
      text('jdupont@orange.fr:Sup3rS3cret!\nhttps://intra.labo.fr/login:admin.labo:P@ssw0rd\nJean,Dupont'),
      options(),
    );
    expect(combo.categories.get('credentials')).toBe(2);
    expect(
      combo.candidates
        .filter((c) => c.credential)
        .map((c) => candidateKey(c))
        .sort(),
    ).toEqual(['acct:admin.labo', 'acct:jdupont@orange.fr']);
    const table = detect(
      row(['jdupont', '5f4dcc3b5aa765d61d8327deb882cf99'], ['Username', 'Password']),
      options(),
    );
    expect(table.candidates).toEqual([{ kind: 'login', value: 'jdupont', credential: true }]);
    const stealer = detect(
      text('URL: https://mail.example.com\nUsername: h.martin@labo-azur.fr\nPassword: qwerty123'),
      options(),
    );
    expect(stealer.candidates.find((c) => c.credential)?.value).toBe('h.martin@labo-azur.fr');
  });

  it('pairs names and birth dates in a row and in free text, whatever the order and accents', () => {
    const expected = 'nbd:dupont helene|1980-03-12';
    expect(keys(row(['DUPONT', 'Hélène', '12/03/1980'], ['Nom', 'Prénom', 'Date de naissance']))).toContain(
      expected,
    );
    expect(keys(row(['42', 'Helene Dupont', '1980-03-12']))).toContain(expected);
    expect(keys(text('Patiente : DUPONT Hélène, née le 12/03/1980, dossier 42'))).toContain(expected);
    expect(keys(text('Helene Dupont (12 mars 1980)'))).toContain(expected);
  });

  it('pairs a name with its birth date as lab reports lay them out, within one section of the page', () => {
    const expected = 'nbd:dupont helene|2000-06-15';
    const page = (...lines: string[]) =>
      text(['LABORATOIRE AZUR ANALYSES', '', ...lines, '', 'Page 1/2'].join('\n'));
    const layouts = {
      'name line, then birth date line': page(
        'Patient : DUPONT Hélène',
        'Né(e) le : 15/06/2000 N° SS : 2 00 06 75 123 456 78',
      ),
      'label/value lines': page('Nom : DUPONT', 'Prénom : Hélène', 'Date de naissance : 15/06/2000'),
      'two columns': page(
        'Patient : DUPONT Hélène            Prescripteur : Dr MARTIN Paul',
        'Né(e) le : 15/06/2000              Prélevé le : 03/11/2026 08:12',
      ),
      'table rows': page(
        'Nom          Prénom        Naissance     Dossier',
        'MARTIN       Paul          02/02/1990    LA-000041',
        'DUPONT       Hélène        15/06/2000    LA-000042',
      ),
      'tab-separated table': page('Nom\tPrénom\tNaissance', 'DUPONT\tHélène\t15/06/2000'),
    };
    for (const [layout, record] of Object.entries(layouts)) expect(keys(record), layout).toContain(expected);
    // The other row of the table keeps its own birth date.
    expect(keys(layouts['table rows'])).toContain('nbd:martin paul|1990-02-02');
    // A blank line ends a section: a name above it is not paired with a date below it.
    expect(keys(page('Patient : DUPONT Hélène', '', 'Édité le : 15/06/2000'))).not.toContain(expected);
  });

  it('keeps each date’s pairs on a page that lists many people', () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `PERSONNE${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}  Hélène  ${String(1 + (i % 28)).padStart(2, '0')}/06/1990`,
    );
    const found = keys(text(['Nom  Prénom  Naissance', ...rows].join('\n')));
    expect(found).toContain('nbd:helene personneaa|1990-06-01');
    expect(found).toContain('nbd:helene personnehc|1990-06-04'); // the 60th row
  });

  it('finds patient ids by header and by the organisation’s own pattern, restricted to it', () => {
    const byHeader = detect(row(['la-123456', 'x'], ['ID patient', 'Notes']), options(['patient_id']));
    expect(byHeader.candidates).toEqual([{ kind: 'patient_id', value: 'LA-123456' }]);
    const byPattern = detect(
      text('dossiers LA-000001 et LA-000002'),
      options(['patient_id'], { patientPatterns: [{ orgId: 7, regex: /LA-\d{6}/giu }] }),
    );
    expect(byPattern.candidates.map((c) => [candidateKey(c), c.orgId])).toEqual([
      ['pid:LA-000001', 7],
      ['pid:LA-000002', 7],
    ]);
  });

  it('does not hash kinds nobody registered, but still reports the categories', () => {
    const found = detect(text('jean@orange.fr 06 12 34 56 78'), options([]));
    expect(found.candidates).toEqual([]);
    expect(found.categories.get('contact_details')).toBe(1);
  });
});

describe('identity without registered names and birth dates', () => {
  it('counts the same records as the full name + birth date detector', () => {
    const headers = ['nom', 'prenom', 'date_naissance', 'name'];
    const names = [
      'DUPONT',
      'Hélène',
      '',
      'Zoé de la Tour',
      'Jean2',
      'ﬁlou',
      'STRAßE',
      'a b c d e f',
      '𝐀lice',
      '½',
    ];
    const dates = ['12/03/1980', '31/02/1980', '', '1980-03-12', 'hier'];
    const mixed: TextRecord[] = [text('Hélène DUPONT, née le 12/03/1980'), text('rien ici 1980')];
    for (const last of names)
      for (const first of names)
        for (const date of dates) {
          mixed.push(row([last, first, date, `${first} ${last}`], headers));
          mixed.push(row([last, first, date], headers.slice(0, 3)));
        }
    const identity = (record: TextRecord, wanted: IdentifierKind[]) =>
      detect(record, options(wanted)).categories.get('identity') ?? 0;
    let counted = 0;
    for (const record of mixed) {
      expect(identity(record, ['email'])).toBe(identity(record, ['email', 'name_birthdate']));
      counted += identity(record, ['email']);
    }
    expect(counted).toBeGreaterThan(100);
  });
});

describe('fast paths and prefilters agree with the general rules', () => {
  it('skips the date scan of free text only when it cannot find a date', () => {
    const random = hostile(
      0x2545f491,
      [
        ...'0123456789',
        '19',
        '20',
        '1980',
        '2024',
        '12/03/',
        '1.2.',
        '31-12-',
        '12 ',
        ' 3, ',
        '-03-12',
        'x',
        '_',
        '/',
        '-',
        '.',
        ' ',
        ',',
        'er',
        'mars',
        'March',
        'Jan.',
        'é',
        'a',
        'Z',
        '_',
        '\n',
        '@',
        '\u00a0',
      ],
      12,
    );
    let dates = 0;
    for (let i = 0; i < 100_000; i++) {
      const sample = random();
      DATE_IN_TEXT.lastIndex = 0;
      const date = DATE_IN_TEXT.test(sample);
      if (date) {
        dates++;
        expect(YEAR_WORD.test(sample), sample).toBe(true);
      }
    }
    expect(dates).toBeGreaterThan(500); // 886 with this seed: the implication was tested
  });

  it('reads a cell that is one number, and where a digit run can start, as the regexes did', () => {
    const random = hostile(
      0x9e3779b9,
      [
        ...'0123456789',
        '06',
        '12',
        ' ',
        '  ',
        '.',
        '-',
        '+',
        '(0)',
        '(',
        '\t',
        '\n',
        '\u00a0',
        '\u2009',
        '\u3000',
        '\ufeff',
        '\u0085',
        '\u180e',
        'a',
        'Z',
        'é',
        '@',
        '٣',
      ],
      30,
    );
    const WHOLE = /^\s*\+?\d(?:[ .-]?\d){6,22}\s*$/;
    // The previous definition of "a run can start": a digit at the start or after a non-ASCII-alphanumeric character.
    const alnum = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
    const mayStart = (t: string) => {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c >= 48 && c <= 57 && (i === 0 || !alnum(t.charCodeAt(i - 1)))) return true;
      }
      return false;
    };
    // Near-numbers: a phone-like number with one random piece put somewhere in it.
    const piece = hostile(
      0x85ebca6b,
      ['', ' ', '.', '-', '+', '\t', '\u00a0', '\u3000', 'a', '@', '٣', '  ', '7'],
      1,
    );
    const formats = [
      '0612345678',
      ' 06 12 34 56 78 ',
      '+33 6.12.34.56.78',
      '06-12-34-56-78\n',
      '+4930123456789012345678',
    ];
    let numbers = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      let sample = random();
      if (i % 2 === 1) {
        const base = formats[i % formats.length] as string;
        const at = (i * 7919) % (base.length + 1);
        sample = base.slice(0, at) + piece() + base.slice(at);
      }
      const shape = shapeOf(sample);
      const expected =
        sample.length <= 40 && shape.upper === 0 && !shape.at && WHOLE.test(sample) ? sample.trim() : null;
      if (wholeNumber(sample, shape) !== expected || shape.runStart !== mayStart(sample))
        wrong.push(JSON.stringify(sample));
      if (expected !== null) numbers++;
    }
    expect(wrong).toEqual([]);
    expect(numbers).toBeGreaterThan(10_000);
  });

  it('shapes short texts exactly, and long ones so that the numbers found are those an exact shape lets through', () => {
    const random = hostile(
      0x165667b1,
      [
        ...'0123456789',
        ...'aZ@ .-+\n',
        'é',
        'É',
        '٣',
        '\ud83d\ude00',
        '\ud800',
        'Ａ',
        '\u0130',
        '\u0000',
        'x'.repeat(40),
        '2A',
        ' 06 12 34 56 78 ',
        '1 80 02 2A 123 456 32',
        'FR76 3000 6000 0112 3456 7890 189',
        'A123456780',
        '943 476 5919',
        'a'.repeat(120),
      ],
      400,
    );
    const alnum = (c: number) => (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
    const exact = (t: string) => {
      let digits = 0;
      let upper = 0;
      let runStart = false;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c >= 48 && c <= 57) {
          digits++;
          if (i === 0 || !alnum(t.charCodeAt(i - 1))) runStart = true;
        } else if (c >= 65 && c <= 90) upper++;
      }
      return { digits, upper, at: t.includes('@'), runStart };
    };
    const every = { regions: ['FR', 'DE', 'GB', 'US'] as const, phones: true, healthNumbers: true };
    const numbers = (t: string, shape: ReturnType<typeof exact>) =>
      JSON.stringify(findNumbers(t, { ...every, regions: [...every.regions] }, undefined, shape));
    const wrong: string[] = [];
    let long = 0;
    let longFound = 0;
    for (let i = 0; i < 3000; i++) {
      const sample = random();
      const shape = shapeOf(sample);
      const reference = exact(sample);
      if (sample.length < LONG_TEXT) {
        if (JSON.stringify(shape) !== JSON.stringify(reference)) wrong.push(JSON.stringify(sample));
        continue;
      }
      long++;
      // A long text's gates may only be more open than the exact shape's, and the findings must not change.
      const digitsRight =
        reference.digits < DIGITS_ENOUGH ? shape.digits === reference.digits : shape.digits >= DIGITS_ENOUGH;
      if (!digitsRight || shape.at !== reference.at || shape.upper < Math.min(2, reference.upper))
        wrong.push(JSON.stringify(sample));
      const found = numbers(sample, shape);
      if (found !== numbers(sample, reference)) wrong.push(JSON.stringify(sample));
      if (/"[^"]+"/.test(found)) longFound++;
    }
    expect(wrong).toEqual([]);
    expect(long).toBeGreaterThan(1000);
    expect(longFound).toBeGreaterThan(100);
  });

  it('skips only cells too short for any finding: no shorter text holds an address or a number', () => {
    const random = hostile(
      0x7f4a7c15,
      [...'0123456789', '@', '.', 'a', 'Z', 'é', '+', ' ', '-', '(0)', 'fr'],
      8,
    );
    const every = { regions: ['FR', 'DE', 'GB', 'US'] as const, phones: true, healthNumbers: true };
    const found: string[] = [];
    let tried = 0;
    for (let i = 0; i < 200_000; i++) {
      const sample = random().slice(0, SHORTEST_FINDING - 1);
      if (sample.length !== SHORTEST_FINDING - 1) continue;
      tried++;
      const numbers = findNumbers(sample, { ...every, regions: [...every.regions] });
      const any =
        numbers.phones.length + numbers.nirs.length + numbers.health.length + numbers.cards + numbers.ibans;
      if (findEmails(sample).length > 0 || any > 0) found.push(sample);
    }
    expect(found).toEqual([]);
    expect(tried).toBeGreaterThan(50_000);
    // One character more is enough for an address.
    expect(findEmails('a@.fr'.slice(0, SHORTEST_FINDING)).map((e) => e.value)).toEqual(['a@.fr']);
  });

  it('takes the digits out of a run as the regexes did, "(0)" dropped whole', () => {
    const random = hostile(
      0x27d4eb2f,
      [...'0123456789', ' ', '.', '-', '+', '(0)', '(', ')', '0)', 'é', '٣', '\u00a0'],
      24,
    );
    // The previous definition: every non-digit removed by a regex, "(0)" removed first when the run holds a "(".
    const reference = (raw: string) =>
      raw.includes('(') ? raw.replace(/\(0\)/g, '').replace(/\D+/g, '') : raw.replace(/\D+/g, '');
    const wrong: string[] = [];
    let separated = 0;
    for (let i = 0; i < 100_000; i++) {
      const sample = random();
      if (digitsOf(sample) !== reference(sample)) wrong.push(JSON.stringify(sample));
      if (/\d\D+\d/.test(sample)) separated++;
    }
    expect(wrong).toEqual([]);
    expect(separated).toBeGreaterThan(10_000);
  });

  it('keeps one candidate per key and organisation in records of many, credentials and repeats included', () => {
    let state = 0x68e31da4;
    const roll = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const patterns = {
      patientPatterns: [
        { orgId: 3, regex: /PAT-\d{4}/gu },
        { orgId: 4, regex: /PAT-\d{4}/gu },
      ],
    };
    for (let round = 0; round < 200; round++) {
      const lines: string[] = [];
      const expected = new Map<string, boolean>(); // "key|orgId" → credential
      const note = (key: string, credential: boolean, orgId?: number) => {
        const id = `${key}|${orgId ?? ''}`;
        expected.set(id, (expected.get(id) ?? false) || credential);
      };
      // One round in four: hundreds of lines and of distinct values (the index of a record's candidates grows).
      const wide = round % 4 === 0;
      for (let line = 0; line < 4 + roll(wide ? 400 : 40); line++) {
        const who = roll(wide ? 200 : 12);
        const email = `client${who}@labo${who % 3}.fr`;
        switch (roll(4)) {
          case 0:
            lines.push(`contact ${roll(2) ? email.toUpperCase() : email} merci`);
            note(`acct:${email}`, false);
            break;
          case 1:
            lines.push(`${email}:Secr3t!${who}`);
            note(`acct:${email}`, true);
            break;
          case 2:
            lines.push(`tel 06 12 34 56 ${String(10 + (who % 90))}`);
            note(`tel:+3361234 56${10 + (who % 90)}`.replace(' ', ''), false);
            break;
          default:
            lines.push(`dossier PAT-${1000 + who}`);
            note(`pid:PAT-${1000 + who}`, false, 3);
            note(`pid:PAT-${1000 + who}`, false, 4);
        }
      }
      const wanted: IdentifierKind[] = ['email', 'login', 'phone', 'patient_id'];
      const found = detect(text(lines.join('\n')), options(wanted, patterns)).candidates;
      const got = new Map(found.map((c) => [`${candidateKey(c)}|${c.orgId ?? ''}`, c.credential === true]));
      expect(got.size, lines.join('\n')).toBe(found.length); // no (key, organisation) twice
      expect(got).toEqual(expected);
    }
  });
});
