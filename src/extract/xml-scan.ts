/**
 * A small streaming XML tokenizer for Office Open XML parts (DOCX paragraphs, XLSX sheets of a million rows):
 * open/close tags with attributes and decoded text, fed chunk by chunk. Comments, processing instructions and the
 * doctype are skipped; CDATA is text. It does not validate: malformed input gives odd tokens, never a hang.
 */
export type XmlToken =
  | { type: 'open'; name: string; attributes: Record<string, string>; selfClosing: boolean }
  | { type: 'close'; name: string }
  | { type: 'text'; text: string };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[entity] ?? whole;
  });
}

const ATTRIBUTE = /([^\s=/]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

function parseTag(body: string): XmlToken | undefined {
  if (body.startsWith('/')) return { type: 'close', name: body.slice(1).trim() };
  const selfClosing = body.endsWith('/');
  const inner = selfClosing ? body.slice(0, -1) : body;
  const nameEnd = inner.search(/[\s]/);
  const name = nameEnd === -1 ? inner : inner.slice(0, nameEnd);
  if (!name) return undefined;
  const attributes: Record<string, string> = {};
  if (nameEnd !== -1) {
    for (const match of inner.slice(nameEnd).matchAll(ATTRIBUTE))
      attributes[match[1] as string] = decodeEntities(match[3] ?? match[4] ?? '');
  }
  return { type: 'open', name, attributes, selfClosing };
}

export class XmlScanner {
  private carry = '';

  constructor(private readonly maxPending = 8 * 1024 * 1024) {}

  /** Tokens completed by this chunk. */
  *feed(chunk: string): Generator<XmlToken> {
    const data = this.carry + chunk;
    let at = 0;
    for (;;) {
      const open = data.indexOf('<', at);
      if (open === -1) break;
      if (open > at) yield { type: 'text', text: decodeEntities(data.slice(at, open)) };
      at = open;
      let end: number;
      let skip = false;
      let cdata: string | undefined;
      if (data.startsWith('<!--', open)) {
        end = data.indexOf('-->', open + 4);
        if (end !== -1) end += 3;
        skip = true;
      } else if (data.startsWith('<![CDATA[', open)) {
        end = data.indexOf(']]>', open + 9);
        if (end !== -1) {
          cdata = data.slice(open + 9, end);
          end += 3;
        }
      } else if (data.startsWith('<?', open) || data.startsWith('<!', open)) {
        end = data.indexOf('>', open + 2);
        if (end !== -1) end += 1;
        skip = true;
      } else {
        end = data.indexOf('>', open + 1);
        if (end !== -1) end += 1;
      }
      if (end === -1) break;
      at = end;
      if (cdata !== undefined) yield { type: 'text', text: cdata };
      else if (!skip) {
        const token = parseTag(data.slice(open + 1, end - 1));
        if (token) yield token;
      }
    }
    // Text after the last tag is kept until the next '<' (an entity may be split across chunks).
    this.carry = data.slice(at);
    if (this.carry.length > this.maxPending) {
      yield { type: 'text', text: decodeEntities(this.carry) };
      this.carry = '';
    }
  }
}

/** Tokens of a stream of UTF-8 XML, a batch per chunk. */
export async function* scanXml(bytes: AsyncIterable<Buffer>): AsyncGenerator<XmlToken[]> {
  const scanner = new XmlScanner();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const tokens = [...scanner.feed(decoder.decode(chunk, { stream: true }))];
    if (tokens.length > 0) yield tokens;
  }
  const rest = [...scanner.feed(decoder.decode())];
  if (rest.length > 0) yield rest;
}
