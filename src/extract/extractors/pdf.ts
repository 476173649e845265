import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { type ExtractContext, ExtractionProblem } from '../context.ts';
import { checkPdfStreams } from '../pdf-streams.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;
/** pdf.js is loaded on the first PDF: a worker reading only CSV dumps does not carry it (35 MB, more under tsx). */
const loadPdfJs = () => {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
};

/** A page with fewer meaningful characters than this has no usable text layer. */
const MIN_TEXT_CHARS = 3;

async function pageText(page: PDFPageProxy): Promise<string> {
  const content = await page.getTextContent();
  let text = '';
  for (const item of content.items) {
    if (!('str' in item)) continue;
    if (text && !/\s$/.test(text) && item.str && !/^\s/.test(item.str)) text += ' ';
    text += item.str;
    if (item.hasEOL) text += '\n';
  }
  return text.replace(/[ \t]+\n/g, '\n').trim();
}

async function hasImages(page: PDFPageProxy): Promise<boolean> {
  const { OPS } = await loadPdfJs();
  const images = new Set<number>([
    OPS.paintImageXObject,
    OPS.paintInlineImageXObject,
    OPS.paintImageMaskXObject,
    OPS.paintImageXObjectRepeat,
    OPS.paintInlineImageXObjectGroup,
  ]);
  const operators = await page.getOperatorList();
  return operators.fnArray.some((fn) => images.has(fn));
}

function ranges(pages: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const page of pages) {
    const last = out.at(-1);
    if (last && last[1] === page - 1) last[1] = page;
    else out.push([page, page]);
  }
  return out;
}

/** OCR of pages without a text layer: rasterised in order, recognised in the pool, yielded in page order. */
async function* ocrPages(
  bytes: Buffer,
  pages: number[],
  input: ExtractInput,
  ctx: ExtractContext,
): AsyncGenerator<TextRecord[]> {
  type Result = { page: number; text?: string; error?: string };
  const inflight: Array<Promise<Result>> = [];
  const failed: number[] = [];
  const settle = async function* (result: Result): AsyncGenerator<TextRecord[]> {
    if (result.error !== undefined) {
      failed.push(result.page);
      ctx.warn(`${input.name} page ${result.page}: OCR failed (${result.error})`);
      return;
    }
    ctx.counts.ocrPages++;
    const text = result.text?.trim() ?? '';
    if (text) yield [{ text, location: { document: input.name, page: result.page }, ocr: true }];
  };
  for (const [first, last] of ranges(pages)) {
    for await (const { page, image } of ctx.ocr.rasterise(bytes, first, last)) {
      inflight.push(
        ctx.ocr.recognise(image).then(
          (text) => ({ page, text }),
          (error: Error) => ({ page, error: error.message }),
        ),
      );
      if (inflight.length > ctx.ocr.workers) yield* settle(await (inflight.shift() as Promise<Result>));
    }
  }
  while (inflight.length > 0) yield* settle(await (inflight.shift() as Promise<Result>));
  if (failed.length > 0)
    ctx.flag('needs_ocr', `${input.name}: OCR failed on page(s) ${failed.slice(0, 20).join(', ')}`);
}

function describePages(pages: readonly number[]): string {
  const shown = pages.slice(0, 10).join(', ');
  return pages.length > 10 ? `${shown}… (${pages.length} pages)` : shown;
}

/**
 * PDF text page by page (pdf.js). A page without a text layer but with images is a scan: it is OCR'd when
 * Tesseract and pdftoppm are available, else the document is `needs_ocr` with the pages named — never "empty".
 */
export async function* extractPdf(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const bytes = await input.buffer(ctx.limits.maxPdfBytes, 'PDFs');
  await checkPdfStreams(bytes, input.name, ctx);
  let pdf: PDFDocumentProxy;
  try {
    const { getDocument } = await loadPdfJs();
    pdf = await getDocument({
      data: new Uint8Array(bytes),
      verbosity: 0,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
    }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException')
      throw new ExtractionProblem(
        'password_protected',
        `${input.name}: encrypted PDF, a password is needed to read it`,
      );
    throw new ExtractionProblem('failed', `${input.name}: malformed PDF (${(error as Error).message})`);
  }
  try {
    const total = Math.min(pdf.numPages, ctx.limits.maxPdfPages);
    if (pdf.numPages > total)
      ctx.warn(`${input.name}: only the first ${total} of ${pdf.numPages} pages were read (limit)`);
    const scanned: number[] = [];
    for (let number = 1; number <= total; number++) {
      let page: PDFPageProxy;
      try {
        page = await pdf.getPage(number);
      } catch (error) {
        ctx.warn(`${input.name} page ${number}: unreadable (${(error as Error).message})`);
        continue;
      }
      ctx.counts.pages++;
      try {
        const text = await pageText(page);
        if (text.replace(/\s/g, '').length >= MIN_TEXT_CHARS)
          yield [{ text, location: { document: input.name, page: number } }];
        else if (await hasImages(page)) scanned.push(number);
      } catch (error) {
        ctx.warn(`${input.name} page ${number}: unreadable (${(error as Error).message})`);
      } finally {
        page.cleanup();
      }
    }
    if (scanned.length === 0) return;
    const reason = await ctx.ocr.unavailable('pdf');
    const room = Math.max(ctx.limits.maxOcrPages - ctx.counts.ocrPages, 0);
    if (reason) {
      ctx.flag(
        'needs_ocr',
        `${input.name}: page(s) ${describePages(scanned)} have no text layer (scanned) and need OCR, which cannot run here: ${reason}`,
      );
      return;
    }
    if (scanned.length > room)
      ctx.flag(
        'needs_ocr',
        `${input.name}: page(s) ${describePages(scanned.slice(room))} not OCR'd, past the limit of ${ctx.limits.maxOcrPages} OCR pages per document`,
      );
    yield* ocrPages(bytes, scanned.slice(0, room), input, ctx);
  } finally {
    await pdf.destroy();
  }
}
