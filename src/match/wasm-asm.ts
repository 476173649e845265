/**
 * Just enough of the WebAssembly binary format to assemble small modules from instruction lists: LEB128 numbers,
 * the opcodes the automaton's loop uses, and a module with functions over one imported memory (`env.mem`).
 */

/** The WebAssembly API, typed here: the project's TypeScript libs (ES2023 + node) do not declare it. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};

// Control, locals, memory (with alignment and offset immediates after them), i32 arithmetic.
export const [BLOCK, LOOP, IF, END, BR, BR_IF, RETURN, VOID] = [
  0x02, 0x03, 0x04, 0x0b, 0x0c, 0x0d, 0x0f, 0x40,
];
export const [GET, SET] = [0x20, 0x21];
export const [LOAD, LOAD16, STORE] = [0x28, 0x2f, 0x36];
export const [CONST, EQ, LT_S, GE_U, ADD, SUB, OR, SHL] = [0x41, 0x46, 0x48, 0x4f, 0x6a, 0x6b, 0x72, 0x74];

export const c = (n: number): number[] => [CONST, ...sleb(n)];
export const get = (local: number): number[] => [GET, local];

const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s)];

export interface WasmFunction {
  name: string;
  /** Number of i32 parameters; every function returns one i32. */
  params: number;
  /** Local declarations followed by the instructions and the final END. */
  body: number[];
}

export function assemble(functions: readonly WasmFunction[]): object {
  const types = functions.flatMap((f) => [0x60, f.params, ...Array<number>(f.params).fill(0x7f), 1, 0x7f]);
  return new wasm.Module(
    new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      1,
      0,
      0,
      0,
      ...section(1, [functions.length, ...types]),
      ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
      ...section(3, [functions.length, ...functions.map((_, i) => i)]),
      ...section(7, [functions.length, ...functions.flatMap((f, i) => [...name(f.name), 0x00, i])]),
      ...section(10, [functions.length, ...functions.flatMap((f) => [...uleb(f.body.length), ...f.body])]),
    ]),
  );
}
