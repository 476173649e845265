import type { ExtractContext } from '../context.ts';
import { decodeHead, detectEncoding, type TextEncodingName } from '../encoding.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

const MAX_HTML_BYTES = 64 * 1024 * 1024;
const CHARSETS: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1251': 'windows-1251',
  cp1251: 'windows-1251',
  'windows-1252': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-8859-15': 'windows-1252',
  latin1: 'windows-1252',
};

/** HTML exports and saved pages: table rows with their cells, other text line by line. Scripts are dropped. */
export async function* extractHtml(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const bytes = await input.buffer(MAX_HTML_BYTES, 'HTML files');
  const declared = /<meta[^>]+charset=["']?([\w-]+)/i
    .exec(bytes.subarray(0, 4096).toString('latin1'))?.[1]
    ?.toLowerCase();
  const encoding = (declared && CHARSETS[declared]) || detectEncoding(bytes).encoding;
  ctx.encoding ??= encoding;
  const cheerio = await import('cheerio'); // loaded on the first HTML file only
  const $ = cheerio.load(decodeHead(bytes, encoding));
  const records: TextRecord[] = [];
  $('script, style, noscript, template, svg').remove();
  let tableNumber = 0;
  for (const table of $('table').toArray()) {
    if ($(table).parents('table').length > 0) continue;
    tableNumber++;
    let headers: string[] | undefined;
    let row = 0;
    for (const tr of $(table).find('tr').toArray()) {
      const cells = $(tr)
        .children('th, td')
        .toArray()
        .map((cell) => $(cell).text().replace(/\s+/g, ' ').trim());
      row++;
      if (cells.length === 0 || cells.every((cell) => cell === '')) continue;
      if (!headers && $(tr).children('th').length === cells.length) {
        headers = cells;
        continue;
      }
      ctx.counts.rows++;
      records.push({
        text: cells.join('\t'),
        cells,
        ...(headers ? { headers } : {}),
        location: { document: input.name, sheet: `table ${tableNumber}`, row },
      });
    }
  }
  $('table').remove();
  $('br').replaceWith('\n');
  $('p, div, li, h1, h2, h3, h4, h5, h6, pre, tr, section, article, header, footer, blockquote, dt, dd').each(
    (_, element) => {
      $(element).append('\n');
    },
  );
  const text = $('body').length > 0 ? $('body').text() : $.root().text();
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    ctx.counts.lines++;
    const clean = raw.replace(/[ \t\u00a0]+/g, ' ').trim();
    if (clean) records.push({ text: clean, location: { document: input.name, line } });
  }
  if (records.length > 0) yield records;
}
