/**
 * Character encodings of leaked text files: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), and the two
 * legacy 8-bit code pages most dumps of French and Russian origin use — Windows-1252 (Latin-1 as browsers and
 * Excel read it) and Windows-1251 (Cyrillic).
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'windows-1251';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  /** False when the bytes are not text at all (control bytes, NULs outside UTF-16). */
  text: boolean;
}

function validUtf8(sample: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // The sample may end inside a multi-byte sequence: allow up to 3 bytes cut off.
  for (let cut = 0; cut <= 3 && cut < sample.length; cut++) {
    try {
      decoder.decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      /* try a shorter sample */
    }
  }
  return sample.length === 0;
}

function utf16WithoutBom(sample: Buffer): TextEncodingName | undefined {
  const pairs = Math.floor(Math.min(sample.length, 4096) / 2);
  if (pairs < 8) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) evenZeros++;
    if (sample[2 * i + 1] === 0) oddZeros++;
  }
  if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

function controlRatio(sample: Buffer): number {
  let control = 0;
  for (const byte of sample) {
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f) control++;
  }
  return sample.length === 0 ? 0 : control / sample.length;
}

/** Cyrillic in Windows-1251 is runs of bytes ≥ 0xC0; Western text in Windows-1252 has them alone between ASCII. */
function legacyCodePage(sample: Buffer): TextEncodingName {
  let high = 0;
  let pairs = 0;
  for (let i = 0; i < sample.length; i++) {
    if ((sample[i] as number) >= 0xc0) {
      high++;
      if ((sample[i + 1] ?? 0) >= 0xc0) pairs++;
    }
  }
  return high >= 4 && pairs > high * 0.35 ? 'windows-1251' : 'windows-1252';
}

export function detectEncoding(head: Buffer): DetectedEncoding {
  const sample = head.subarray(0, 64 * 1024);
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return { encoding: 'utf-8', text: true };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', text: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', text: true };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, text: true };
  const text = controlRatio(sample) < 0.02;
  if (validUtf8(sample)) return { encoding: 'utf-8', text };
  return { encoding: legacyCodePage(sample), text };
}

/** Decodes a sample (for sniffing); a UTF-16BE sample is swapped, as TextDecoder only knows little-endian. */
export function decodeHead(head: Buffer, encoding: TextEncodingName): string {
  const decoder = new TextDecoder(encoding === 'utf-16be' ? 'utf-16le' : encoding);
  return decoder.decode(encoding === 'utf-16be' ? swap16(head) : head, { stream: true });
}

function swap16(bytes: Buffer): Buffer {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return Buffer.from(even).swap16();
}

/** Decodes a byte stream to text chunks, multi-byte sequences split across chunks included. BOMs are dropped. */
export async function* decodeStream(
  chunks: AsyncIterable<Buffer>,
  encoding: TextEncodingName,
): AsyncGenerator<string> {
  const big = encoding === 'utf-16be';
  const decoder = new TextDecoder(big ? 'utf-16le' : encoding);
  let odd: Buffer | undefined;
  for await (let chunk of chunks) {
    if (big) {
      if (odd) chunk = Buffer.concat([odd, chunk]);
      odd = chunk.length % 2 === 1 ? chunk.subarray(chunk.length - 1) : undefined;
      chunk = swap16(chunk);
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

export interface LineBatch {
  lines: string[];
  /** Set for pieces of a line longer than the limit, except its first piece. */
  continued?: boolean[];
}

/**
 * Splits a text stream into lines (\n, \r\n or \r), a batch per chunk of text. A line longer than `maxChars` is
 * given in pieces, the later ones marked `continued`, so a file without line breaks cannot fill the memory.
 */
export async function* splitLines(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<LineBatch> {
  let carry = '';
  let continued = false;
  let skipLf = false;
  for await (const chunk of text) {
    const batch: LineBatch = { lines: [] };
    const push = (line: string) => {
      if (continued || batch.continued) {
        batch.continued ??= batch.lines.map(() => false);
        batch.continued.push(continued);
      }
      batch.lines.push(line);
    };
    let data = carry + chunk;
    carry = '';
    let start = 0;
    if (skipLf && data.startsWith('\n')) start = 1;
    skipLf = false;
    // The next \r is looked up again only once passed: most files have none, or one before every \n.
    let cr = data.indexOf('\r', start);
    for (;;) {
      let end = data.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = data.indexOf('\r', start);
      if (cr !== -1 && (end === -1 || cr < end)) end = cr;
      if (end === -1) break;
      push(data.slice(start, end));
      continued = false;
      if (data.charCodeAt(end) === 13) {
        if (end + 1 === data.length) skipLf = true;
        else if (data.charCodeAt(end + 1) === 10) end++;
      }
      start = end + 1;
    }
    data = data.slice(start);
    while (data.length > maxChars) {
      push(data.slice(0, maxChars));
      continued = true;
      data = data.slice(maxChars);
    }
    carry = data;
    if (batch.lines.length > 0) yield batch;
  }
  if (carry) yield continued ? { lines: [carry], continued: [true] } : { lines: [carry] };
}
