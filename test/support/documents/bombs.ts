import { createDeflate, createGzip, type Gzip } from 'node:zlib';

/**
 * Decompression bombs written by tests: `inflatedBytes` of one repeated byte deflated as a stream, so a 1 GB bomb
 * is about 1 MB on disk and never in memory while it is made.
 */
async function squeeze(stream: Gzip, inflatedBytes: number, fill: number | Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const block = typeof fill === 'number' ? Buffer.alloc(1024 * 1024, fill) : repeat(fill, 1024 * 1024);
  for (let left = inflatedBytes; left > 0; left -= block.length) {
    if (!stream.write(left >= block.length ? block : block.subarray(0, left)))
      await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await done;
  return Buffer.concat(chunks);
}

/** A .gz of `inflatedBytes` zeros (or `fill` bytes, or a unit repeated). */
export function gzipBomb(inflatedBytes: number, fill: number | Buffer = 0): Promise<Buffer> {
  return squeeze(createGzip({ level: 9 }), inflatedBytes, fill);
}

function repeat(unit: Buffer, bytes: number): Buffer {
  const block = Buffer.alloc(Math.floor(bytes / unit.length) * unit.length);
  for (let at = 0; at < block.length; at += unit.length) unit.copy(block, at);
  return block;
}

/** A zlib (FlateDecode) stream of `inflatedBytes` of `fill` (a byte, or a unit repeated), as a PDF holds it. */
export function deflateBomb(inflatedBytes: number, fill: number | Buffer = 0x20): Promise<Buffer> {
  return squeeze(createDeflate({ level: 9 }) as unknown as Gzip, inflatedBytes, fill);
}
