import { createInflate, constants as zlib } from 'node:zlib';
import { type ExtractContext, ExtractionProblem } from './context.ts';

/**
 * The decompression guard of a PDF: pdf.js keeps every decoded stream whole in memory, so a 5 MB file whose content
 * stream inflates to 1 GB took it past 7 GB (issue 14, finding 2). Each FlateDecode stream is inflated here first,
 * counted and thrown away, under the ratio, per-stream and per-document limits the archives have.
 */

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');
/** How far back from `stream` the object's header and dictionary are looked for. */
const DICTIONARY_WINDOW = 4096;

interface FlateStream {
  object: string;
  data: Buffer;
}

/** FlateDecode streams of the file as written (object streams included: they are streams too). */
function* flateStreams(bytes: Buffer): Generator<FlateStream> {
  for (let at = bytes.indexOf(STREAM); at >= 0; at = bytes.indexOf(STREAM, at + STREAM.length)) {
    if (bytes[at - 1] === 0x64 /* endstream */) continue;
    let start = at + STREAM.length;
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] !== 0x0a) continue;
    start++;
    const head = bytes.subarray(Math.max(0, at - DICTIONARY_WINDOW), at).toString('latin1');
    const header = head.lastIndexOf(' obj');
    const dictionary = header >= 0 ? head.slice(header) : head;
    if (!/\/Filter\s*(\[\s*)?\/(FlateDecode|Fl)\b/.test(dictionary)) continue;
    const end = bytes.indexOf(END_STREAM, start);
    if (end < 0) return;
    const number = header >= 0 ? /(\d+)\s+\d+$/.exec(head.slice(0, header))?.[1] : undefined;
    yield {
      object: number ? `object ${number}` : `the stream at byte ${start}`,
      data: bytes.subarray(start, end),
    };
    at = end;
  }
}

/** Inflates one stream counting its bytes; resolves at its end, or rejects when `count` throws. */
function inflateCounting(data: Buffer, count: (bytes: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // A truncated or corrupt stream is pdf.js's business (it reads what it can): only its size is ours.
    const inflate = createInflate({ finishFlush: zlib.Z_SYNC_FLUSH });
    inflate.on('data', (chunk: Buffer) => {
      try {
        count(chunk.length);
      } catch (error) {
        inflate.destroy();
        reject(error);
      }
    });
    inflate.on('end', resolve);
    inflate.on('close', resolve);
    inflate.on('error', () => resolve());
    inflate.end(data);
  });
}

/** Throws a `rejected` problem (for the whole document) when a stream of the PDF is a decompression bomb. */
export async function checkPdfStreams(bytes: Buffer, name: string, ctx: ExtractContext): Promise<void> {
  const { maxRatio, ratioFloorBytes, maxPdfBytes } = ctx.limits;
  for (const stream of flateStreams(bytes)) {
    const where = `${name} ${stream.object}`;
    let produced = 0;
    await inflateCounting(stream.data, (chunk) => {
      produced += chunk;
      ctx.addUncompressed(chunk, where);
      if (produced > maxPdfBytes)
        throw new ExtractionProblem(
          'rejected',
          `PDF stream bomb: ${where} inflates past ${maxPdfBytes} bytes, more than pdf.js may hold for one stream`,
          true,
        );
      if (produced > ratioFloorBytes && produced > stream.data.length * maxRatio)
        throw new ExtractionProblem(
          'rejected',
          `PDF stream bomb: ${where} inflates more than ${maxRatio} times its compressed size`,
          true,
        );
    });
  }
}
