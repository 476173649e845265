import { createDeflate, createGzip, type Gzip } from 'node:zlib';

/**
 * Decompression bombs written by tests: `inflatedBytes` of one repeated byte deflated as a stream, so a 1 GB bomb
 * is about 1 MB on disk and never in memory while it is made.
 */
async function squeeze(stream: Gzip, inflatedBytes: number, fill: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024, fill);
  for (let left = inflatedBytes; left > 0; left -= block.length) {
    if (!stream.write(left >= block.length ? block : block.subarray(0, left)))
      await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await done;
  return Buffer.concat(chunks);
}

/** A .gz of `inflatedBytes` zeros (or `fill` bytes). */
export function gzipBomb(inflatedBytes: number, fill = 0): Promise<Buffer> {
  return squeeze(createGzip({ level: 9 }), inflatedBytes, fill);
}

/** A zlib (FlateDecode) stream of `inflatedBytes` `fill` bytes, as a PDF holds it. */
export function deflateBomb(inflatedBytes: number, fill = 0x20): Promise<Buffer> {
  return squeeze(createDeflate({ level: 9 }) as unknown as Gzip, inflatedBytes, fill);
}
