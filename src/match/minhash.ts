/**
 * Near-duplicate fingerprints: one-permutation MinHash (128 buckets, densified) over shingles of four folded words,
 * and 32 locality-sensitive bands of 4 buckets. Two contents whose shingle sets have a Jaccard similarity of 0.8 share
 * a band with probability > 0.999; at 0.3, with probability < 0.25 — candidates are then compared on all 128 buckets.
 * Shingles are hashed on the fly from the fold table: no folded copy of the text is made.
 */
import { FOLD_DROP, FOLD_MULTI, FOLD_SEPARATOR, foldTables } from './fold.ts';

export const BUCKETS = 128;
const BAND_ROWS = 4;
const EMPTY = 0xffffffff;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class MinHasher {
  private readonly mins = new Uint32Array(BUCKETS).fill(EMPTY);
  private readonly window = new Uint32Array(4);
  private words = 0;
  shingles = 0;

  /** Adds a text; records of a document are added one after the other, as one stream of words. */
  add(text: string): void {
    const { fold, multi } = foldTables();
    let word = 0x811c9dc5;
    let length = 0;
    for (let i = 0; i <= text.length; i++) {
      const f = i < text.length ? (fold[text.charCodeAt(i)] as number) : FOLD_SEPARATOR;
      if (f > FOLD_MULTI) {
        word = Math.imul(word ^ f, 0x01000193);
        length++;
      } else if (f === FOLD_MULTI) {
        for (const char of multi.get(text.charCodeAt(i)) ?? '')
          word = Math.imul(word ^ char.charCodeAt(0), 0x01000193);
        length++;
      } else if (f !== FOLD_DROP && length > 0) {
        this.push(word >>> 0);
        word = 0x811c9dc5;
        length = 0;
      }
    }
  }

  private push(word: number): void {
    const w = this.window;
    w[this.words & 3] = word;
    this.words++;
    if (this.words < 4) return;
    const k = this.words;
    const h = mix(
      (w[(k - 4) & 3] as number) ^
        mix((w[(k - 3) & 3] as number) ^ mix((w[(k - 2) & 3] as number) ^ mix(w[(k - 1) & 3] as number))),
    );
    const bucket = h & (BUCKETS - 1);
    const value = h >>> 7;
    if (value < (this.mins[bucket] as number)) this.mins[bucket] = value;
    this.shingles++;
  }

  /** The signature, empty buckets filled from the next non-empty one (densification); null for too little text. */
  signature(): Uint32Array | null {
    if (this.shingles < 8) return null;
    const out = new Uint32Array(this.mins);
    for (let b = 0; b < BUCKETS; b++) {
      if (out[b] !== EMPTY) continue;
      for (let step = 1; step < BUCKETS; step++) {
        const from = this.mins[(b + step) % BUCKETS] as number;
        if (from !== EMPTY) {
          out[b] = mix(from + step) >>> 7;
          break;
        }
      }
    }
    return out;
  }
}

export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < BUCKETS; i++) if (a[i] === b[i]) same++;
  return same / BUCKETS;
}

/** 32 band hashes (53-bit integers, safe as bigint columns and JavaScript numbers). */
export function bands(signature: Uint32Array): number[] {
  const out: number[] = [];
  for (let band = 0; band < BUCKETS / BAND_ROWS; band++) {
    let high = mix(band + 1);
    let low = mix(band + 0x9e3779b9);
    for (let r = 0; r < BAND_ROWS; r++) {
      const v = signature[band * BAND_ROWS + r] as number;
      high = mix(high ^ v);
      low = mix(low + v);
    }
    out.push((high >>> 11) * 2 ** 32 + low);
  }
  return out;
}

export function toBytes(signature: Uint32Array): Buffer {
  const buffer = Buffer.alloc(BUCKETS * 4);
  for (let i = 0; i < BUCKETS; i++) buffer.writeUInt32LE(signature[i] as number, i * 4);
  return buffer;
}

export function fromBytes(bytes: Uint8Array): Uint32Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) out[i] = buffer.readUInt32LE(i * 4);
  return out;
}
