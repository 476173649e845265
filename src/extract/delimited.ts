/**
 * Delimited text (CSV, TSV, `;`-separated exports of French software): an incremental parser fed line by line,
 * quoted fields with embedded delimiters, doubled quotes and line breaks; dialect (delimiter, header) detection.
 */
export class DelimitedParser {
  private cells: string[] = [];
  private field = '';
  private inQuotes = false;
  private atFieldStart = true;
  /** The current record ran past the size limit while in quotes (a quote never closed). */
  cut = false;

  constructor(
    private readonly delimiter: string,
    private readonly maxChars: number,
  ) {}

  /** Feeds one line; returns the record's cells when the line completes it, undefined while a quote is open. */
  feed(line: string): string[] | undefined {
    if (!this.inQuotes && this.cells.length === 0 && !line.includes('"')) return line.split(this.delimiter);
    const d = this.delimiter;
    let i = 0;
    if (this.inQuotes) this.field += '\n';
    for (;;) {
      if (this.inQuotes) {
        const quote = line.indexOf('"', i);
        if (quote === -1) {
          this.field += line.slice(i);
          if (this.field.length + this.size() > this.maxChars) return this.flushCut();
          return undefined;
        }
        if (line.charCodeAt(quote + 1) === 34) {
          this.field += line.slice(i, quote + 1);
          i = quote + 2;
          continue;
        }
        this.field += line.slice(i, quote);
        this.inQuotes = false;
        i = quote + 1;
        continue;
      }
      if (this.atFieldStart && line.charCodeAt(i) === 34) {
        this.inQuotes = true;
        this.atFieldStart = false;
        i++;
        continue;
      }
      const next = line.indexOf(d, i);
      if (next === -1) {
        this.field += line.slice(i);
        return this.finish();
      }
      this.field += line.slice(i, next);
      this.cells.push(this.field);
      this.field = '';
      this.atFieldStart = true;
      i = next + d.length;
    }
  }

  private size(): number {
    let total = 0;
    for (const cell of this.cells) total += cell.length;
    return total;
  }

  private finish(): string[] {
    this.cells.push(this.field);
    const cells = this.cells;
    this.cells = [];
    this.field = '';
    this.inQuotes = false;
    this.atFieldStart = true;
    return cells;
  }

  private flushCut(): string[] {
    this.cut = true;
    this.field = this.field.slice(0, this.maxChars);
    return this.finish();
  }

  /** What is left at the end of the input (an unclosed quote). */
  end(): string[] | undefined {
    if (this.cells.length === 0 && this.field === '' && !this.inQuotes) return undefined;
    return this.finish();
  }
}

export interface Dialect {
  delimiter: string;
  hasHeader: boolean;
  /** Cells per record most records have, and the share of records that have it. */
  width: number;
  consistency: number;
  records: number;
}

const DELIMITERS = [',', ';', '\t', '|'];

/** Records of the sample lines; without `quotes`, each line is one record (a stray quote must not hide the shape). */
function recordsOf(lines: readonly string[], delimiter: string, quotes: boolean): string[][] {
  const parser = new DelimitedParser(delimiter, 1_000_000);
  const records: string[][] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const cells = quotes ? parser.feed(line) : line.split(delimiter);
    if (cells) records.push(cells);
  }
  return records;
}

const HEADER_WORDS =
  /^(e-?mail|mail|courriel|login|user(name)?|utilisateur|identifiant|id|uid|pass(word|wd)?|mot ?de ?passe|mdp|hash|salt|nom|prenom|name|first ?name|last ?name|full ?name|surname|phone|telephone|tel|mobile|portable|date|dob|birth(day|date)?|date ?de ?naissance|naissance|adresse|address|city|ville|code ?postal|zip|cp|country|pays|nir|ssn|secu|iban|bic|sexe|gender|civilite|age|company|societe|ip|created(_at)?|updated(_at)?)$/;

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[_.-]+/g, ' ')
    .trim();

const dataLike = (cell: string) => /\d/.test(cell) || cell.includes('@');

/** Python's csv.Sniffer idea, tuned for leaked exports: header words, or a first row unlike the rows below. */
export function hasHeader(records: readonly string[][]): boolean {
  const [first, ...rest] = records;
  if (!first || rest.length === 0) return false;
  const cells = first.map((cell) => cell.trim());
  if (
    cells.some(
      (cell) => cell === '' || cell.length > 60 || cell.includes('@') || /^[\d\s.,:/+-]+$/.test(cell),
    )
  )
    return false;
  if (new Set(cells).size !== cells.length) return false;
  if (cells.some((cell) => HEADER_WORDS.test(fold(cell)))) return true;
  let votes = 0;
  cells.forEach((cell, column) => {
    const below = rest.map((row) => row[column] ?? '').filter((value) => value !== '');
    if (below.length === 0) return;
    if (!dataLike(cell) && below.filter(dataLike).length >= below.length * 0.6) votes++;
  });
  return votes >= 1;
}

/** The dialect of a sample (the first lines of the file). */
export function sniffDialect(sample: string): Dialect {
  const lines = sample.split(/\r\n|\n|\r/);
  if (lines.length > 1) lines.pop(); // probably cut in the middle
  const head = lines.slice(0, 200);
  let best:
    | { delimiter: string; score: number; records: string[][]; width: number; consistency: number }
    | undefined;
  for (const [delimiter, quotes] of DELIMITERS.flatMap((d) => [[d, true] as const, [d, false] as const])) {
    const records = recordsOf(head, delimiter, quotes);
    if (records.length < 2 && quotes) continue;
    if (records.length === 0) continue;
    const widths = new Map<number, number>();
    for (const record of records) widths.set(record.length, (widths.get(record.length) ?? 0) + 1);
    const [width, count] = [...widths.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] as [
      number,
      number,
    ];
    if (width < 2) continue;
    const consistency = count / records.length;
    const score = consistency * Math.min(width, 10);
    if (!best || score > best.score + 1e-9) best = { delimiter, score, records, width, consistency };
  }
  if (!best) return { delimiter: ',', hasHeader: false, width: 1, consistency: 0, records: 0 };
  return {
    delimiter: best.delimiter,
    hasHeader: hasHeader(best.records.slice(0, 50)),
    width: best.width,
    consistency: best.consistency,
    records: best.records.length,
  };
}
