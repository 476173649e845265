/**
 * extract.pdf_pages_s: pages of text read per second from generated lab-report PDFs (200 pages, 40 lines each) by
 * the PDF extractor (pdf.js legacy build, text per page). The OCR rate of scanned pages (pdftoppm at 200 dpi and
 * Tesseract fra+eng in the pool of 2) is measured beside it on 8 scanned pages when the tools are installed.
 */
import { loadavg } from 'node:os';
import { extractDocument } from '../../src/extract/extract-document.ts';
import { makePdf } from '../../test/support/documents/pdf-writer.ts';
import { installed, makeScannedPdf } from '../../test/support/documents/scanned.ts';
import type { Benchmark, BenchResult } from '../registry.ts';

const PAGES = 200;
const SCANNED = 8;

function reportLines(page: number): string[] {
  const lines = [
    `LABORATOIRE DE BIOLOGIE MÉDICALE — compte rendu n° ${page}`,
    `Patient : Hélène Dupont-${page}, née le 12/03/1984`,
    'NIR : 2 84 05 2A 123 456 78',
  ];
  for (let i = 0; i < 37; i++)
    lines.push(
      `Analyse ${i + 1} : glycémie à jeun ${(0.7 + ((page * i) % 40) / 100).toFixed(2)} g/L (valeurs de référence 0,70 – 1,10)`,
    );
  return lines;
}

async function pagesPerSecond(
  bytes: Buffer,
  name: string,
): Promise<{ pages: number; seconds: number; status: string }> {
  const started = performance.now();
  const extraction = extractDocument({ name, bytes });
  for await (const _batch of extraction.batches) {
    /* consume */
  }
  const summary = extraction.summary();
  return {
    pages: summary.counts.pages,
    seconds: (performance.now() - started) / 1000,
    status: summary.status,
  };
}

export const pdfPagesBench: Benchmark = {
  name: 'extract.pdf_pages_s',
  unit: 'pages/s',
  goal: 'hundreds of text pages per second, so a leak of thousands of PDF reports is read in minutes (scans are OCR-bound: a few pages/s)',
  async run(): Promise<BenchResult> {
    const pdf = makePdf(
      Array.from({ length: PAGES }, (_, i) => ({ lines: reportLines(i + 1), fontSize: 9 })),
    );
    await pagesPerSecond(makePdf([{ lines: ['warm-up'] }]), 'warm.pdf'); // loads pdf.js once
    const text = await pagesPerSecond(pdf, 'bilans.pdf');
    const detail: Record<string, unknown> = {
      pages: text.pages,
      pdf_mb: Math.round((pdf.length / 1024 / 1024) * 10) / 10,
      seconds: Math.round(text.seconds * 100) / 100,
      load_average: loadavg().map((value) => Math.round(value * 100) / 100),
    };
    if (installed('tesseract') && installed('pdftoppm', ['-v'])) {
      const scanned = makeScannedPdf(
        Array.from({ length: SCANNED }, (_, i) => reportLines(i + 1).slice(0, 12)),
      );
      const ocr = await pagesPerSecond(scanned, 'scans.pdf');
      detail.ocr_pages_s = Math.round((ocr.pages / ocr.seconds) * 100) / 100;
      detail.ocr = {
        pages: ocr.pages,
        seconds: Math.round(ocr.seconds * 10) / 10,
        workers: 2,
        dpi: 200,
        status: ocr.status,
      };
    } else detail.ocr = 'tesseract or pdftoppm not installed: not measured';
    return { value: Math.round(text.pages / text.seconds), detail };
  },
};
