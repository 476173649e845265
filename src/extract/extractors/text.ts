import type { ExtractContext } from '../context.ts';
import { decodeStream, detectEncoding, splitLines } from '../encoding.ts';
import type { ExtractInput } from '../source.ts';
import type { TextRecord } from '../text-record.ts';

/** Plain text, one record per non-blank line (credential combo lists, logs, notes), in its detected encoding. */
export async function* extractText(input: ExtractInput, ctx: ExtractContext): AsyncGenerator<TextRecord[]> {
  const { encoding } = detectEncoding(input.head);
  ctx.encoding ??= encoding;
  let line = 0;
  for await (const batch of splitLines(decodeStream(input.stream(), encoding), ctx.limits.maxRecordChars)) {
    const records: TextRecord[] = [];
    batch.lines.forEach((text, i) => {
      if (!batch.continued?.[i]) {
        line++;
        ctx.counts.lines++;
      }
      if (text.trim() !== '') records.push({ text, location: { document: input.name, line } });
    });
    if (records.length > 0) yield records;
  }
}
