import { type ExtractContext, ExtractionProblem } from '../context.ts';
import { hasHeader } from '../delimited.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';
import { scanXml, type XmlToken } from '../xml-scan.ts';
import type { ZipArchive } from '../zip-archive.ts';

const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

async function* tokensOf(
  archive: ZipArchive,
  path: string,
  input: ExtractInput,
  ctx: ExtractContext,
): AsyncGenerator<XmlToken> {
  const member = archive.find(path);
  if (!member) return;
  // Small parts are read token by token; sheets go batch by batch (see extractXlsx).
  if (member.encrypted)
    throw new ExtractionProblem('password_protected', `${input.name}: encrypted workbook part ${path}`);
  for await (const tokens of scanXml(archive.read(member, ctx, `${input.name}/${path}`))) yield* tokens;
}

/** Which cell styles show numbers as dates (birth dates are date serials: 31 412 is 1985-12-31). */
async function dateStyles(archive: ZipArchive, input: ExtractInput, ctx: ExtractContext): Promise<boolean[]> {
  const custom = new Map<number, boolean>();
  const styles: boolean[] = [];
  let inCellXfs = false;
  for await (const token of tokensOf(archive, 'xl/styles.xml', input, ctx)) {
    if (token.type === 'open' && token.name === 'numFmt') {
      const code = (token.attributes.formatCode ?? '').replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
      custom.set(Number(token.attributes.numFmtId), /[dy]/i.test(code) || /m{3,}/i.test(code));
    } else if (token.type !== 'text' && token.name === 'cellXfs')
      inCellXfs = token.type === 'open' && !token.selfClosing;
    else if (inCellXfs && token.type === 'open' && token.name === 'xf') {
      const id = Number(token.attributes.numFmtId ?? 0);
      styles.push(custom.get(id) ?? BUILT_IN_DATE_FORMATS.has(id));
    }
  }
  return styles;
}

async function sharedStrings(
  archive: ZipArchive,
  input: ExtractInput,
  ctx: ExtractContext,
): Promise<string[]> {
  const strings: string[] = [];
  let current = '';
  let inText = false;
  let phonetic = false;
  for await (const token of tokensOf(archive, 'xl/sharedStrings.xml', input, ctx)) {
    if (token.type === 'text') {
      if (inText && !phonetic) current += token.text;
    } else if (token.name === 't') inText = token.type === 'open' && !token.selfClosing;
    else if (token.name === 'rPh') phonetic = token.type === 'open' && !token.selfClosing;
    else if (token.name === 'si') {
      if (token.type === 'open') current = '';
      else {
        strings.push(current);
        if (strings.length > ctx.limits.maxSharedStrings)
          throw new ExtractionProblem(
            'too_large',
            `${input.name}: more than ${ctx.limits.maxSharedStrings} distinct strings`,
          );
      }
    }
  }
  return strings;
}

async function sheetsOf(
  archive: ZipArchive,
  input: ExtractInput,
  ctx: ExtractContext,
): Promise<Array<{ name: string; path: string }>> {
  const targets = new Map<string, string>();
  for await (const token of tokensOf(archive, 'xl/_rels/workbook.xml.rels', input, ctx)) {
    if (token.type === 'open' && token.name === 'Relationship')
      targets.set(token.attributes.Id ?? '', token.attributes.Target ?? '');
  }
  const sheets: Array<{ name: string; path: string }> = [];
  for await (const token of tokensOf(archive, 'xl/workbook.xml', input, ctx)) {
    if (token.type !== 'open' || token.name !== 'sheet') continue;
    const target = targets.get(token.attributes['r:id'] ?? '') ?? '';
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
    sheets.push({ name: token.attributes.name ?? `sheet ${sheets.length + 1}`, path });
  }
  return sheets;
}

function columnIndex(reference: string | undefined, fallback: number): number {
  const letters = /^([A-Z]+)/.exec(reference ?? '')?.[1];
  if (!letters) return fallback;
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

function excelDate(serial: number): string {
  const date = new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86_400_000));
  const iso = date.toISOString();
  return serial % 1 === 0 ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

/** XLSX: every sheet's rows with their cells; the first row is the header when it looks like one. */
export async function* extractXlsx(
  archive: ZipArchive,
  input: ExtractInput,
  ctx: ExtractContext,
): AsyncGenerator<TextRecord[]> {
  const strings = await sharedStrings(archive, input, ctx);
  const dates = await dateStyles(archive, input, ctx);
  for (const sheet of await sheetsOf(archive, input, ctx)) {
    const member = archive.find(sheet.path);
    if (!member) continue;
    const out: TextRecord[] = [];
    const pending: Array<{ row: number; cells: string[] }> = [];
    let headers: string[] | undefined;
    let decided = false;
    const emit = (row: number, cells: string[]) => {
      ctx.counts.rows++;
      out.push({
        text: cells.join('\t'),
        cells,
        ...(headers ? { headers } : {}),
        location: { document: input.name, sheet: sheet.name, row },
      });
    };
    const decide = () => {
      decided = true;
      const first = pending[0];
      if (first && hasHeader(pending.map((entry) => entry.cells))) {
        headers = first.cells.map((cell) => cell.trim());
        pending.shift();
      }
      for (const entry of pending.splice(0)) emit(entry.row, entry.cells);
    };
    let row = 0;
    let cells: string[] = [];
    let cell = { column: 0, type: '', style: 0, value: '' };
    let inValue = false;
    for await (const tokens of scanXml(archive.read(member, ctx, `${input.name}/${sheet.path}`))) {
      for (const token of tokens) {
        if (token.type === 'text') {
          if (inValue) cell.value += token.text;
          continue;
        }
        const open = token.type === 'open';
        if (token.name === 'row') {
          if (open) {
            row = Number(token.attributes.r ?? row + 1);
            cells = [];
            if (!token.selfClosing) continue;
          }
          if (!cells.some((value) => value.trim())) continue;
          if (decided) emit(row, cells);
          else {
            pending.push({ row, cells });
            if (pending.length >= 20) decide();
          }
        } else if (token.name === 'c') {
          if (open) {
            cell = {
              column: columnIndex(token.attributes.r, cells.length),
              type: token.attributes.t ?? 'n',
              style: Number(token.attributes.s ?? 0),
              value: '',
            };
            if (!token.selfClosing) continue;
          }
          let value = cell.value;
          if (cell.type === 's') value = strings[Number(value)] ?? '';
          else if (cell.type === 'b') value = value === '1' ? 'TRUE' : 'FALSE';
          else if (cell.type === 'n' && value !== '' && dates[cell.style] && Number.isFinite(Number(value)))
            value = excelDate(Number(value));
          if (cell.column < 16_384) {
            while (cells.length < cell.column) cells.push('');
            cells[cell.column] = value;
          }
        } else if (token.name === 'v' || token.name === 't') inValue = open && !token.selfClosing;
      }
      if (out.length > 0) yield out.splice(0);
    }
    if (!decided) decide();
    if (out.length > 0) yield out.splice(0);
  }
}
