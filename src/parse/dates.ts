/**
 * Leak sites write dates in every format: ISO, "Dec 01, 2022", "13 Сентября 2021", "2024.05.16", "17/01/2024",
 * epoch seconds, "2 days ago". parseLooseDate returns an instant when it is sure, else undefined (callers keep the raw
 * text). Day-first is assumed for ambiguous numeric dates, as on most of these sites; a US month-first date is
 * recognised only when the day is above 12.
 */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['jan', 'january', 'janvier', 'janv', 'январь', 'января', 'янв', 'enero', 'januar', 'gennaio'],
  [
    'feb',
    'february',
    'février',
    'fevrier',
    'févr',
    'fevr',
    'февраль',
    'февраля',
    'фев',
    'febrero',
    'februar',
    'febbraio',
  ],
  ['mar', 'march', 'mars', 'март', 'марта', 'marzo', 'märz', 'marz'],
  ['apr', 'april', 'avril', 'avr', 'апрель', 'апреля', 'апр', 'abril', 'aprile'],
  ['may', 'mai', 'май', 'мая', 'mayo', 'maggio'],
  ['jun', 'june', 'juin', 'июнь', 'июня', 'июн', 'junio', 'juni', 'giugno'],
  ['jul', 'july', 'juillet', 'juil', 'июль', 'июля', 'июл', 'julio', 'juli', 'luglio'],
  ['aug', 'august', 'août', 'aout', 'август', 'августа', 'авг', 'agosto'],
  ['sep', 'sept', 'september', 'septembre', 'сентябрь', 'сентября', 'сен', 'сент', 'septiembre', 'settembre'],
  ['oct', 'october', 'octobre', 'октябрь', 'октября', 'окт', 'octubre', 'oktober', 'ottobre'],
  ['nov', 'november', 'novembre', 'ноябрь', 'ноября', 'ноя', 'noviembre'],
  [
    'dec',
    'december',
    'décembre',
    'decembre',
    'déc',
    'декабрь',
    'декабря',
    'дек',
    'diciembre',
    'dezember',
    'dicembre',
  ],
];
MONTH_NAMES.forEach((names, index) => {
  for (const name of names) MONTHS[name] = index + 1;
});

const MONTH_WORD = '([a-zа-яéèûôäà]{3,10})\\.?';

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date | undefined {
  if (year < 100) year += 2000;
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1990 || year > 2100) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCDate() === day ? date : undefined;
}

function timeOf(text: string): [number, number, number] {
  const match = /(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?/i.exec(text);
  if (!match) return [0, 0, 0];
  let hour = Number(match[1]);
  const meridiem = match[4]?.toLowerCase();
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  return [hour, Number(match[2]), Number(match[3] ?? 0)];
}

export function parseLooseDate(raw: string, now: Date = new Date()): Date | undefined {
  const text = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!text) return undefined;

  const iso =
    /(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(z|[+-]\d{2}:?\d{2})?)?/.exec(text);
  if (iso) {
    if (iso[4] && iso[7]) {
      const parsed = new Date(iso[0].toUpperCase().replace(' ', 'T'));
      if (!Number.isNaN(parsed.getTime())) return parsed;
    }
    return utc(
      +(iso[1] as string),
      +(iso[2] as string),
      +(iso[3] as string),
      +(iso[4] ?? 0),
      +(iso[5] ?? 0),
      +(iso[6] ?? 0),
    );
  }

  const epoch = /^(\d{10})(\d{3})?$/.exec(text);
  if (epoch) return new Date(Number(epoch[1]) * 1000);

  const [hour, minute, second] = timeOf(text);
  const yearFirst = /(\d{4})[./](\d{1,2})[./](\d{1,2})/.exec(text);
  if (yearFirst)
    return utc(
      +(yearFirst[1] as string),
      +(yearFirst[2] as string),
      +(yearFirst[3] as string),
      hour,
      minute,
      second,
    );

  const numeric = /(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})/.exec(text);
  if (numeric) {
    const a = +(numeric[1] as string);
    const b = +(numeric[2] as string);
    const year = +(numeric[3] as string);
    return b > 12 && a <= 12 ? utc(year, a, b, hour, minute, second) : utc(year, b, a, hour, minute, second);
  }

  const dayMonth = new RegExp(`(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_WORD},? (\\d{4})`).exec(text);
  if (dayMonth && MONTHS[dayMonth[2] as string]) {
    return utc(
      +(dayMonth[3] as string),
      MONTHS[dayMonth[2] as string] as number,
      +(dayMonth[1] as string),
      hour,
      minute,
      second,
    );
  }
  const monthDay = new RegExp(`${MONTH_WORD} (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})`).exec(text);
  if (monthDay && MONTHS[monthDay[1] as string]) {
    return utc(
      +(monthDay[3] as string),
      MONTHS[monthDay[1] as string] as number,
      +(monthDay[2] as string),
      hour,
      minute,
      second,
    );
  }

  const ago = /(\d+) (second|minute|hour|day|week|month)s? ago/.exec(text);
  if (ago) {
    const unit = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000 }[
      ago[2] as 'day'
    ];
    return new Date(now.getTime() - Number(ago[1]) * unit * 1000);
  }
  return undefined;
}
