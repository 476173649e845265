import { describe, expect, it } from 'vitest';
import { parseLooseDate } from './dates.ts';
import { classifyStatus, countdownEnd } from './post-status.ts';

describe('classifyStatus', () => {
  it('reads "100%" (a fully leaked percentage) as published, and a lower percentage as nothing', () => {
    expect(classifyStatus('100%')).toBe('published');
    expect(classifyStatus('Uploaded 100 % files')).toBe('published');
    expect(classifyStatus('Uploaded 95% files')).toBeUndefined();
    expect(classifyStatus('1100%')).toBeUndefined();
  });

  it('matches Cyrillic words after a space (JavaScript \\b is ASCII-only)', () => {
    expect(classifyStatus('Данные опубликовано')).toBe('published');
    expect(classifyStatus('До публикации осталось 3 дня')).toBe('countdown');
  });

  it('reads an announcement of a future publication as a countdown, not as published', () => {
    expect(classifyStatus('all files on the list - will be posted within 5 days')).toBe('countdown');
    expect(classifyStatus('Data will be published soon')).toBe('countdown');
  });

  it('keeps the earlier readings', () => {
    expect(classifyStatus('Published')).toBe('published');
    expect(classifyStatus('2d 03h 10m')).toBe('countdown');
    expect(classifyStatus('Published 3 days ago')).toBe('published');
    expect(classifyStatus('Timer')).toBe('countdown');
    expect(classifyStatus('3dogs')).toBeUndefined();
    expect(classifyStatus(undefined)).toBeUndefined();
  });
});

describe('countdownEnd', () => {
  const fetchedAt = new Date('2022-07-01T00:00:00Z');
  const parseDate = (raw: string) => parseLooseDate(raw, fetchedAt);

  it('reads a date with a time of day as the deadline itself, not as hh:mm:ss left', () => {
    expect(countdownEnd('2022-08-10 02:55:00', fetchedAt, parseDate)?.toISOString()).toBe(
      '2022-08-10T02:55:00.000Z',
    );
    expect(countdownEnd('16.05.2024 12:00:00', fetchedAt, parseDate)?.toISOString()).toBe(
      '2024-05-16T12:00:00.000Z',
    );
  });

  it('still reads a remaining time', () => {
    expect(countdownEnd('04:22:10', fetchedAt, parseDate)?.toISOString()).toBe('2022-07-01T04:22:10.000Z');
    expect(countdownEnd('1d 2h', fetchedAt, parseDate)?.toISOString()).toBe('2022-07-02T02:00:00.000Z');
  });
});
