/**
 * Re-reading stored documents for a retro-hunt: extracted text is not kept, so a document is decrypted from the
 * evidence store and extracted again, with the same limits and OCR settings as the documents pipeline. A document whose
 * raw file is gone (retention) or was never stored gives null: the hunt counts it as skipped.
 */
import type { AppContext } from '../app/context.ts';
import { documentSettings, ocrEngine } from '../documents/settings.ts';
import { extractDocument } from '../extract/extract-document.ts';
import type { TextRecord } from '../extract/text-record.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import type { ReadDocument } from './retro-hunt.ts';

export function storedDocumentReader(ctx: Pick<AppContext, 'config' | 'secretKey'>): ReadDocument {
  const settings = documentSettings(ctx.config);
  const ocr = ocrEngine(ctx.config);
  const evidence = openEvidenceStore(ctx.config.dataDir, ctx.secretKey.material);
  return async (document) => {
    if (!document.sha256 || !(await evidence.has(document.sha256))) return null;
    const reader = await evidence.openReader(document.sha256);
    const extraction = extractDocument(
      { name: document.name, access: reader },
      { limits: settings.extract, ocr, allowedKinds: settings.kinds },
    );
    return (async function* (): AsyncGenerator<TextRecord> {
      try {
        yield* extraction.records;
      } finally {
        await reader.close();
      }
    })();
  };
}
