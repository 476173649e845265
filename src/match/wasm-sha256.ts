/**
 * HMAC-SHA256 of many short messages, fast: the key's inner and outer pads are compressed once (midstates), so an
 * identifier of up to 55 bytes costs two SHA-256 compressions, run here in WebAssembly, in batches (one call for all
 * the candidates of a record). node:crypto's createHmac spends most of its ~2.5 µs per call on setting up objects and
 * re-hashing the key pads; this path is several times faster and gives the same bytes (tested against it).
 *
 * JavaScript lays each message out padded to whole 64-byte blocks; WebAssembly compresses them from the inner
 * midstate, then compresses the 32-byte inner digest from the outer midstate into the output.
 *
 * Memory: [512..544) inner midstate, [544..576) outer midstate, [576..608) H,
 * [640..704) outer block, [1024..) jobs (block pointer, block count, output pointer), then messages and outputs.
 */
// biome-ignore format: one line
import { ADD, assemble, BLOCK, BR, BR_IF, c, END, GE_U, get, LOAD, LOOP, SET, SHL, STORE, uleb, VOID, type WasmMemory, wasm } from './wasm-asm.ts';

const [AND, XOR, SHR_U, ROTR, MUL, CALL, DROP] = [0x71, 0x73, 0x76, 0x78, 0x6c, 0x10, 0x1a];
const INNER = 512;
const OUTER = 544;
const H = 576;
const OUTER_BLOCK = 640;
const JOBS = 1024;
const MAX_JOBS = 4096;
const DATA = JOBS + MAX_JOBS * 12;

// biome-ignore format: a table
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
// biome-ignore format: a table
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

type Code = number[];
const load = (address: Code, offset = 0): Code => [...address, LOAD, 2, ...uleb(offset)];
const store = (address: Code, value: Code, offset = 0): Code => [
  ...address,
  ...value,
  STORE,
  2,
  ...uleb(offset),
];
const set = (local: number, value: Code): Code => [...value, SET, local];
const op =
  (code: number) =>
  (a: Code, b: Code): Code => [...a, ...b, code];
const [add, and, xor] = [op(ADD), op(AND), op(XOR)];
const rotr = (a: Code, n: number): Code => [...a, ...c(n), ROTR];
const shr = (a: Code, n: number): Code => [...a, ...c(n), SHR_U];
const shl = (a: Code, n: number): Code => [...a, ...c(n), SHL];
/** Big-endian word from / to a little-endian load or store. */
const bswap = (x: Code): Code =>
  xor(xor(shl(x, 24), shl(and(x, c(0xff00)), 8)), xor(and(shr(x, 8), c(0xff00)), shr(x, 24)));

// compress(block): H ← SHA-256 compression of the big-endian block at `block` onto H, fully unrolled: the eight
// working variables rotate roles instead of moving (role i of round t is local 1 + (i − t) mod 8), the message
// schedule is a window of 16 locals, the round constants are immediates.
// Locals: 0 block | 1..8 working variables | 9..24 schedule window | 25 t1.
const working = (role: number, round: number) => 1 + ((((role - round) % 8) + 8) % 8);
const W = (t: number) => 9 + (t % 16);
const T1 = 25;
const sigma = (x: Code, a: number, b: number, shift: number) =>
  xor(xor(rotr(x, a), rotr(x, b)), shr(x, shift));
const Sigma = (x: Code, a: number, b: number, d: number) => xor(xor(rotr(x, a), rotr(x, b)), rotr(x, d));
function round(t: number): Code {
  const [a, b, c_, d, e, f, g, h] = [0, 1, 2, 3, 4, 5, 6, 7].map((role) => working(role, t)) as number[];
  const schedule =
    t < 16
      ? set(W(t), bswap(load(get(0), t * 4)))
      : set(
          W(t),
          add(
            add(get(W(t)), sigma(get(W(t - 15)), 7, 18, 3)),
            add(get(W(t - 7)), sigma(get(W(t - 2)), 17, 19, 10)),
          ),
        );
  const ch = xor(get(g as number), and(get(e as number), xor(get(f as number), get(g as number))));
  const maj = xor(
    and(get(a as number), xor(get(b as number), get(c_ as number))),
    and(get(b as number), get(c_ as number)),
  );
  return [
    ...schedule,
    ...set(
      T1,
      add(
        add(get(h as number), Sigma(get(e as number), 6, 11, 25)),
        add(ch, add(c(K[t] as number), get(W(t)))),
      ),
    ),
    ...set(d as number, add(get(d as number), get(T1))),
    ...set(h as number, add(get(T1), add(Sigma(get(a as number), 2, 13, 22), maj))),
  ];
}
const COMPRESS: Code = [
  1,
  25,
  0x7f,
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => set(1 + i, load(c(H + i * 4)))),
  ...Array.from({ length: 64 }, (_, t) => round(t)).flat(),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => store(c(H + i * 4), add(load(c(H + i * 4)), get(1 + i)))),
  ...c(0),
  END,
];

// hmac(jobs, count): for each job (block pointer, blocks, output pointer) the HMAC into the output, big-endian.
// Locals: 0 jobs, 1 count | 2 job end, 3 block, 4 blocks end, 5 i.
const copy = (from: number, to: number): Code =>
  [0, 4, 8, 12, 16, 20, 24, 28].flatMap((o) => store(c(to + o), load(c(from + o))));
// biome-ignore format: instruction groups, one per line
const HMAC: Code = [
  1, 4, 0x7f,
  ...set(2, add(get(0), [...get(1), ...c(12), MUL])),
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(2), GE_U, BR_IF, 1, // all jobs done
  ...copy(INNER, H),
  ...set(3, load(get(0))), ...set(4, add(get(3), shl(load(get(0), 4), 6))),
  BLOCK, VOID, LOOP, VOID, ...get(3), ...get(4), GE_U, BR_IF, 1, ...get(3), CALL, 0, DROP, ...set(3, add(get(3), c(64))), BR, 0, END, END,
  ...[0, 4, 8, 12, 16, 20, 24, 28].flatMap((o) => store(c(OUTER_BLOCK + o), bswap(load(c(H + o))))),
  ...copy(OUTER, H),
  ...c(OUTER_BLOCK), CALL, 0, DROP,
  ...[0, 4, 8, 12, 16, 20, 24, 28].flatMap((o) => store(load(get(0), 8), bswap(load(c(H + o))), o)),
  ...set(0, add(get(0), c(12))), BR, 0,
  END, END,
  ...c(0), END,
];

let compiled: object | undefined;

/** HMAC-SHA256 under one key, for many short messages. */
export class FastHmac {
  private readonly memory: WasmMemory;
  private readonly run: (jobs: number, count: number) => number;
  private bytes!: Buffer;
  private jobs!: Int32Array;
  private view!: DataView;

  constructor(key: Buffer) {
    if (key.length > 64) throw new Error('FastHmac keys are at most 64 bytes');
    compiled ??= assemble([
      { name: 'compress', params: 1, body: COMPRESS },
      { name: 'hmac', params: 2, body: HMAC },
    ]);
    this.memory = new wasm.Memory({ initial: 16 });
    const { exports } = new wasm.Instance(compiled, { env: { mem: this.memory } });
    this.run = exports.hmac as FastHmac['run'];
    const compress = exports.compress as (block: number) => number;
    this.views();
    for (const [pad, target] of [
      [0x36, INNER],
      [0x5c, OUTER],
    ] as const) {
      new Int32Array(this.memory.buffer, H, 8).set(IV.map((v) => v | 0));
      const block = Buffer.alloc(64, pad);
      for (let i = 0; i < key.length; i++) block[i] = (key[i] as number) ^ pad;
      block.copy(this.bytes, DATA);
      compress(DATA);
      this.bytes.copy(this.bytes, target, H, H + 32);
    }
    // The outer block's tail never changes: 0x80, zeros, and the bit length of (pad block + digest).
    this.bytes.fill(0, OUTER_BLOCK, OUTER_BLOCK + 64);
    this.bytes[OUTER_BLOCK + 32] = 0x80;
    this.bytes.writeUInt32BE((64 + 32) * 8, OUTER_BLOCK + 60);
  }

  private views(): void {
    this.bytes = Buffer.from(this.memory.buffer);
    this.jobs = new Int32Array(this.memory.buffer, JOBS, MAX_JOBS * 3);
    this.view = new DataView(this.memory.buffer);
  }

  /** The HMACs of `messages`, 32 bytes each, concatenated. */
  hashMany(messages: readonly string[]): Uint8Array {
    const out = new Uint8Array(messages.length * 32);
    for (let from = 0; from < messages.length; from += MAX_JOBS) {
      const count = Math.min(MAX_JOBS, messages.length - from);
      let need = DATA + count * 32;
      for (let i = 0; i < count; i++)
        need += ((((messages[from + i] as string).length * 3 + 8) >> 6) + 1) * 64;
      if (need > this.bytes.length) {
        this.memory.grow(Math.ceil((need - this.bytes.length) / 65536));
        this.views();
      }
      const { bytes, jobs, view } = this;
      let at = DATA + count * 32;
      for (let i = 0; i < count; i++) {
        const message = messages[from + i] as string;
        let length = 0;
        // ASCII (most identifiers) is copied by hand: cheaper than Buffer#write for short strings.
        for (; length < message.length; length++) {
          const code = message.charCodeAt(length);
          if (code > 0x7f) break;
          bytes[at + length] = code;
        }
        if (length < message.length) length = bytes.write(message, at, 'utf8');
        const blocks = ((length + 8) >> 6) + 1;
        const end = at + blocks * 64;
        bytes[at + length] = 0x80;
        for (let z = at + length + 1; z < end - 4; z++) bytes[z] = 0; // a loop: Buffer#fill costs more on 50 bytes
        view.setUint32(end - 4, (64 + length) * 8); // big-endian bit length (messages are far below 512 MB)
        jobs[i * 3] = at;
        jobs[i * 3 + 1] = blocks;
        jobs[i * 3 + 2] = DATA + i * 32;
        at = end;
      }
      this.run(JOBS, count);
      out.set(bytes.subarray(DATA, DATA + count * 32), from * 32);
    }
    return out;
  }

  hash(message: string): Buffer {
    return Buffer.from(this.hashMany([message]));
  }
}
