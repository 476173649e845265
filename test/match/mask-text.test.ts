/** Identifiers inside captured titles and file names are found by the matcher's detectors and masked where they stand. */
import { describe, expect, it } from 'vitest';
import { maskIdentifiersIn } from '../../src/match/mask-text.ts';

describe('identifiers in captured text', () => {
  it('masks e-mails and NIRs in a title and in a file name, wherever they stand', () => {
    expect(maskIdentifiersIn('Azur: helene.dupont@orange.fr, NIR 2 80 03 75 118 042 24 — sample')).toBe(
      'Azur: h***.d***@orange.fr, NIR 2************4 — sample',
    );
    expect(maskIdentifiersIn('dump.zip/2024/marc.ollivier@free.fr_185077512345608.csv')).toBe(
      'dump.zip/2024/m***.o***@free.fr_1************8.csv',
    );
  });

  it('masks phone numbers (national ones for the configured regions), IBANs and card numbers', () => {
    expect(maskIdentifiersIn('call +33 6 71 82 93 04 or 06 12 34 56 78', ['FR'])).toBe(
      'call +33*******04 or +33*******78',
    );
    expect(maskIdentifiersIn('06 12 34 56 78')).toBe('06 12 34 56 78'); // no region: a national number is not read
    const iban = maskIdentifiersIn('pay FR76 3000 6000 0112 3456 7890 189');
    expect(iban).toMatch(/^pay FR\*+89$/);
    expect(maskIdentifiersIn('card 4111 1111 1111 1111')).toMatch(/^card 41\*+11$/);
  });

  it('leaves text without identifiers as it was (dates, counts, versions)', () => {
    const title = 'Laboratoire Azur — 40 000 patients, 2024-03-15, v2.1.0, 3 TB';
    expect(maskIdentifiersIn(title, ['FR'])).toBe(title);
  });
});
