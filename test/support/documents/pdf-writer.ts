import { deflateSync } from 'node:zlib';

/**
 * A small PDF writer for tests: pages of text (Helvetica, WinAnsi encoding, so "Hélène" survives) or pages that are
 * only an image (a scan: no text layer at all). Enough for pdf.js, poppler and the extractor to read.
 */
export interface PdfPage {
  /** Lines of text, drawn top to bottom. */
  lines?: string[];
  /** An 8-bit grayscale image covering the page (a scanned page). */
  image?: { width: number; height: number; gray: Buffer };
  /** Font size of the text lines (default 11). */
  fontSize?: number;
  /** The page's content stream as given, already deflated (a stream bomb: see test/support/documents/bombs.ts). */
  deflatedContent?: Buffer;
}

const A4 = { width: 595, height: 842 };

/** WinAnsiEncoding bytes of the few characters outside Latin-1 that reports use. */
const WIN_ANSI: Record<string, number> = {
  '€': 0x80,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '–': 0x96,
  '—': 0x97,
};

function pdfString(text: string): string {
  let out = '(';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 63;
    const byte = WIN_ANSI[char] ?? (code < 256 ? code : 63);
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 32 || byte > 126) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

function textContent(page: PdfPage): string {
  const size = page.fontSize ?? 11;
  const parts = ['BT', `/F1 ${size} Tf`, `${Math.round(size * 1.3)} TL`, `50 ${A4.height - 60} Td`];
  for (const line of page.lines ?? []) parts.push(`${pdfString(line)} Tj T*`);
  parts.push('ET');
  return parts.join('\n');
}

/** Builds a complete PDF file. */
export function makePdf(pages: readonly PdfPage[]): Buffer {
  const objects: Buffer[] = [];
  const add = (body: string | Buffer): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dictionary: string, data: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]);

  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // pages tree, filled in below
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const page of pages) {
    let resources = `<< /Font << /F1 ${font} 0 R >> >>`;
    let content: string;
    if (page.image) {
      const { width, height, gray } = page.image;
      const image = add(
        stream(
          `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
          deflateSync(gray),
        ),
      );
      resources = `<< /XObject << /Im1 ${image} 0 R >> >>`;
      content = `q ${A4.width} 0 0 ${A4.height} 0 0 cm /Im1 Do Q`;
    } else content = textContent(page);
    const contents = add(
      page.deflatedContent
        ? stream('/Filter /FlateDecode', page.deflatedContent)
        : stream('', Buffer.from(content, 'latin1')),
    );
    kids.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Resources ${resources} /Contents ${contents} 0 R >>`,
      ),
    );
  }
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`,
    'latin1',
  );

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]?.length ?? 0;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(offset);
    const piece = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(piece);
    offset += piece.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((value) => `${String(value).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}

/** Reads a binary PGM (P5) image, as pdftoppm -gray writes it. */
export function readPgm(bytes: Buffer): { width: number; height: number; gray: Buffer } {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PGM image');
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, gray: bytes.subarray(header[0].length, header[0].length + width * height) };
}
