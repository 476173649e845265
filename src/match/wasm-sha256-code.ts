/**
 * The WebAssembly code of the keyed hashing (wasm-sha256.ts), generated from instruction lists: the memory layout,
 * the round constants, and the scalar SHA-256 compression (used once per key for the HMAC midstates). The batch loop,
 * in SIMD, is in wasm-sha256-simd.ts; the memory layout is described in wasm-sha256.ts.
 */
// biome-ignore format: one line
import { ADD, c, END, get, LOAD, SET, SHL, STORE, uleb } from './wasm-asm.ts';

const [AND, XOR, SHR_U, ROTR] = [0x71, 0x73, 0x76, 0x78];
export const INNER4 = 0;
export const OUTER4 = 128;
export const SCRATCH_OUT = 256;
export const INNER = 512;
export const OUTER = 544;
export const H = 576;
export const POOL = 1024;
export const POOL_SLOTS = 128;
export const JOBS = 4096;
/** Messages per call. */
export const MAX_JOBS = 4096;
/** A group job: four block pointers, the block count, four output pointers (i32 each). */
export const JOB_WORDS = 9;
/** A group job of messages read in place: four pointers, four lengths × 0x01010101, four bit lengths, four outputs. */
export const DIRECT_JOB_WORDS = 16;
export const DIRECT_JOBS = JOBS + MAX_JOBS * JOB_WORDS * 4;
export const DATA = DIRECT_JOBS + (MAX_JOBS / 4 + 1) * DIRECT_JOB_WORDS * 4;

// biome-ignore format: a table
export const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
// biome-ignore format: a table
export const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

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
export const COMPRESS: Code = [
  1,
  25,
  0x7f,
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => set(1 + i, load(c(H + i * 4)))),
  ...Array.from({ length: 64 }, (_, t) => round(t)).flat(),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => store(c(H + i * 4), add(load(c(H + i * 4)), get(1 + i)))),
  ...c(0),
  END,
];
