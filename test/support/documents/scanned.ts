import { execFileSync, spawnSync } from 'node:child_process';
import { makePdf, readPgm } from './pdf-writer.ts';

/** True when the program answers (tesseract, pdftoppm): OCR tests need the Debian packages. */
export function installed(program: string, args: string[] = ['--version']): boolean {
  return spawnSync(program, args, { stdio: 'ignore' }).status === 0;
}

/** A page image of the given lines: a text PDF rendered by pdftoppm (what a scanner would produce). */
export function renderPage(
  lines: readonly string[],
  dpi = 150,
): { width: number; height: number; gray: Buffer } {
  const pdf = makePdf([{ lines: [...lines], fontSize: 14 }]);
  return readPgm(
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-singlefile', '-'], {
      input: pdf,
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

/** A scanned report: one PDF page per report, each only an image — no text layer at all. */
export function makeScannedPdf(pages: readonly (readonly string[])[]): Buffer {
  return makePdf(pages.map((lines) => ({ image: renderPage(lines) })));
}

/** The same page as a PNG file (a photographed document). */
export function makePng(lines: readonly string[]): Buffer {
  const pdf = makePdf([{ lines: [...lines], fontSize: 14 }]);
  return execFileSync('pdftoppm', ['-r', '150', '-gray', '-png', '-singlefile', '-'], { input: pdf });
}
