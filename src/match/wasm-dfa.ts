/**
 * The automaton's hot loop in WebAssembly: V8 runs the same loop in JavaScript 2–3× slower (it reloads the typed
 * arrays' backing stores on every character). Two functions: `scan1` walks one stream; `scan2` two streams in lock
 * step (two halves of a text, so that their table loads overlap in the memory pipeline instead of waiting on each
 * other). Both record (position, state) for every state with outputs, and stop at a code unit that needs the slow
 * path. Assembled here from instruction lists (wasm-asm.ts): no build step, no dependency.
 *
 * Memory: [0..20) control (state 1, position 1, reason, state 2, position 2), [64..64+128K) symbol of every code unit
 * (premultiplied by 4; SLOW), the transition table (byte offsets, negative when the target has outputs), the text
 * (UTF-16), the output buffer (stream 2's positions tagged with bit 30).
 */
import { SLOW } from './automaton-build.ts';
import { unitFolding } from './fold-walk.ts';
import {
  ADD,
  assemble,
  BLOCK,
  BR,
  BR_IF,
  c,
  END,
  EQ,
  GE_U,
  get,
  IF,
  LOAD,
  LOAD16,
  LOOP,
  LT_S,
  OR,
  RETURN,
  SET,
  SHL,
  STORE,
  SUB,
  uleb,
  VOID,
  type WasmMemory,
  wasm,
} from './wasm-asm.ts';

const SYM = 64;
const DELTA_BASE = SYM + 65536 * 2;
const OUT_ENTRIES = 1 << 15;
const TAG = 0x40000000;
const [DONE, SLOW_CHAR, OUT_FULL] = [0, 1, 2];

const symbolOf = (ptr: number, into: number) => [
  ...get(ptr),
  LOAD16,
  0,
  0,
  ...c(1),
  SHL,
  LOAD16,
  0,
  ...uleb(SYM),
  SET,
  into,
];
const step = (state: number, symbol: number) => [
  ...get(state),
  ...get(symbol),
  ADD,
  LOAD,
  2,
  ...uleb(DELTA_BASE),
  SET,
  state,
];
// biome-ignore format: instruction groups
const record = (ptr: number, state: number, out: number, tag: number) => [
  ...get(state), ...c(0), LT_S, IF, VOID,
  ...c(0), ...get(state), SUB, SET, state,
  ...get(out), ...get(ptr), ...(tag ? [...c(tag), OR] : []), STORE, 2, 0,
  ...get(out), ...get(state), STORE, 2, 4, ...get(out), ...c(8), ADD, SET, out,
  END,
];
const save = (at: number, local: number, plus = 0) => [
  ...c(at),
  ...get(local),
  ...(plus ? [...c(plus), ADD] : []),
  STORE,
  2,
  0,
];
const stop = (reason: number, out: number, saves: number[][]) => [
  ...saves.flat(),
  ...c(8),
  ...c(reason),
  STORE,
  2,
  0,
  ...get(out),
  RETURN,
];
const advance = (ptr: number) => [...get(ptr), ...c(2), ADD, SET, ptr];

// scan1(ptr, end, state, out, outEnd), local 5: symbol.
// biome-ignore format: one instruction group per line reads like the loop it is
const SCAN1 = [
  1, 1, 0x7f,
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(1), GE_U, BR_IF, 1,
  ...symbolOf(0, 5),
  ...get(5), ...c(SLOW), EQ, IF, VOID, ...stop(SLOW_CHAR, 3, [save(0, 2), save(4, 0)]), END,
  ...step(2, 5), ...record(0, 2, 3, 0),
  ...get(3), ...get(4), GE_U, IF, VOID, ...stop(OUT_FULL, 3, [save(0, 2), save(4, 0, 2)]), END,
  ...advance(0), BR, 0,
  END, END,
  ...stop(DONE, 3, [save(0, 2), save(4, 0)]),
  END,
];

// scan2(p1, end1, s1, p2, s2, out, outEnd, end2), locals 8, 9: symbols. Stops when either stream reaches its end.
// biome-ignore format: one instruction group per line reads like the loop it is
const SCAN2 = [
  1, 2, 0x7f,
  BLOCK, VOID, LOOP, VOID,
  ...get(0), ...get(1), GE_U, BR_IF, 1,
  ...get(3), ...get(7), GE_U, BR_IF, 1,
  ...symbolOf(0, 8), ...symbolOf(3, 9),
  ...get(8), ...get(9), OR, ...c(SLOW), GE_U, IF, VOID, ...stop(SLOW_CHAR, 5, [save(0, 2), save(4, 0), save(12, 4), save(16, 3)]), END,
  ...step(2, 8), ...step(4, 9),
  ...get(2), ...get(4), OR, ...c(0), LT_S, IF, VOID,
  ...record(0, 2, 5, 0), ...record(3, 4, 5, TAG),
  ...get(5), ...get(6), GE_U, IF, VOID, ...stop(OUT_FULL, 5, [save(0, 2), save(4, 0, 2), save(12, 4), save(16, 3, 2)]), END,
  END,
  ...advance(0), ...advance(3), BR, 0,
  END, END,
  ...stop(DONE, 5, [save(0, 2), save(4, 0), save(12, 4), save(16, 3)]),
  END,
];

let compiled: object | undefined;

export interface ScanHandlers {
  /** A state with outputs (premultiplied index) was entered at code unit `index`. */
  report(index: number, state: number): void;
  /** Code unit `index` needs the slow path; returns the state after it. */
  slow(index: number, state: number): number;
}

type Scan1 = (ptr: number, end: number, state: number, out: number, outEnd: number) => number;
type Scan2 = (
  p1: number,
  end1: number,
  s1: number,
  p2: number,
  s2: number,
  out: number,
  outEnd: number,
  end2: number,
) => number;

/** One automaton's tables in their own WebAssembly memory. States are premultiplied by the alphabet size, as in JS. */
export class WasmDfa {
  private readonly memory: WasmMemory;
  private readonly scan1: Scan1;
  private readonly scan2: Scan2;
  private readonly textBase: number;
  private readonly interleave: boolean;
  private textCapacity = 0;
  private bytes!: Buffer;
  private control!: Int32Array;

  constructor(
    delta: Int32Array,
    private readonly symbols: Uint16Array,
  ) {
    compiled ??= assemble([
      { name: 'scan1', params: 5, body: SCAN1 },
      { name: 'scan2', params: 8, body: SCAN2 },
    ]);
    // Two symbols OR-ed must not look like SLOW: interleave only with alphabets under 8 192 symbols.
    this.interleave = symbols.every((symbol) => symbol === SLOW || symbol * 4 < 0x8000);
    this.textBase = DELTA_BASE + delta.length * 4;
    this.memory = new wasm.Memory({ initial: Math.ceil((this.textBase + OUT_ENTRIES * 8) / 65536) + 1 });
    const { exports } = new wasm.Instance(compiled, { env: { mem: this.memory } });
    this.scan1 = exports.scan1 as Scan1;
    this.scan2 = exports.scan2 as Scan2;
    const table = new Uint16Array(this.memory.buffer, SYM, 65536);
    for (let i = 0; i < 65536; i++) table[i] = symbols[i] === SLOW ? SLOW : (symbols[i] as number) * 4;
    new Int32Array(this.memory.buffer, DELTA_BASE, delta.length).set(delta.map((v) => v * 4));
    this.views();
  }

  private views(): void {
    this.bytes = Buffer.from(this.memory.buffer);
    this.control = new Int32Array(this.memory.buffer, 0, 5);
    this.textCapacity = this.bytes.length - this.textBase - OUT_ENTRIES * 8;
  }

  /**
   * Scans `text` from `state` and returns the state at its end. With `second`, the code units from `second.start`
   * are a second stream (from the root), run in lock step with the first until `second.mid`, where the first stops.
   */
  scan(
    text: string,
    state: number,
    handlers: ScanHandlers,
    second: { mid: number; start: number; handlers: ScanHandlers } | null,
  ): number {
    if (text.length * 2 > this.textCapacity) {
      this.memory.grow(Math.ceil((text.length * 2 - this.textCapacity) / 65536));
      this.views();
    }
    const base = this.textBase;
    const outBase = base + this.textCapacity;
    const outFull = outBase + OUT_ENTRIES * 8;
    const out = new Int32Array(this.memory.buffer, outBase, OUT_ENTRIES * 2);
    this.bytes.write(text, base, 'utf16le');
    const ctl = this.control;
    const drain = (outEnd: number, untagged: ScanHandlers, tagged: ScanHandlers) => {
      for (let i = 0; i < (outEnd - outBase) / 4; i += 2) {
        const raw = out[i] as number;
        (raw & TAG ? tagged : untagged).report(((raw & ~TAG) - base) / 2, (out[i + 1] as number) / 4);
      }
    };
    const slowAt = (ptr: number, current: number, h: ScanHandlers): [number, number] => {
      const index = (ptr - base) / 2;
      return [ptr + unitFolding(text, index).units * 2, h.slow(index, current / 4) * 4];
    };
    const isSlow = (ptr: number) => this.symbols[text.charCodeAt((ptr - base) / 2)] === SLOW;
    /** One stream from `p` to `until`; returns its final state (×4). */
    const run = (p: number, until: number, s: number, h: ScanHandlers): number => {
      for (;;) {
        if (p >= until) return s;
        drain(this.scan1(p, until, s, outBase, outFull), h, h);
        [s, p] = [ctl[0], ctl[1]] as [number, number];
        if (ctl[2] === DONE) return s;
        if (ctl[2] === SLOW_CHAR) [p, s] = slowAt(p, s, h);
      }
    };
    const end = base + text.length * 2;
    if (!second || !this.interleave) return run(base, end, state * 4, handlers) / 4;
    const end1 = base + second.mid * 2;
    let [p1, s1, p2, s2] = [base, state * 4, base + second.start * 2, 0];
    while (p1 < end1 && p2 < end) {
      drain(this.scan2(p1, end1, s1, p2, s2, outBase, outFull, end), handlers, second.handlers);
      [s1, p1, s2, p2] = [ctl[0], ctl[1], ctl[3], ctl[4]] as [number, number, number, number];
      if (ctl[2] !== SLOW_CHAR) continue;
      if (p1 < end1 && isSlow(p1)) [p1, s1] = slowAt(p1, s1, handlers);
      if (p2 < end && isSlow(p2)) [p2, s2] = slowAt(p2, s2, second.handlers);
    }
    // Astral characters advance a stream by two code units: either may end first. The first stream ends at the
    // middle; the second goes on alone to the end of the text.
    if (p1 < end1) run(p1, end1, s1, handlers);
    return run(p2, end, s2, second.handlers) / 4;
  }
}
