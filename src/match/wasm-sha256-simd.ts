/**
 * The batch HMAC loop of wasm-sha256.ts in WebAssembly SIMD, generated: SHA-256 on four messages at once, one per
 * 32-bit lane of v128 values, `GROUPS` groups of four side by side. Per group job: the inner blocks from the inner-pad
 * midstate, then the outer block straight from the inner state held in locals (no store, reload, byte swap), then the
 * four digests byte-swapped to their outputs.
 *
 * Cheaper than a plain transcription: round constants (and the outer block's constant words, K + W precomputed, and
 * the constant parts of its message schedule) are loaded from a pool of splatted words rather than built by a splat
 * per use; Maj reuses the previous round's a ^ b.
 */
// biome-ignore format: one line
import { ADD, BLOCK, BR, BR_IF, c, END, GE_U, get, LOAD, LOOP, SET, SHL, uleb, VOID } from './wasm-asm.ts';
import { INNER4, JOB_WORDS, K, LANES, OUTER4, POOL, POOL_SLOTS } from './wasm-sha256-code.ts';

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

/** Splatted constants, one 16-byte slot each from POOL; `poolValues` is what the JS side writes there. */
export const poolValues: number[] = [];
const pool = (value: number): Code => {
  let slot = poolValues.indexOf(value >>> 0);
  if (slot < 0) slot = poolValues.push(value >>> 0) - 1;
  if (slot >= POOL_SLOTS) throw new Error('constant pool full');
  return vload(c(POOL + slot * 16));
};

/** The outer block after the 32-byte inner digest: 0x80, zeros, the bit length of (pad block + digest). */
const OUTER_TAIL: (number | undefined)[] = [
  ...Array<undefined>(8),
  0x80000000,
  0,
  0,
  0,
  0,
  0,
  0,
  (64 + 32) * 8,
];

// Locals: 0 jobs, 1 count | 2 job end, 3 block offset, 4 blocks end | 5.. lane pointers (blocks, then outputs) |
// v128, per group: 8 state, 8 working variables (role i of round t is 8 + (i − t) mod 8), 16 schedule window, t1, and
// two a ^ b carries for Maj.
const PTR = 5;
const V0 = PTR + LANES;
const PER_GROUP = 35;
const GROUPS = LANES / 4;
const state = (g: number, i: number) => V0 + g * PER_GROUP + i;
const working = (g: number, role: number, t: number) => V0 + g * PER_GROUP + 8 + ((((role - t) % 8) + 8) % 8);
const W = (g: number, t: number) => V0 + g * PER_GROUP + 16 + (t % 16);
const T1 = (g: number) => V0 + g * PER_GROUP + 32;
const AB = (g: number, t: number) => V0 + g * PER_GROUP + 33 + (t % 2);

/** Word t of a group's four blocks (pointers in the lane locals), gathered and byte-swapped. */
const gather = (g: number, t: number): Code => {
  const p = PTR + g * 4;
  let v: Code = [...get(p), ...simd(0x5c), 2, ...uleb(t * 4)]; // v128.load32_zero
  for (let lane = 1; lane < 4; lane++) v = [...get(p + lane), ...v, ...simd(0x56), 2, ...uleb(t * 4), lane]; // load32_lane
  return vbswap(v);
};

/**
 * Round t of group g. In the outer block, words 0..7 are the inner state and words 8..15 are fixed (OUTER_TAIL): their
 * contributions are folded into constants at generation time.
 */
function round(g: number, t: number, outer: boolean): Code {
  const known = outer ? OUTER_TAIL : [];
  const v = (role: number) => get(working(g, role, t));
  const [a, b, d, e, f, gg, h] = [v(0), v(1), v(3), v(4), v(5), v(6), v(7)];
  const word = (i: number): Code | number => known[i] ?? get(W(g, i));
  const code: Code = [];
  let kw: Code;
  if (t < 16) {
    const k = known[t];
    if (k === undefined) {
      if (outer) code.push(...set(W(g, t), get(state(g, t))));
      else code.push(...set(W(g, t), gather(g, t)));
      kw = vadd(get(W(g, t)), pool(K[t] as number));
    } else kw = pool((K[t] as number) + k);
  } else {
    let constant = 0;
    const terms: Code[] = [];
    const term = (x: Code | number, f: (v: Code) => Code, f32: (v: number) => number) => {
      if (typeof x === 'number') constant = (constant + f32(x)) >>> 0;
      else terms.push(f(x));
    };
    term(
      word(t - 16),
      (v) => v,
      (v) => v,
    );
    term(
      word(t - 15),
      (v) => sigma(v, 7, 18, 3),
      (v) => sigma32(v, 7, 18, 3),
    );
    term(
      word(t - 7),
      (v) => v,
      (v) => v,
    );
    term(
      word(t - 2),
      (v) => sigma(v, 17, 19, 10),
      (v) => sigma32(v, 17, 19, 10),
    );
    if (constant) terms.push(pool(constant));
    // Pairwise sums: two independent additions before the last.
    while (terms.length > 1) {
      const [x, y, ...rest] = terms as [Code, Code, ...Code[]];
      terms.splice(0, terms.length, ...rest, vadd(x, y));
    }
    code.push(...set(W(g, t), terms[0] as Code));
    kw = vadd(get(W(g, t)), pool(K[t] as number));
  }
  const ch = vxor(gg, vand(e, vxor(f, gg)));
  // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); this round's b ^ c was the last round's a ^ b.
  const maj = vxor(b, vand(get(AB(g, t)), get(AB(g, t + 1))));
  return [
    ...code,
    ...set(T1(g), vadd(vadd(h, Sigma(e, 6, 11, 25)), vadd(ch, kw))),
    ...set(AB(g, t), vxor(a, b)),
    ...set(working(g, 3, t), vadd(d, get(T1(g)))),
    ...set(working(g, 7, t), vadd(get(T1(g)), vadd(Sigma(a, 2, 13, 22), maj))),
  ];
}

/** The 64 rounds of every group, interleaved round by round, on the working variables. */
function rounds(outer: boolean): Code {
  const code: Code = [];
  for (let g = 0; g < GROUPS; g++)
    code.push(...set(AB(g, 1), vxor(get(working(g, 1, 0)), get(working(g, 2, 0)))));
  for (let t = 0; t < 64; t++) for (let g = 0; g < GROUPS; g++) code.push(...round(g, t, outer));
  return code;
}

const eachGroup = (f: (g: number) => Code): Code => Array.from({ length: GROUPS }, (_, g) => f(g)).flat();
const eachWord = (f: (i: number) => Code): Code => [0, 1, 2, 3, 4, 5, 6, 7].flatMap(f);
const jobWord = (k: number): Code => [...get(0), LOAD, 2, ...uleb(k * 4)];

// hmac(jobs, count): for each group job (LANES block pointers, the block count, LANES output pointers), the HMACs.
// biome-ignore format: instruction groups, one per line
export const HMAC: Code = [
  2, ...uleb(3 + LANES), 0x7f, ...uleb(PER_GROUP * GROUPS), V128,
  ...set(2, add(get(0), [...get(1), ...c(JOB_WORDS * 4), MUL])),
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(2), GE_U, BR_IF, 1, // all jobs done
  ...eachGroup((g) => eachWord((i) => set(state(g, i), vload(c(INNER4 + i * 16))))),
  ...set(3, c(0)), ...set(4, [...jobWord(LANES), ...c(6), SHL]),
  BLOCK, VOID, LOOP, VOID, ...get(3), ...get(4), GE_U, BR_IF, 1,
  ...Array.from({ length: LANES }, (_, lane) => set(PTR + lane, add(jobWord(lane), get(3)))).flat(),
  ...eachGroup((g) => eachWord((i) => set(working(g, i, 0), get(state(g, i))))),
  ...rounds(false),
  ...eachGroup((g) => eachWord((i) => set(state(g, i), vadd(get(state(g, i)), get(working(g, i, 0)))))),
  ...set(3, add(get(3), c(64))), BR, 0, END, END,
  // The outer block: words 0..7 are the inner digest, in the state locals.
  ...eachGroup((g) => eachWord((i) => set(working(g, i, 0), vload(c(OUTER4 + i * 16))))),
  ...rounds(true),
  ...Array.from({ length: LANES }, (_, lane) => set(PTR + lane, jobWord(LANES + 1 + lane))).flat(),
  ...eachGroup((g) => eachWord((i) => [
    ...set(T1(g), vbswap(vadd(get(working(g, i, 0)), vload(c(OUTER4 + i * 16))))),
    ...[0, 1, 2, 3].flatMap((lane) => [...get(PTR + g * 4 + lane), ...get(T1(g)), ...simd(0x5a), 2, ...uleb(i * 4), lane]), // store32_lane
  ])),
  ...set(0, add(get(0), c(JOB_WORDS * 4))), BR, 0,
  END, END,
  ...c(0), END,
];
