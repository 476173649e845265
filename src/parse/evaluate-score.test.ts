import { describe, expect, it } from 'vitest';
import { precisionOf, recallOf, scoreTitles, titleKey } from './evaluate-score.ts';

describe('title scoring', () => {
  it('compares titles after NFKC, whitespace and case folding', () => {
    expect(titleKey('  AZUR\u00a0 Analyses\nMédicales ')).toBe('azur analyses médicales');
    expect(titleKey('Ｒｏｔｏｒ ﬁls')).toBe('rotor fils');
    const score = scoreTitles([{ title: 'Rotor  Fils' }], ['ＲＯＴＯＲ fils']);
    expect(score).toMatchObject({ expected: 1, returned: 1, matched: 1, missed: [], extra: [] });
  });

  it('counts a title listed once but returned twice as one match and one extra', () => {
    const score = scoreTitles([{ title: 'Azur' }, { title: 'Bois' }], ['Azur', 'Azur']);
    expect(score).toMatchObject({ expected: 2, returned: 2, matched: 1, missed: ['Bois'], extra: ['Azur'] });
  });

  it('ignores announcements on both sides', () => {
    const truth = [
      { title: 'Azur' },
      { title: 'News', non_victim: true },
      { title: 'Rules', non_victim: true },
    ];
    const score = scoreTitles(truth, ['Azur', 'news']);
    expect(score).toMatchObject({ expected: 1, returned: 1, matched: 1, ignored: 1, missed: [], extra: [] });
  });

  it('scores an empty answer 1 only when there was nothing to find', () => {
    expect(precisionOf(0, 0, 0)).toBe(1);
    expect(precisionOf(0, 0, 3)).toBe(0);
    expect(precisionOf(2, 4, 3)).toBe(0.5);
    expect(recallOf(0, 0)).toBe(1);
    expect(recallOf(1, 4)).toBe(0.25);
  });
});
