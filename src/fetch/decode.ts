/**
 * Leak pages come in UTF-8, Windows-1251, Latin-1 and worse, often without saying so. Decoding order: BOM, the
 * Content-Type charset, a <meta> charset in the first 4 KB, valid UTF-8, then a Cyrillic/Western guess.
 */
export function decodeBody(bytes: Buffer, contentType: string): { text: string; charset: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: decode(bytes.subarray(3), 'utf-8'), charset: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: decode(bytes.subarray(2), 'utf-16le'), charset: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: decode(bytes.subarray(2), 'utf-16be'), charset: 'utf-16be' };

  const declared = charsetOf(contentType) ?? metaCharset(bytes.subarray(0, 4096).toString('latin1'));
  if (declared && isSupported(declared)) {
    // A page that declares UTF-8 but is not (common on hastily built sites) falls through to the guess.
    if (!/^utf-?8$/i.test(declared) || isValidUtf8(bytes))
      return { text: decode(bytes, declared), charset: declared.toLowerCase() };
  }
  if (isValidUtf8(bytes)) return { text: decode(bytes, 'utf-8'), charset: 'utf-8' };
  const guess = looksCyrillic1251(bytes) ? 'windows-1251' : 'windows-1252';
  return { text: decode(bytes, guess), charset: guess };
}

function decode(bytes: Uint8Array, charset: string): string {
  return new TextDecoder(charset).decode(bytes);
}

function charsetOf(contentType: string): string | undefined {
  return /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
}

function metaCharset(head: string): string | undefined {
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
}

function isSupported(charset: string): boolean {
  try {
    new TextDecoder(charset);
    return true;
  } catch {
    return false;
  }
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** In Windows-1251 Russian text, most high bytes are letters 0xC0–0xFF; in Western text they are rarer accents. */
function looksCyrillic1251(bytes: Uint8Array): boolean {
  let high = 0;
  let letters = 0;
  for (const byte of bytes) {
    if (byte >= 0x80) {
      high++;
      if (byte >= 0xc0) letters++;
    }
  }
  return high > 20 && letters / high > 0.8 && high / bytes.length > 0.15;
}

/** The content type to trust: the header, unless it is missing or generic and the body says otherwise. */
export function sniffContentType(header: string | undefined, bytes: Buffer): string {
  const declared = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const generic = declared === '' || declared === 'application/octet-stream' || declared === 'text/plain';
  if (!generic) return declared;
  const start = bytes.subarray(0, 512).toString('latin1').trimStart();
  if (start.startsWith('%PDF-')) return 'application/pdf';
  if (start.startsWith('PK\u0003\u0004')) return 'application/zip';
  if (/^[[{]/.test(start)) return 'application/json';
  if (/^<(!doctype html|html|head|body|div|table|meta)/i.test(start)) return 'text/html';
  return declared || 'application/octet-stream';
}
