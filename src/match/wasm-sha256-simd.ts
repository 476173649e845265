/**
 * The batch HMAC loops of wasm-sha256.ts in WebAssembly SIMD, generated: SHA-256 on four messages at once, one per
 * 32-bit lane of v128 values. Per group job: the inner block(s) from the inner-pad midstate, then the outer block
 * straight from the inner state held in locals, then the four digests byte-swapped to their outputs. Two loops: one
 * over messages laid out padded to whole blocks (any length), one over messages of at most 55 bytes read where they
 * lie in the stream of a batch's messages and padded on the fly (no layout in JavaScript).
 *
 * Cheaper than a plain transcription: round constants (and fixed message words, K + W precomputed, and the fixed parts
 * of the message schedule) are loaded from a pool of splatted words rather than built by a splat per use; Maj reuses
 * the previous round's a ^ b. Two groups interleaved round by round (eight messages) measured ~30 % slower than one:
 * the rounds are bound by the SIMD units' throughput, not latency, and twice the live values spill.
 */
// biome-ignore format: one line
import { ADD, BLOCK, BR, BR_IF, c, END, GE_U, get, LOAD, LOOP, SET, SHL, uleb, VOID } from './wasm-asm.ts';
import { DIRECT_JOB_WORDS, INNER4, JOB_WORDS, K, OUTER4, POOL, POOL_SLOTS } from './wasm-sha256-code.ts';

type Code = number[];
const MUL = 0x6c;
const SIMD = 0xfd;
const V128 = 0x7b;
const simd = (op: number): Code => [SIMD, ...uleb(op)];
const set = (local: number, value: Code): Code => [...value, SET, local];
const add = (a: Code, b: Code): Code => [...a, ...b, ADD];
const vop =
  (code: number) =>
  (a: Code, b: Code): Code => [...a, ...b, ...simd(code)];
const [vadd, vand, vxor, vor] = [vop(0xae), vop(0x4e), vop(0x51), vop(0x50)];
const vshr = (a: Code, n: number): Code => [...a, ...c(n), ...simd(0xad)];
const vshl = (a: Code, n: number): Code => [...a, ...c(n), ...simd(0xab)];
const vrotr = (a: Code, n: number): Code => vor(vshr(a, n), vshl(a, 32 - n));
const vload = (address: Code, offset = 0): Code => [...address, ...simd(0x00), 4, ...uleb(offset)];
/** Big-endian words of each lane ↔ native ones: a byte shuffle. */
const vbswap = (v: Code): Code => [
  ...v,
  ...simd(0x0c),
  ...Array<number>(16).fill(0),
  ...simd(0x0d),
  ...[3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12],
];
const sigma = (x: Code, a: number, b: number, shift: number) =>
  vxor(vxor(vrotr(x, a), vrotr(x, b)), vshr(x, shift));
const Sigma = (x: Code, a: number, b: number, d: number) => vxor(vxor(vrotr(x, a), vrotr(x, b)), vrotr(x, d));
const rotr32 = (x: number, n: number) => ((x >>> n) | (x << (32 - n))) >>> 0;
const sigma32 = (x: number, a: number, b: number, shift: number) =>
  (rotr32(x, a) ^ rotr32(x, b) ^ (x >>> shift)) >>> 0;

/** W[t] = W[t−16] + σ0(W[t−15]) + W[t−7] + σ1(W[t−2]): each term's distance back, as code and as a folded constant. */
const SCHEDULE_TERMS: ReadonlyArray<[number, (v: Code) => Code, (v: number) => number]> = [
  [16, (x) => x, (x) => x],
  [15, (x) => sigma(x, 7, 18, 3), (x) => sigma32(x, 7, 18, 3)],
  [7, (x) => x, (x) => x],
  [2, (x) => sigma(x, 17, 19, 10), (x) => sigma32(x, 17, 19, 10)],
];

/** Splatted constants, one 16-byte slot each from POOL; `poolValues` is what the JS side writes there. */
export const poolValues: number[] = [];
const pool = (value: number): Code => {
  let slot = poolValues.indexOf(value >>> 0);
  if (slot < 0) slot = poolValues.push(value >>> 0) - 1;
  if (slot >= POOL_SLOTS) throw new Error('constant pool full');
  return vload(c(POOL + slot * 16));
};

// Locals: 0 jobs, 1 count | 2 job end, 3 block offset, 4 blocks end | 5..8 lane pointers (blocks, then outputs) |
// v128: 8 state, 8 working variables (role i of round t is 17 + (i − t) mod 8), 16 schedule window, t1, two a ^ b
// carries for Maj, the lanes' message lengths (direct).
const PTR = 5;
const state = (i: number) => 9 + i;
const working = (role: number, t: number) => 17 + ((((role - t) % 8) + 8) % 8);
const W = (t: number) => 25 + (t % 16);
const T1 = 41;
const AB = (t: number) => 42 + (t % 2);
const LENGTHS = 44;
const LOCALS = [2, 3 + 4, 0x7f, 36, V128];

/** How a compression gets message word t (< 16): code computing it, or a number when fixed. */
type Source = (t: number) => Code | number;

/** Word t of the four blocks (pointers in the lane locals), gathered and byte-swapped. */
const gather = (t: number): Code => {
  let v: Code = [...get(PTR), ...simd(0x5c), 2, ...uleb(t * 4)]; // v128.load32_zero
  for (let lane = 1; lane < 4; lane++) v = [...get(PTR + lane), ...v, ...simd(0x56), 2, ...uleb(t * 4), lane]; // load32_lane
  return v;
};
const padded: Source = (t) => vbswap(gather(t));
/** The outer block: the inner digest (in the state locals), then 0x80, zeros, the bit length of pad block + digest. */
const outer: Source = (t) => (t < 8 ? get(state(t)) : t === 8 ? 0x80000000 : t < 15 ? 0 : (64 + 32) * 8);
/**
 * A message of at most 55 bytes read where it lies in the batch's stream of messages, padded on the fly: the bytes
 * of the four lanes at positions ≥ their length (LENGTHS, one byte per byte) become 0x80 at the length, zeros after;
 * word 15, the bit length, is in the job.
 */
const direct: Source = (t) => {
  if (t === 14) return 0;
  if (t === 15) return vload(get(0), 32);
  const position = pool((4 * t) | ((4 * t + 1) << 8) | ((4 * t + 2) << 16) | ((4 * t + 3) << 24));
  const keep = [...get(LENGTHS), ...position, ...simd(0x27)]; // i8x16.gt_s: lengths and positions are below 128
  const end = [...get(LENGTHS), ...position, ...simd(0x23)]; // i8x16.eq
  return vbswap(vor(vand(gather(t), keep), vand(end, pool(0x80808080))));
};

/**
 * Round t. Message words fixed for every block compressed by this code (the outer block's tail, zeros of direct
 * messages) are folded, with their message schedule terms, into constants at generation time.
 */
function round(t: number, source: Source): Code {
  const v = (role: number) => get(working(role, t));
  const [a, b, d, e, f, g, h] = [v(0), v(1), v(3), v(4), v(5), v(6), v(7)];
  const known = (i: number) => (i < 16 ? source(i) : undefined);
  const word = (i: number): Code | number => {
    const k = known(i);
    return typeof k === 'number' ? k : get(W(i));
  };
  const code: Code = [];
  let kw: Code;
  const k = known(t);
  if (typeof k === 'number') kw = pool((K[t] as number) + k);
  else {
    let value = k;
    if (value === undefined) {
      let constant = 0;
      const terms: Code[] = [];
      const term = (x: Code | number, f: (v: Code) => Code, f32: (v: number) => number) => {
        if (typeof x === 'number') constant = (constant + f32(x)) >>> 0;
        else terms.push(f(x));
      };
      for (const [back, f, f32] of SCHEDULE_TERMS) term(word(t - back), f, f32);
      if (constant) terms.push(pool(constant));
      // Pairwise sums: two independent additions before the last.
      while (terms.length > 1) {
        const [x, y, ...rest] = terms as [Code, Code, ...Code[]];
        terms.splice(0, terms.length, ...rest, vadd(x, y));
      }
      value = terms[0] as Code;
    }
    code.push(...set(W(t), value));
    kw = vadd(get(W(t)), pool(K[t] as number));
  }
  const ch = vxor(g, vand(e, vxor(f, g)));
  // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); this round's b ^ c was the last round's a ^ b.
  const maj = vxor(b, vand(get(AB(t)), get(AB(t + 1))));
  return [
    ...code,
    ...set(T1, vadd(vadd(h, Sigma(e, 6, 11, 25)), vadd(ch, kw))),
    ...set(AB(t), vxor(a, b)),
    ...set(working(3, t), vadd(d, get(T1))),
    ...set(working(7, t), vadd(get(T1), vadd(Sigma(a, 2, 13, 22), maj))),
  ];
}

const eachWord = (f: (i: number) => Code): Code => [0, 1, 2, 3, 4, 5, 6, 7].flatMap(f);
/** The state ← compression of one block onto it (or from `from`, a midstate in memory). */
const compress = (source: Source, from?: number): Code => [
  ...eachWord((i) => set(working(i, 0), from === undefined ? get(state(i)) : vload(c(from + i * 16)))),
  ...set(AB(1), vxor(get(working(1, 0)), get(working(2, 0)))),
  ...Array.from({ length: 64 }, (_, t) => round(t, source)).flat(),
  ...eachWord((i) =>
    set(state(i), vadd(from === undefined ? get(state(i)) : vload(c(from + i * 16)), get(working(i, 0)))),
  ),
];
const jobWord = (k: number): Code => [...get(0), LOAD, 2, ...uleb(k * 4)];
const lanes = (f: (lane: number) => Code): Code => [0, 1, 2, 3].flatMap(f);
/** The outer compression from the inner state, the four digests byte-swapped to the outputs (pointers at job word k). */
const finish = (k: number): Code => [
  ...compress(outer, OUTER4),
  ...lanes((lane) => set(PTR + lane, jobWord(k + lane))),
  ...eachWord((i) => [
    ...set(T1, vbswap(get(state(i)))),
    ...lanes((lane) => [...get(PTR + lane), ...get(T1), ...simd(0x5a), 2, ...uleb(i * 4), lane]), // store32_lane
  ]),
];
const jobLoop = (words: number, body: Code): Code => [
  ...set(2, add(get(0), [...get(1), ...c(words * 4), MUL])),
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(0),
  ...get(2),
  GE_U,
  BR_IF,
  1, // all jobs done
  ...body,
  ...set(0, add(get(0), c(words * 4))),
  BR,
  0,
  END,
  END,
  ...c(0),
  END,
];

// hmac(jobs, count): for each group job (4 block pointers, the block count, 4 output pointers), the HMACs.
// biome-ignore format: instruction groups, one per line
export const HMAC: Code = [
  ...LOCALS,
  ...jobLoop(JOB_WORDS, [
    ...eachWord((i) => set(state(i), vload(c(INNER4 + i * 16)))),
    ...set(3, c(0)), ...set(4, [...jobWord(4), ...c(6), SHL]),
    BLOCK, VOID, LOOP, VOID, ...get(3), ...get(4), GE_U, BR_IF, 1,
    ...lanes((lane) => set(PTR + lane, add(jobWord(lane), get(3)))),
    ...compress(padded),
    ...set(3, add(get(3), c(64))), BR, 0, END, END,
    ...finish(5),
  ]),
];

// hmacDirect(jobs, count): for each group job (4 message pointers, 4 lengths × 0x01010101, 4 bit lengths, 4 output
// pointers) of messages of at most 55 bytes, the HMACs.
export const HMAC_DIRECT: Code = [
  ...LOCALS,
  ...jobLoop(DIRECT_JOB_WORDS, [
    ...lanes((lane) => set(PTR + lane, jobWord(lane))),
    ...set(LENGTHS, vload(get(0), 16)),
    ...compress(direct, INNER4),
    ...finish(12),
  ]),
];
