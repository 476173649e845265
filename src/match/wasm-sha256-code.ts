/**
 * The WebAssembly code of the keyed hashing (wasm-sha256.ts), generated from instruction lists: the scalar SHA-256
 * compression (used once per key for the HMAC midstates), the same compression on four messages in the 32-bit lanes
 * of SIMD registers, and the batch HMAC loop over groups of four messages. The memory layout is described in
 * wasm-sha256.ts.
 */
// biome-ignore format: one line
import { ADD, BLOCK, BR, BR_IF, c, END, GE_U, get, LOAD, LOOP, SET, SHL, STORE, uleb, VOID } from './wasm-asm.ts';

const [AND, XOR, SHR_U, ROTR, MUL, CALL, DROP] = [0x71, 0x73, 0x76, 0x78, 0x6c, 0x10, 0x1a];
export const INNER = 512;
export const OUTER = 544;
export const H = 576;
export const INNER4 = 0;
export const OUTER4 = 128;
export const H4 = 256;
export const SCRATCH_OUT = 384;
export const OUTER_BLOCKS4 = 704;
export const JOBS = 1024;
export const MAX_JOBS = 4096;
/** A group job: four block pointers, the block count, four output pointers (i32 each). */
export const JOB_WORDS = 9;
export const DATA = JOBS + MAX_JOBS * JOB_WORDS * 4;

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

// The same compression on four messages at once: v128 values, one message per 32-bit lane. Round t's code is the
// scalar round's with vector operations; the first 16 words are gathered from the four lanes' blocks and byte-swapped.
const SIMD = 0xfd;
const simd = (op: number): Code => [SIMD, ...uleb(op)];
const V128 = 0x7b;
const vop =
  (code: number) =>
  (a: Code, b: Code): Code => [...a, ...b, ...simd(code)];
const [vadd, vand, vxor, vor] = [vop(0xae), vop(0x4e), vop(0x51), vop(0x50)];
const vshr = (a: Code, n: number): Code => [...a, ...c(n), ...simd(0xad)];
const vshl = (a: Code, n: number): Code => [...a, ...c(n), ...simd(0xab)];
const vrotr = (a: Code, n: number): Code => vor(vshr(a, n), vshl(a, 32 - n));
const vload = (address: Code, offset = 0): Code => [...address, ...simd(0x00), 4, ...uleb(offset)];
const vstore = (address: Code, value: Code, offset = 0): Code => [
  ...address,
  ...value,
  ...simd(0x0b),
  4,
  ...uleb(offset),
];
const splat = (n: number): Code => [...c(n), ...simd(0x11)];
/** Big-endian words of each lane ↔ native ones: a byte shuffle. */
const vbswap = (v: Code): Code => [
  ...v,
  ...simd(0x0c),
  ...Array<number>(16).fill(0),
  ...simd(0x0d),
  ...[3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12],
];
/** Word t of the four lanes' blocks (pointers in locals 0..3). */
const gather = (t: number): Code => {
  let v: Code = [...get(0), ...simd(0x5c), 2, ...uleb(t * 4)]; // v128.load32_zero
  for (let lane = 1; lane < 4; lane++) v = [...get(lane), ...v, ...simd(0x56), 2, ...uleb(t * 4), lane]; // load32_lane
  return vbswap(v);
};

// compress4(p0, p1, p2, p3): H4 ← compression of the four blocks onto H4.
// Locals: 0..3 block pointers | 4..11 working variables | 12..27 schedule window | 28 t1.
const working4 = (role: number, round: number) => 4 + ((((role - round) % 8) + 8) % 8);
const W4 = (t: number) => 12 + (t % 16);
const T1_4 = 28;
const vsigma = (x: Code, a: number, b: number, shift: number) =>
  vxor(vxor(vrotr(x, a), vrotr(x, b)), vshr(x, shift));
const vSigma = (x: Code, a: number, b: number, d: number) =>
  vxor(vxor(vrotr(x, a), vrotr(x, b)), vrotr(x, d));
function round4(t: number): Code {
  const [a, b, c_, d, e, f, g, h] = [0, 1, 2, 3, 4, 5, 6, 7].map((role) => working4(role, t)) as number[];
  const v = (local: number | undefined) => get(local as number);
  const schedule =
    t < 16
      ? set(W4(t), gather(t))
      : set(
          W4(t),
          vadd(
            vadd(get(W4(t)), vsigma(get(W4(t - 15)), 7, 18, 3)),
            vadd(get(W4(t - 7)), vsigma(get(W4(t - 2)), 17, 19, 10)),
          ),
        );
  const ch = vxor(v(g), vand(v(e), vxor(v(f), v(g))));
  const maj = vxor(vand(v(a), vxor(v(b), v(c_))), vand(v(b), v(c_)));
  return [
    ...schedule,
    ...set(
      T1_4,
      vadd(vadd(v(h), vSigma(v(e), 6, 11, 25)), vadd(ch, vadd(splat(K[t] as number), get(W4(t))))),
    ),
    ...set(d as number, vadd(v(d), get(T1_4))),
    ...set(h as number, vadd(get(T1_4), vadd(vSigma(v(a), 2, 13, 22), maj))),
  ];
}
export const COMPRESS4: Code = [
  1,
  25,
  V128,
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => set(4 + i, vload(c(H4 + i * 16)))),
  ...Array.from({ length: 64 }, (_, t) => round4(t)).flat(),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => vstore(c(H4 + i * 16), vadd(vload(c(H4 + i * 16)), get(4 + i)))),
  ...c(0),
  END,
];

// hmac4(jobs, count): for each group job, the four HMACs into the four outputs, big-endian.
// Locals: 0 jobs, 1 count | 2 job end, 3 block offset, 4 blocks end (bytes) | 5 a state word, byte-swapped.
const vcopy = (from: number, to: number): Code =>
  [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => vstore(c(to + i * 16), vload(c(from + i * 16))));
/** The state's eight words, byte-swapped, to the four lanes' destinations (`dest(lane)` pushes an address). */
const spill = (dest: (lane: number) => Code): Code =>
  [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [
    ...set(5, vbswap(vload(c(H4 + i * 16)))),
    ...[0, 1, 2, 3].flatMap((lane) => [...dest(lane), ...get(5), ...simd(0x5a), 2, ...uleb(i * 4), lane]), // store32_lane
  ]);
const jobWord = (k: number): Code => load(get(0), k * 4);
// biome-ignore format: instruction groups, one per line
export const HMAC4: Code = [
  2, 3, 0x7f, 1, V128,
  ...set(2, add(get(0), [...get(1), ...c(JOB_WORDS * 4), MUL])),
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(2), GE_U, BR_IF, 1, // all jobs done
  ...vcopy(INNER4, H4),
  ...set(3, c(0)), ...set(4, shl(jobWord(4), 6)),
  BLOCK, VOID, LOOP, VOID, ...get(3), ...get(4), GE_U, BR_IF, 1,
  ...[0, 1, 2, 3].flatMap((lane) => add(jobWord(lane), get(3))), CALL, 1, DROP,
  ...set(3, add(get(3), c(64))), BR, 0, END, END,
  ...spill((lane) => c(OUTER_BLOCKS4 + lane * 64)),
  ...vcopy(OUTER4, H4),
  ...[0, 1, 2, 3].flatMap((lane) => c(OUTER_BLOCKS4 + lane * 64)), CALL, 1, DROP,
  ...spill((lane) => jobWord(5 + lane)),
  ...set(0, add(get(0), c(JOB_WORDS * 4))), BR, 0,
  END, END,
  ...c(0), END,
];
