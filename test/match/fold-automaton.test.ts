import { describe, expect, it } from 'vitest';
import { TermAutomaton } from '../../src/match/automaton.ts';
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, fold, foldTables, foldText } from '../../src/match/fold.ts';
import { CompiledTerms } from '../../src/match/terms.ts';
import type { WatchTerm } from '../../src/store/organisations.repository.ts';

function term(id: number, kind: WatchTerm['kind'], pattern: string, orgId = 1): WatchTerm {
  const normalised =
    kind === 'regex' ? pattern : kind.endsWith('domain') ? pattern.toLowerCase() : fold(pattern);
  return { id, orgId, kind, pattern, normalised, muted: false, createdAt: new Date() };
}

const found = (terms: CompiledTerms, text: string) =>
  terms.scan(text).map((hit) => [hit.term.pattern, text.slice(hit.start, hit.end)]);

describe('folding', () => {
  it('folds case, accents, compatibility forms and punctuation, with offsets back to the original', () => {
    expect(fold("  L'Hôpital   Saint-Éloi !")).toBe('l hopital saint eloi');
    expect(fold('STRAßE ﬁn Ａｂｃ ① e\u0301cole')).toBe('strasse fin abc 1 ecole');
    const { folded, offsets } = foldText('DUPONT Hélène');
    expect(folded).toBe('dupont helene');
    const e = folded.indexOf('helene');
    expect('DUPONT Hélène'.slice(offsets[e], (offsets[e + 5] as number) + 1)).toBe('Hélène');
  });
});

describe('fold tables', () => {
  it('hold for every code unit what folding that character on its own gives (tables built in batches)', () => {
    // The definition, one character at a time: NFKD, marks dropped, lower case, full case folds, letters and digits
    // kept, anything else a separator.
    const extra: Record<string, string> = { ß: 'ss', ẞ: 'ss', ς: 'σ', ſ: 's', ı: 'i', ĸ: 'q' };
    const dropped = [0x00ad, 0x034f, 0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff];
    const one = (char: string) => {
      if (/\p{M}/u.test(char)) return '';
      let folded = '';
      for (const piece of char
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()) {
        const e = extra[piece] ?? piece;
        folded += /[\p{L}\p{N}]/u.test(e) ? e : ' ';
      }
      return folded;
    };
    const { fold: table, multi } = foldTables();
    const wrong: string[] = [];
    let expansions = 0;
    for (let c = 0; c < 0x10000; c++) {
      let want: number;
      let expansion: string | undefined;
      if (c >= 0xd800 && c <= 0xdbff) want = FOLD_MULTI;
      else if (c >= 0xdc00 && c <= 0xdfff) want = FOLD_SEPARATOR;
      else if (dropped.includes(c)) want = FOLD_DROP;
      else {
        const folded = one(String.fromCharCode(c));
        if (folded === '') want = FOLD_DROP;
        else if (folded === ' ') want = FOLD_SEPARATOR;
        else if (folded.length === 1 && folded.charCodeAt(0) > FOLD_MULTI) want = folded.charCodeAt(0);
        else {
          want = FOLD_MULTI;
          expansion = folded;
          expansions++;
        }
      }
      if (table[c] !== want || multi.get(c) !== expansion) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
    expect(multi.size).toBe(expansions);
    expect(expansions).toBeGreaterThan(1000); // ligatures, Hangul syllables, fractions…
  });
});

describe('fold without offsets', () => {
  it('gives exactly foldText().folded on accented, mixed, expanding and astral input', () => {
    const pieces = [
      'a',
      'Z',
      ' ',
      '-',
      'é',
      'É',
      'e\u0301',
      'ß',
      'ẞ',
      'ﬁ',
      '\ufdfa',
      '\u200b',
      '😀',
      '𝐀',
      '\ud800',
      '\udc00',
    ];
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let text = '';
      for (let i = next(30); i > 0; i--)
        text += next(3) === 0 ? (pieces[next(pieces.length)] as string) : String.fromCharCode(next(0x3000));
      expect(fold(text)).toBe(foldText(text).folded);
    }
    const long = `${'\ufdfa'.repeat(20_000)} Hélène ${'x'.repeat(70_000)}`;
    expect(fold(long)).toBe(foldText(long).folded);
  });
});

describe('watch terms in one pass', () => {
  const terms = new CompiledTerms([
    term(1, 'phrase', 'Azur Analytics'),
    term(2, 'keyword', 'Hélène'),
    term(3, 'domain', 'labo-azur.fr'),
    term(4, 'email_domain', 'labo-azur.fr'),
    term(5, 'phrase', 'Azur Analytics', 2),
    term(6, 'regex', 'LA-\\d{6}'),
  ]);

  it('matches accent and case variants at word boundaries, and not the near-name', () => {
    expect(found(terms, 'Leak: AZUR-ANALYTICS (données)')).toEqual([
      ['Azur Analytics', 'AZUR-ANALYTICS'],
      ['Azur Analytics', 'AZUR-ANALYTICS'],
    ]);
    expect(found(terms, 'azur   analytics.')).toHaveLength(2);
    expect(found(terms, 'Azur Analyses published')).toEqual([]);
    expect(found(terms, 'Azur Analyticsx and xAzur Analytics')).toEqual([]);
    expect(found(terms, 'HELENE, helene; Hélènes')).toEqual([
      ['Hélène', 'HELENE'],
      ['Hélène', 'helene'],
    ]);
  });

  it('finds domains inside URLs and e-mail addresses, not inside longer names', () => {
    const hits = found(
      terms,
      'see https://www.labo-azur.fr/login and j.doe@labo-azur.fr or evil-labo-azur.fr or labo-azur.fr.evil.com',
    );
    expect(hits.filter(([p]) => p === 'labo-azur.fr')).toHaveLength(3); // URL (domain), address (domain + e-mail domain)
    expect(found(terms, 'Labo Azur FR')).toEqual([]);
    expect(found(terms, 'mail: x@mail.labo-azur.fr').map(([p]) => p)).toEqual([
      'labo-azur.fr',
      'labo-azur.fr',
    ]);
  });

  it('runs regex terms and reports offsets in the original text', () => {
    const text = 'dossier LA-123456, LA-12345 and la-654321';
    expect(found(terms, text)).toEqual([
      ['LA-\\d{6}', 'LA-123456'],
      ['LA-\\d{6}', 'la-654321'],
    ]);
  });

  it('keeps muted terms out and refuses unsafe stored regexes', () => {
    const muted = { ...term(7, 'keyword', 'secret'), muted: true };
    const compiled = new CompiledTerms([muted, term(8, 'regex', '(a+)+$')]);
    expect(compiled.scan('secret aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).toEqual([]);
    expect(compiled.refused.map((r) => r.term.id)).toEqual([8]);
  });
});

describe('TermAutomaton', () => {
  it('finds overlapping patterns, multi-character folds and scripts written without spaces', () => {
    const automaton = new TermAutomaton(['azur', 'azur analytics', 'strasse', '東京', 'analytics']);
    const scan = (text: string) => automaton.scan(text).map((m) => text.slice(m.start, m.end));
    expect(scan('Azur Analytics')).toEqual(['Azur', 'Azur Analytics', 'Analytics']);
    expect(scan('Hauptstraße, Straße 5')).toEqual(['Straße']);
    expect(scan('東京都の病院')).toEqual(['東京']);
    expect(scan('le 𝐀𝐳𝐮𝐫 !')).toEqual(['𝐀𝐳𝐮𝐫']);
    expect(scan('azur')).toEqual(['azur']);
    expect(scan('')).toEqual([]);
  });

  it('agrees with a naive search on folded text', () => {
    const patterns = ['ab', 'abc', 'bc', 'c d', 'abcd', 'd'];
    const automaton = new TermAutomaton(patterns);
    const texts = ['ab abc', 'abc-d, ABCD!', 'x ab  c d y', 'bc bcd d-d'];
    for (const text of texts) {
      const folded = ` ${fold(text)} `;
      const naive = patterns.flatMap((p) => {
        const hits: string[] = [];
        for (let i = folded.indexOf(` ${p} `); i >= 0; i = folded.indexOf(` ${p} `, i + 1)) hits.push(p);
        return hits;
      });
      expect(
        automaton
          .scan(text)
          .map((m) => patterns[m.pattern])
          .sort(),
      ).toEqual(naive.sort());
    }
  });

  it('scans in WebAssembly exactly as the JavaScript reference does, slow characters and long texts included', () => {
    const automaton = new TermAutomaton(['azur', 'azur analytics', 'strasse', '東京', 'fin', 'e', 'a b c']);
    const pieces = [
      'Azur',
      ' ',
      'analytics',
      'Straße',
      'ﬁn',
      '😀',
      '\u00ad',
      'e\u0301',
      '東京',
      '-',
      'a',
      'b',
      'c',
      'É',
      '\n',
      '𝐀𝐳𝐮𝐫',
      ',  ',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let round = 0; round < 60; round++) {
      // Short texts are one stream; long ones are scanned as two interleaved halves.
      const text = Array.from(
        { length: round % 2 ? 200 : 5000 + (next() % 3000) },
        () => pieces[next() % pieces.length],
      ).join('');
      expect(automaton.scan(text)).toEqual(automaton.scanReference(text));
    }
    // More matches than the output buffer holds, in a text larger than the first memory allocation.
    const long = 'e '.repeat(3_000_000);
    const matches = automaton.scan(long);
    expect(matches).toHaveLength(3_000_000);
    expect(matches.at(-1)).toEqual({ pattern: 5, start: long.length - 2, end: long.length - 1 });
  });
});
