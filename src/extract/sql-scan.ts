/**
 * A streaming reader of SQL dumps (mysqldump, pg_dump, phpMyAdmin exports): the tuples of INSERT … VALUES
 * statements and the lines of COPY … FROM stdin blocks, as rows of their table, with the column names of the INSERT
 * or of the table's CREATE TABLE. Statements are never held whole: an extended INSERT of 1 GB streams tuple by tuple.
 */
export interface SqlRow {
  table: string;
  columns: string[] | undefined;
  cells: string[];
  /** 1-based line of the file where the tuple starts. */
  line: number;
  cut: boolean;
}

type Mode = 'statement' | 'values' | 'copy';

const MAX_STATEMENT_HEAD = 64 * 1024;
const INSERT =
  /^\s*(?:insert|replace)\s+(?:(?:low_priority|delayed|high_priority|ignore)\s+)*into\s+([^\s(]+)\s*(?:\(([^)]*)\))?\s*values\s*$/i;
const COPY = /^\s*copy\s+([^\s(]+)\s*(?:\(([^)]*)\))?\s+from\s+stdin/i;
const CREATE = /^\s*create\s+(?:temporary\s+)?table\s+(?:if\s+not\s+exists\s+)?([^\s(]+)\s*\(/i;

export function unquoteName(name: string): string {
  return name
    .split('.')
    .map((part) => part.replace(/^[`"[]|[`"\]]$/g, ''))
    .join('.');
}

const columnList = (text: string | undefined) =>
  text ? text.split(',').map((c) => unquoteName(c.trim())) : undefined;

/** Column names of a CREATE TABLE body (constraints and keys skipped). */
function createColumns(statement: string): string[] {
  const open = statement.indexOf('(');
  const close = statement.lastIndexOf(')');
  const body = statement.slice(open + 1, close > open ? close : undefined);
  const columns: string[] = [];
  let depth = 0;
  let start = 0;
  const take = (part: string) => {
    const name = /^\s*([`"[]?[^\s`"\]]+[`"\]]?)/.exec(part)?.[1];
    if (name && !/^(primary|key|unique|constraint|index|foreign|check|fulltext|spatial|exclude)$/i.test(name))
      columns.push(unquoteName(name));
  };
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) {
      take(body.slice(start, i));
      start = i + 1;
    }
  }
  take(body.slice(start));
  return columns;
}

const COPY_ESCAPES: Record<string, string> = {
  t: '\t',
  n: '\n',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
};
const MYSQL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', Z: '\x1a', b: '\b' };

export class SqlScanner {
  readonly out: SqlRow[] = [];
  private readonly tables = new Map<string, string[]>();
  private mode: Mode = 'statement';
  private head = '';
  private line = 1;
  /** In statement mode: inside a quote (', ", `), a -- or # comment, or a block comment. */
  private quote = '';
  private lineComment = false;
  private blockComment = false;
  private escaped = false;
  private table = '';
  private columns: string[] | undefined;
  // values mode
  private depth = 0;
  private cells: string[] = [];
  private cell = '';
  private inValueString = false;
  private tupleLine = 0;
  private tupleSize = 0;
  private cut = false;
  private copyLine = '';

  constructor(private readonly maxChars: number) {}

  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (this.mode === 'copy') this.copyChar(c);
      else if (this.mode === 'values') this.valueChar(c);
      else this.statementChar(c, chunk[i + 1]);
      if (c === '\n') this.line++;
    }
  }

  private statementChar(c: string, next: string | undefined): void {
    if (this.lineComment) {
      if (c === '\n') this.lineComment = false;
      return;
    }
    if (this.blockComment) {
      if (c === '/' && this.prevStar) this.blockComment = false;
      this.prevStar = c === '*';
      return;
    }
    if (this.quote) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\' && this.quote === "'") this.escaped = true;
      else if (c === this.quote) this.quote = '';
      if (this.head.length < MAX_STATEMENT_HEAD) this.head += c;
      return;
    }
    if ((c === '-' && next === '-' && /(^|\s)$/.test(this.head)) || (c === '#' && this.head.trim() === '')) {
      this.lineComment = true;
      return;
    }
    if (c === '/' && next === '*') {
      this.blockComment = true;
      this.prevStar = false;
      return;
    }
    if (c === "'" || c === '"' || c === '`') this.quote = c;
    if (c === ';') {
      this.endStatement();
      return;
    }
    if (c === '(') {
      const insert = INSERT.exec(this.head);
      if (insert) {
        this.table = unquoteName(insert[1] as string);
        this.columns = columnList(insert[2]) ?? this.tables.get(this.table);
        this.mode = 'values';
        this.head = '';
        this.startTuple();
        return;
      }
    }
    if (this.head.length < MAX_STATEMENT_HEAD) this.head += c;
  }

  private prevStar = false;

  private endStatement(): void {
    const statement = this.head;
    this.head = '';
    const create = CREATE.exec(statement);
    if (create) this.tables.set(unquoteName(create[1] as string), createColumns(statement));
    const copy = COPY.exec(statement);
    if (copy) {
      this.table = unquoteName(copy[1] as string);
      this.columns = columnList(copy[2]) ?? this.tables.get(this.table);
      this.mode = 'copy';
      this.copyLine = '';
      this.skipNewline = true;
    }
  }

  private skipNewline = false;

  private startTuple(): void {
    this.depth = 1;
    this.cells = [];
    this.cell = '';
    this.tupleLine = this.line;
    this.tupleSize = 0;
    this.cut = false;
  }

  private addChar(c: string): void {
    if (this.tupleSize++ < this.maxChars) this.cell += c;
    else this.cut = true;
  }

  private valueChar(c: string): void {
    if (this.inValueString) {
      if (this.escaped) {
        this.escaped = false;
        this.addChar(MYSQL_ESCAPES[c] ?? c);
      } else if (c === '\\') this.escaped = true;
      else if (c === "'") {
        this.inValueString = false;
        this.justClosed = true;
      } else this.addChar(c);
      return;
    }
    if (this.depth === 0) {
      if (c === '(') this.startTuple();
      else if (c === ';') this.mode = 'statement';
      return;
    }
    if (c === "'") {
      // 'O''Brien': a quote right after a closing quote is a quote inside the string.
      if (this.justClosed) this.addChar("'");
      this.justClosed = false;
      this.inValueString = true;
      return;
    }
    this.justClosed = false;
    if (c === '(') this.depth++;
    else if (c === ')') {
      this.depth--;
      if (this.depth === 0) {
        this.pushCell();
        this.out.push({
          table: this.table,
          columns: this.columns,
          cells: this.cells,
          line: this.tupleLine,
          cut: this.cut,
        });
        return;
      }
    } else if (c === ',' && this.depth === 1) {
      this.pushCell();
      return;
    }
    if (c !== '\n' && c !== '\r' && !(this.cell === '' && (c === ' ' || c === '\t'))) this.addChar(c);
  }

  private justClosed = false;

  private pushCell(): void {
    const value = this.cell.trimEnd();
    this.cells.push(/^null$/i.test(value) ? '' : value);
    this.cell = '';
  }

  private copyChar(c: string): void {
    if (this.skipNewline) {
      this.skipNewline = false;
      if (c === '\n') return;
    }
    if (c !== '\n') {
      if (this.copyLine.length < this.maxChars) this.copyLine += c;
      return;
    }
    const line = this.copyLine.replace(/\r$/, '');
    this.copyLine = '';
    if (line === '\\.') {
      this.mode = 'statement';
      return;
    }
    const cells = line
      .split('\t')
      .map((cell) => (cell === '\\N' ? '' : cell.replace(/\\(.)/g, (_, e: string) => COPY_ESCAPES[e] ?? e)));
    this.out.push({ table: this.table, columns: this.columns, cells, line: this.line, cut: false });
  }
}
