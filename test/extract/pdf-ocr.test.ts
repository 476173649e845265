import { describe, expect, it } from 'vitest';
import { createOcrEngine, DEFAULT_OCR_OPTIONS } from '../../src/extract/ocr.ts';
import { extractAll } from '../support/documents/collect.ts';
import { makePdf } from '../support/documents/pdf-writer.ts';
import { installed, makePng, makeScannedPdf } from '../support/documents/scanned.ts';
import { missingTool, skipWithout } from '../support/system-tools.ts';

const OCR_TOOLS = installed('tesseract') && installed('pdftoppm', ['-v']);
const REPORT = [
  'LABORATOIRE DE BIOLOGIE MEDICALE',
  "Compte rendu d'analyses médicales",
  'Patiente : DUPONT Hélène, née le 12/03/1984',
  'NIR : 2 84 05 2A 123 456 78',
  'Glycémie à jeun : 0,92 g/L',
];

describe('PDF', () => {
  it('reads a 50-page PDF page by page, each page located', async () => {
    const pages = Array.from({ length: 50 }, (_, i) => ({
      lines: [`Bilan n° ${i + 1}`, `Patient ${i + 1} : Hélène Dupont-${i + 1}`, 'Résultats : normaux'],
    }));
    const { records, summary } = await extractAll({ name: 'bilans.pdf', bytes: makePdf(pages) });
    expect(summary).toMatchObject({ status: 'extracted', kind: 'pdf' });
    expect(summary.counts.pages).toBe(50);
    expect(records).toHaveLength(50);
    expect(records[6]?.location).toEqual({ document: 'bilans.pdf', page: 7 });
    expect(records[6]?.text).toContain('Patient 7 : Hélène Dupont-7');
    expect(records[49]?.text).toContain('Bilan n° 50');
  });

  it('records a malformed PDF as failed and an unreadable scan as needs_ocr, never as empty', async () => {
    const broken = Buffer.concat([
      Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog'),
      Buffer.alloc(200, 0x41),
    ]);
    const malformed = await extractAll({ name: 'broken.pdf', bytes: broken });
    expect(malformed.summary.status).toBe('failed');
    expect(malformed.summary.error).toMatch(/broken\.pdf: malformed PDF/);

    const scanned = makePdf([
      { lines: ['Page with text'] },
      { image: { width: 8, height: 8, gray: Buffer.alloc(64, 0) } },
    ]);
    const noTesseract = createOcrEngine({ ...DEFAULT_OCR_OPTIONS, tesseract: '/nonexistent/tesseract' });
    const result = await extractAll({ name: 'scan.pdf', bytes: scanned }, { ocr: noTesseract });
    expect(result.summary.status).toBe('needs_ocr');
    expect(result.summary.error).toMatch(
      /scan\.pdf: page\(s\) 2 have no text layer .* Tesseract is not installed/,
    );
    expect(result.records.map((record) => record.location.page)).toEqual([1]);
  });
});

describe.skipIf(skipWithout(OCR_TOOLS))(
  'OCR with Tesseract (Debian tesseract-ocr, tesseract-ocr-fra, poppler-utils)',
  () => {
    it('finds tesseract and pdftoppm', () => {
      expect(
        OCR_TOOLS,
        missingTool('tesseract, pdftoppm', 'tesseract-ocr tesseract-ocr-fra poppler-utils'),
      ).toBe(true);
    });

    it("finds the patient's name and NIR in a scanned lab report (a PDF with no text layer)", async () => {
      const pdf = makeScannedPdf([REPORT, ['Page 2', 'Signature du biologiste']]);
      const { records, summary } = await extractAll({ name: 'bilan_07.pdf', bytes: pdf });
      expect(summary.status).toBe('extracted');
      expect(summary.counts).toMatchObject({ pages: 2, ocrPages: 2 });
      const page1 = records.find((record) => record.location.page === 1);
      expect(page1).toMatchObject({ ocr: true, location: { document: 'bilan_07.pdf', page: 1 } });
      expect(page1?.text).toMatch(/DUPONT Hélène/);
      expect(page1?.text.replace(/\s/g, '')).toContain('284052A12345678');
    });

    it('OCRs an image file', async () => {
      const { records, summary } = await extractAll({ name: 'photo.png', bytes: makePng(REPORT) });
      expect(summary).toMatchObject({ status: 'extracted', kind: 'image' });
      expect(records[0]?.text).toMatch(/NIR : 2 84 05 2A 123 456 78/);
    });
  },
);
