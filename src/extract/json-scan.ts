/**
 * Finds the "rows" of a JSON document of any size without parsing it whole: the elements of a top-level array, the
 * elements of each array under a top-level key (`{"users": [...], "orders": [...]}` → sheets users and orders), and
 * the other top-level properties as single values. Each one is handed over as raw text for JSON.parse.
 */
export interface JsonValue {
  /** The top-level key whose array holds this row, or whose value this is. */
  sheet?: string;
  /** True for a top-level property that is not an array (a value, not a row). */
  property: boolean;
  raw: string;
  /** The value was longer than the limit and is cut (raw is a prefix). */
  cut: boolean;
}

interface Frame {
  type: 'object' | 'array';
  key?: string;
  expectKey: boolean;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export class JsonRowScanner {
  private readonly stack: Frame[] = [];
  private inString = false;
  private escaped = false;
  private readingKey = false;
  private keyText = '';
  /** Collection of the current row value. */
  private collecting = false;
  private collectDepth = 0;
  private scalar = false;
  private parts: string[] = [];
  private length = 0;
  private cut = false;
  private current: Omit<JsonValue, 'raw' | 'cut'> | undefined;
  readonly out: JsonValue[] = [];

  constructor(private readonly maxChars: number) {}

  private rowContext(): Omit<JsonValue, 'raw' | 'cut'> | undefined {
    const [first, second] = this.stack;
    if (this.stack.length === 0) return { property: true };
    if (this.stack.length === 1 && first?.type === 'array') return { property: false };
    if (this.stack.length === 1 && first?.type === 'object')
      return { sheet: first.key ?? '', property: true };
    if (this.stack.length === 2 && first?.type === 'object' && second?.type === 'array')
      return { sheet: first.key ?? '', property: false };
    return undefined;
  }

  private begin(at: number, scalar: boolean): void {
    this.current = this.rowContext();
    if (!this.current) return;
    this.collecting = true;
    this.collectDepth = this.stack.length;
    this.scalar = scalar;
    this.parts = [];
    this.length = 0;
    this.cut = false;
    this.mark = at;
  }

  /** Where the current value starts in the current chunk (0 when it started in an earlier chunk). */
  private mark = 0;

  private keep(piece: string): void {
    if (this.cut) return;
    if (this.length + piece.length > this.maxChars) {
      this.parts.push(piece.slice(0, this.maxChars - this.length));
      this.cut = true;
      return;
    }
    this.parts.push(piece);
    this.length += piece.length;
  }

  private end(chunk: string, at: number): void {
    this.keep(chunk.slice(this.mark, at));
    this.out.push({
      ...(this.current as Omit<JsonValue, 'raw' | 'cut'>),
      raw: this.parts.join(''),
      cut: this.cut,
    });
    this.collecting = false;
    this.parts = [];
  }

  feed(chunk: string): void {
    this.mark = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i] as string;
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          if (this.readingKey) this.keyText += c;
          continue;
        }
        if (c === '\\') {
          this.escaped = true;
          if (this.readingKey) this.keyText += c;
          continue;
        }
        if (c !== '"') {
          if (this.readingKey) this.keyText += c;
          continue;
        }
        this.inString = false;
        if (this.readingKey) {
          this.readingKey = false;
          const frame = this.stack.at(-1) as Frame;
          try {
            frame.key = JSON.parse(`"${this.keyText}"`) as string;
          } catch {
            frame.key = this.keyText;
          }
          frame.expectKey = false;
        } else if (this.collecting && this.scalar) this.end(chunk, i + 1);
        continue;
      }
      if (this.collecting && this.scalar && (c === ',' || c === ']' || c === '}' || WHITESPACE.has(c))) {
        this.end(chunk, i);
      }
      const top = this.stack.at(-1);
      switch (c) {
        case '"':
          this.inString = true;
          if (top?.type === 'object' && top.expectKey) {
            this.readingKey = true;
            this.keyText = '';
          } else if (!this.collecting) this.begin(i, true);
          break;
        case '{':
        case '[':
          // The top-level container and arrays under top-level keys are walked into, not collected.
          if (
            !this.collecting &&
            this.stack.length > 0 &&
            !(c === '[' && this.stack.length === 1 && top?.type === 'object')
          )
            this.begin(i, false);
          this.stack.push({ type: c === '{' ? 'object' : 'array', expectKey: c === '{' });
          break;
        case '}':
        case ']':
          this.stack.pop();
          if (this.collecting && !this.scalar && this.stack.length === this.collectDepth)
            this.end(chunk, i + 1);
          break;
        case ',':
          if (top?.type === 'object') top.expectKey = true;
          break;
        case ':':
          break;
        default:
          if (!WHITESPACE.has(c) && !this.collecting) this.begin(i, true);
      }
    }
    if (this.collecting) this.keep(chunk.slice(this.mark));
  }

  /** The input ended: a top-level scalar without a delimiter after it. */
  finish(): void {
    if (this.collecting && this.scalar) this.end('', 0);
  }
}
