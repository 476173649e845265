/**
 * HMAC-SHA256 of many short messages, fast: the key's inner and outer pads are compressed once (midstates), so an
 * identifier of up to 55 bytes costs two SHA-256 compressions, run here in WebAssembly, in batches (one call for all
 * the candidates of several records), four messages at a time in the four 32-bit lanes of SIMD registers. node:crypto's
 * createHmac spends most of its ~2.5 µs per call on setting up objects and re-hashing the key pads; this path is
 * several times faster and gives the same bytes (tested against it).
 *
 * JavaScript joins a batch's messages into one string and writes it to WebAssembly memory in one call (copying
 * character by character cost ~100 ns per identifier). Messages of at most 55 bytes (nearly all) are hashed where
 * they lie in that stream, four by four, padded on the fly (wasm-sha256-simd.ts); longer ones are laid out padded to
 * whole 64-byte blocks and grouped by block count. A group short of four repeats a message into a scratch output.
 * Each group's inner block(s) are compressed from the inner midstate, then the inner digests, still in registers,
 * from the outer midstate, and the four digests written to their outputs. The scalar compression only computes the
 * midstates.
 *
 * Memory: [0..128) inner midstate, [128..256) outer midstate, each word splatted over four lanes; [256..288) scratch
 * output; [512..544) scalar inner midstate, [544..576) outer, [576..608) scalar state; [1024..) the pool of splatted
 * constants; [4096..) group jobs of padded messages (block pointers, block count, output pointers), then jobs of
 * messages hashed in place (pointers, lengths, bit lengths, output pointers); then outputs, the stream of messages,
 * padded messages.
 */
import { assemble, type WasmMemory, wasm } from './wasm-asm.ts';
import {
  COMPRESS,
  DATA,
  DIRECT_JOB_WORDS,
  DIRECT_JOBS,
  H,
  INNER,
  INNER4,
  IV,
  JOB_WORDS,
  JOBS,
  MAX_JOBS,
  OUTER,
  OUTER4,
  POOL,
  SCRATCH_OUT,
} from './wasm-sha256-code.ts';
import { HMAC, HMAC_DIRECT, poolValues } from './wasm-sha256-simd.ts';

let compiled: object | undefined;
const NON_ASCII = /[\u0080-\uffff]/;

/** Writes `text` as UTF-8 at `at`; returns the byte count. ASCII (most identifiers) is copied by hand: cheaper than
 * Buffer#write for short strings. */
function writeUtf8(bytes: Buffer, at: number, text: string): number {
  let length = 0;
  for (; length < text.length; length++) {
    const code = text.charCodeAt(length);
    if (code > 0x7f) return bytes.write(text, at, 'utf8');
    bytes[at + length] = code;
  }
  return length;
}

/** HMAC-SHA256 under one key, for many short messages. */
export class FastHmac {
  private readonly memory: WasmMemory;
  private readonly run: (jobs: number, count: number) => number;
  private readonly runDirect: (jobs: number, count: number) => number;
  private bytes!: Buffer;
  private jobs!: Int32Array;
  private view!: DataView;
  private words!: Int32Array;
  /** Per padded message of a batch: where its blocks start, how many there are, where its HMAC goes. */
  private readonly starts = new Int32Array(MAX_JOBS);
  private readonly blocks = new Int32Array(MAX_JOBS);
  private readonly outs = new Int32Array(MAX_JOBS);
  /** Per message of a batch, its length in bytes (in UTF-16 units until known not to be ASCII). */
  private readonly lengths = new Int32Array(MAX_JOBS);

  constructor(key: Buffer) {
    if (key.length > 64) throw new Error('FastHmac keys are at most 64 bytes');
    compiled ??= assemble([
      { name: 'compress', params: 1, body: COMPRESS },
      { name: 'hmac', params: 2, body: HMAC },
      { name: 'hmacDirect', params: 2, body: HMAC_DIRECT },
    ]);
    this.memory = new wasm.Memory({ initial: 16 });
    const { exports } = new wasm.Instance(compiled, { env: { mem: this.memory } });
    this.run = exports.hmac as FastHmac['run'];
    this.runDirect = exports.hmacDirect as FastHmac['run'];
    const compress = exports.compress as (block: number) => number;
    this.views();
    for (const [pad, target, target4] of [
      [0x36, INNER, INNER4],
      [0x5c, OUTER, OUTER4],
    ] as const) {
      new Int32Array(this.memory.buffer, H, 8).set(IV.map((v) => v | 0));
      const block = Buffer.alloc(64, pad);
      for (let i = 0; i < key.length; i++) block[i] = (key[i] as number) ^ pad;
      block.copy(this.bytes, DATA);
      compress(DATA);
      this.bytes.copy(this.bytes, target, H, H + 32);
      const words = new Int32Array(this.memory.buffer, target, 8);
      const lanes = new Int32Array(this.memory.buffer, target4, 32);
      for (let i = 0; i < 32; i++) lanes[i] = words[i >> 2] as number;
    }
    const constants = new Int32Array(this.memory.buffer, POOL, poolValues.length * 4);
    for (let i = 0; i < constants.length; i++) constants[i] = poolValues[i >> 2] as number;
  }

  private views(): void {
    this.bytes = Buffer.from(this.memory.buffer);
    this.jobs = new Int32Array(this.memory.buffer, JOBS, MAX_JOBS * JOB_WORDS);
    this.view = new DataView(this.memory.buffer);
    this.words = new Int32Array(this.memory.buffer);
  }

  /**
   * The HMACs of `messages`, 32 bytes each, concatenated; with `prefixes`, message i is `prefixes[i] + messages[i]`,
   * written one after the other (joining them first would make a string to copy for each, ~100 ns).
   */
  hashMany(messages: readonly string[], prefixes?: readonly string[]): Uint8Array {
    if (messages.length <= MAX_JOBS) {
      this.hashChunk(messages, prefixes, 0, messages.length);
      // One allocation and copy (a new array and a set would zero it first).
      return new Uint8Array(this.memory.buffer.slice(DATA, DATA + messages.length * 32));
    }
    const out = new Uint8Array(messages.length * 32);
    for (let from = 0; from < messages.length; from += MAX_JOBS) {
      const count = Math.min(MAX_JOBS, messages.length - from);
      this.hashChunk(messages, prefixes, from, count);
      out.set(this.bytes.subarray(DATA, DATA + count * 32), from * 32);
    }
    return out;
  }

  /** The HMACs of messages [from, from + count) to [DATA, DATA + count × 32). */
  private hashChunk(
    messages: readonly string[],
    prefixes: readonly string[] | undefined,
    from: number,
    count: number,
  ): void {
    // All the messages in one string, written in one call: far cheaper than copying them character by character.
    // Memory for them (UTF-8: at most 3 bytes per UTF-16 unit) and, for the longer ones, their padded blocks.
    let text = '';
    let need = DATA + count * 32 + 128;
    for (let i = 0; i < count; i++) {
      const prefix = prefixes ? (prefixes[from + i] as string) : '';
      const message = messages[from + i] as string;
      text += prefix;
      text += message;
      const length = prefix.length + message.length;
      this.lengths[i] = length;
      need += length * 3 + (((length * 3 + 8) >> 6) + 1) * 64;
    }
    if (need > this.bytes.length) {
      this.memory.grow(Math.ceil((need - this.bytes.length) / 65536));
      this.views();
    }
    const stream = DATA + count * 32;
    const written = this.bytes.write(text, stream, 'utf8');
    const blocksAt = (stream + text.length * 3 + 64 + 63) & ~63;
    let padded: number;
    if (written === text.length || this.byteLengths(messages, prefixes, from, count, written))
      padded = this.layOutStream(count, stream, blocksAt);
    else padded = this.layOut(messages, prefixes, from, count, blocksAt);
    if (padded) this.run(JOBS, this.groups(padded));
  }

  /**
   * Not all ASCII (the stream's byte count is not its length): `lengths` ← the messages' UTF-8 byte counts. False
   * when they do not add up to the stream's: a surrogate pair cut between two strings became one character there,
   * where the strings encoded apart give two U+FFFD.
   */
  private byteLengths(
    messages: readonly string[],
    prefixes: readonly string[] | undefined,
    from: number,
    count: number,
    written: number,
  ): boolean {
    const { lengths } = this;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const prefix = prefixes ? (prefixes[from + i] as string) : '';
      const message = messages[from + i] as string;
      if (NON_ASCII.test(prefix) || NON_ASCII.test(message))
        lengths[i] = Buffer.byteLength(prefix) + Buffer.byteLength(message);
      total += lengths[i] as number;
    }
    return total === written;
  }

  /**
   * Messages written one after the other from `stream`, `lengths` bytes each: those of at most 55 bytes (one block
   * with the padding, nearly all) hashed where they lie, four by four; the longer ones laid out padded from `at`.
   * Returns their count.
   */
  private layOutStream(count: number, stream: number, at: number): number {
    const { bytes, words, lengths } = this;
    let direct = 0;
    let padded = 0;
    for (let i = 0; i < count; i++) {
      const length = lengths[i] as number;
      if (length <= 55) {
        const job = (DIRECT_JOBS >> 2) + (direct >> 2) * DIRECT_JOB_WORDS + (direct & 3);
        words[job] = stream;
        words[job + 4] = length * 0x01010101;
        words[job + 8] = (64 + length) * 8;
        words[job + 12] = DATA + i * 32;
        direct++;
      } else {
        bytes.copy(bytes, at, stream, stream + length);
        at = this.pad(padded++, at, length, DATA + i * 32);
      }
      stream += length;
    }
    // A group short of four repeats its first message into the scratch output.
    const last = (DIRECT_JOBS >> 2) + (direct >> 2) * DIRECT_JOB_WORDS;
    for (let lane = direct & 3; lane > 0 && lane < 4; lane++) {
      for (let k = 0; k < 12; k += 4) words[last + k + lane] = words[last + k] as number;
      words[last + 12 + lane] = SCRATCH_OUT;
    }
    if (direct) this.runDirect(DIRECT_JOBS, (direct + 3) >> 2);
    return padded;
  }

  /** Each string encoded apart, the messages laid out padded to whole blocks from `at`; returns their count. */
  private layOut(
    messages: readonly string[],
    prefixes: readonly string[] | undefined,
    from: number,
    count: number,
    at: number,
  ): number {
    const { bytes } = this;
    for (let i = 0; i < count; i++) {
      let length = prefixes ? writeUtf8(bytes, at, prefixes[from + i] as string) : 0;
      length += writeUtf8(bytes, at + length, messages[from + i] as string);
      at = this.pad(i, at, length, DATA + i * 32);
    }
    return count;
  }

  /**
   * Pads padded message `k`, `length` bytes written at `at`, to whole 64-byte blocks (0x80, zeros, the big-endian bit
   * length of pad block + message; messages are far below 512 MB) and records its blocks and output. Returns where the
   * next one goes.
   */
  private pad(k: number, at: number, length: number, out: number): number {
    const n = ((length + 8) >> 6) + 1;
    this.bytes.fill(0, at + length, at + n * 64);
    this.bytes[at + length] = 0x80;
    this.view.setUint32(at + n * 64 - 4, (64 + length) * 8);
    this.starts[k] = at;
    this.blocks[k] = n;
    this.outs[k] = out;
    return at + n * 64;
  }

  /**
   * Writes the group jobs of the `count` padded messages: those of the same block count four by four, the last group
   * of a count filled up with its first message and the scratch output.
   */
  private groups(count: number): number {
    const { jobs, starts, blocks, outs } = this;
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => (blocks[a] as number) - (blocks[b] as number) || a - b,
    );
    let groups = 0;
    for (let k = 0; k < count; ) {
      const first = order[k] as number;
      const n = blocks[first] as number;
      const job = groups++ * JOB_WORDS;
      jobs[job + 4] = n;
      for (let lane = 0; lane < 4; lane++) {
        const i = k < count ? (order[k] as number) : -1;
        if (i >= 0 && blocks[i] === n) {
          jobs[job + lane] = starts[i] as number;
          jobs[job + 5 + lane] = outs[i] as number;
          k++;
        } else {
          jobs[job + lane] = starts[first] as number;
          jobs[job + 5 + lane] = SCRATCH_OUT;
        }
      }
    }
    return groups;
  }

  hash(message: string): Buffer {
    return Buffer.from(this.hashMany([message]));
  }
}
