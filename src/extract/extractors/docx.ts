import type { ExtractContext } from '../context.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';
import { scanXml } from '../xml-scan.ts';
import type { ZipArchive } from '../zip-archive.ts';

const EXTRA_PARTS = /^word\/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/;

/**
 * DOCX: paragraphs of the body (then headers, footers, notes, comments) as records numbered like lines; table rows
 * as rows with their cells (sheet "table N"), so a table of patients keeps its columns.
 */
export async function* extractDocx(
  archive: ZipArchive,
  input: ExtractInput,
  ctx: ExtractContext,
): AsyncGenerator<TextRecord[]> {
  const parts = [
    'word/document.xml',
    ...archive.members
      .map((member) => member.path ?? '')
      .filter((path) => EXTRA_PARTS.test(path))
      .sort(),
  ];
  let paragraphs = 0;
  let tables = 0;
  for (const part of parts) {
    const member = archive.find(part);
    if (!member || member.encrypted || !member.readable) continue;
    let paragraph = '';
    let inText = false;
    let tableDepth = 0;
    let row = 0;
    let cells: string[] = [];
    let cell = '';
    for await (const tokens of scanXml(archive.read(member, ctx, `${input.name}/${part}`))) {
      const records: TextRecord[] = [];
      for (const token of tokens) {
        if (token.type === 'text') {
          if (inText) paragraph += token.text;
          continue;
        }
        const open = token.type === 'open';
        switch (token.name) {
          case 'w:t':
            inText = open && !token.selfClosing;
            break;
          case 'w:tab':
            if (open) paragraph += '\t';
            break;
          case 'w:br':
          case 'w:cr':
            if (open) paragraph += '\n';
            break;
          case 'w:p':
            if (open && !token.selfClosing) paragraph = '';
            else if (!open) {
              if (tableDepth > 0) cell += cell ? `\n${paragraph}` : paragraph;
              else {
                paragraphs++;
                ctx.counts.lines++;
                if (paragraph.trim())
                  records.push({ text: paragraph, location: { document: input.name, line: paragraphs } });
              }
              paragraph = '';
            }
            break;
          case 'w:tbl':
            if (open) {
              tableDepth++;
              if (tableDepth === 1) {
                tables++;
                row = 0;
              }
            } else tableDepth--;
            break;
          case 'w:tr':
            if (tableDepth !== 1) break;
            if (open) cells = [];
            else if (cells.some((value) => value.trim())) {
              row++;
              ctx.counts.rows++;
              records.push({
                text: cells.join('\t'),
                cells,
                location: { document: input.name, sheet: `table ${tables}`, row },
              });
            }
            break;
          case 'w:tc':
            if (tableDepth !== 1) break;
            if (open) cell = '';
            else cells.push(cell.trim());
            break;
        }
      }
      if (records.length > 0) yield records;
    }
  }
}
