import { type ExtractContext, ExtractionProblem } from '../context.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** An image (a photographed or scanned document): its OCR text as page 1, or `needs_ocr` when OCR cannot run. */
export async function* extractImage(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const reason = await ctx.ocr.unavailable('image');
  if (reason) {
    ctx.flag('needs_ocr', `${input.name} is an image: its text needs OCR, which cannot run here (${reason})`);
    return;
  }
  if (ctx.counts.ocrPages >= ctx.limits.maxOcrPages) {
    ctx.flag(
      'needs_ocr',
      `${input.name}: not OCR'd, past the limit of ${ctx.limits.maxOcrPages} OCR pages per document`,
    );
    return;
  }
  const bytes = await input.buffer(MAX_IMAGE_BYTES, 'images');
  let text: string;
  try {
    text = await ctx.ocr.recognise(bytes);
  } catch (error) {
    throw new ExtractionProblem('needs_ocr', `${input.name}: OCR failed (${(error as Error).message})`);
  }
  ctx.counts.pages++;
  ctx.counts.ocrPages++;
  if (text.trim() !== '')
    yield [{ text: text.trim(), location: { document: input.name, page: 1 }, ocr: true }];
}
