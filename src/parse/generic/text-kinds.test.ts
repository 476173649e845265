import { describe, expect, it } from 'vitest';
import {
  findDate,
  isDetailLabel,
  isGenericLabel,
  isMetaText,
  isTitleLike,
  titleQuality,
} from './text-kinds.ts';

const NOW = new Date('2024-06-01T00:00:00Z');

describe('text kinds', () => {
  it.each([
    'Acme Tooling Ltd',
    'fps.com',
    'Santa Lucía Clínica',
    'Урал Сталь',
    '华东精密机械有限公司',
    'EOS',
    '[first source code 3gb ] example.de stolen 43 gb source code',
  ])('takes %j as a title', (text) => {
    expect(isTitleLike(text)).toBe(true);
  });

  it.each([
    'Read more',
    'Читать далее',
    'open',
    '»',
    '2024-01-17',
    'Posted Dec 01, 2022.',
    'Опубликовано: 13 Сентября 2021',
    '1.54 TB',
    '100%',
    '3d 04h 12m',
    'Company:',
    'Published',
    'x'.repeat(201),
  ])('does not take %j as a title', (text) => {
    expect(isTitleLike(text)).toBe(false);
  });

  it('tells action labels from detail labels', () => {
    expect(isGenericLabel('Website')).toBe(true);
    expect(isDetailLabel('Website')).toBe(false);
    expect(isDetailLabel('Read more →')).toBe(true);
    expect(isDetailLabel('Подробнее')).toBe(true);
  });

  it('finds the first date as written, in several languages and formats', () => {
    expect(findDate('Posted Nov 12, 2023. Updated Jan 02, 2024', NOW)).toMatchObject({ raw: 'Nov 12, 2023' });
    expect(findDate('Опубликовано: 13 Сентября 2021', NOW)?.at.toISOString()).toBe(
      '2021-09-13T00:00:00.000Z',
    );
    expect(findDate('POST · 2022-03-28 ·', NOW)?.raw).toBe('2022-03-28');
    expect(findDate('added 17/01/2024 by admin', NOW)?.raw).toBe('17/01/2024');
    expect(findDate('3 days ago', NOW)?.at.toISOString()).toBe('2024-05-29T00:00:00.000Z');
    expect(findDate('Data 12, 2022 and more', NOW)).toBeUndefined();
    expect(findDate('no date here', NOW)).toBeUndefined();
  });

  it('recognises text that is only a date, a size or a countdown', () => {
    expect(isMetaText('Updated: 06 Dec, 2023, 10:08 UTC')).toBe(true);
    expect(isMetaText('Posted 2024-01-02')).toBe(true);
    expect(isMetaText('Size: 40 GB')).toBe(true);
    expect(isMetaText('Acme 40 GB')).toBe(false);
  });

  it('rates field values below names', () => {
    expect(titleQuality('Acme Tooling Ltd')).toBe(1);
    expect(titleQuality('https://acme.example')).toBeLessThan(0.5);
    expect(titleQuality('fileslist.zip')).toBeLessThan(0.5);
    expect(titleQuality('Web Site: acme.example')).toBeLessThan(1);
    expect(titleQuality('====== FULL LEAK ======')).toBeLessThan(0.5);
  });
});
