/**
 * WebAssembly SIMD (f64x2) versions of the hottest loops of the one-pass LQ (lq-fused.ts `quad`)
 * and of the fused bidiagonalisation (householder.ts `fusedRowQuad`), assembled here from bytes: no .wasm file, no build step, no dependency. Scalar TypeScript tops
 * out near 3.9 GFLOPS on every kernel shape tried on the AMD EPYC (Zen 3) machine — V8 checks
 * bounds, index overflow and the array's map on every typed-array access — while the same loop
 * in WASM SIMD ran at 11.3 GFLOPS (L1-resident, same process, 2026-12-03; docs/linalg.md).
 *
 * The kernels work on a WebAssembly.Memory the caller fills; where WebAssembly or its SIMD
 * proposal is unavailable (old engines, a Content-Security-Policy without 'unsafe-eval' or
 * 'wasm-unsafe-eval'), `simdModule()` returns null and the callers keep their TypeScript loops.
 */

const uleb = (n: number): number[] => {
  const b: number[] = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n) x |= 0x80;
    b.push(x);
  } while (n);
  return b;
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const tee = (i: number): number[] => [0x22, i];
const MEMARG = [3, 0]; // 8-byte alignment hint (rows need not be 16-byte aligned), offset 0
const V128_LOAD = [...simd(0), ...MEMARG], V128_STORE = [...simd(11), ...MEMARG];
const F64X2_SPLAT = simd(20), F64X2_EXTRACT = simd(33), F64X2_ADD = simd(240), F64X2_SUB = simd(241), F64X2_MUL = simd(242);
const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

/**
 * quad(ra, rb, rc, rd, vo, uo, nbytes, ta, tb, tc, td): for the four rows at byte addresses
 * ra…rd and the reflectors v (at vo) and u (at uo), over nbytes (a multiple of 16) of columns:
 *   x_r ← x_r − t_r·v (stored),  s_r = Σ x_r·u  (the updated x),
 * and writes s_a…s_d as f64 at bytes 0, 8, 16, 24. Each lane sums every other column; the two
 * lanes are added at the end.
 */
function quadBody(): number[] {
  // params 0–3 row addresses, 4 vo, 5 uo, 6 nbytes, 7–10 t_a…t_d; locals below
  const I = 11, V = 12, U = 13, X = 14, S = [15, 16, 17, 18], T = [19, 20, 21, 22], ADDR = 23;
  const b: number[] = [];
  for (let r = 0; r < 4; r++) b.push(...get(7 + r), ...F64X2_SPLAT, ...set(T[r]));
  b.push(0x02, 0x40, 0x03, 0x40); // block, loop
  b.push(...get(I), ...get(6), 0x4f, 0x0d, 1); // i ≥ nbytes (unsigned): leave the block
  b.push(...get(4), ...get(I), 0x6a, ...V128_LOAD, ...set(V));
  b.push(...get(5), ...get(I), 0x6a, ...V128_LOAD, ...set(U));
  for (let r = 0; r < 4; r++) {
    b.push(...get(r), ...get(I), 0x6a, ...tee(ADDR));
    b.push(...get(ADDR), ...V128_LOAD, ...get(T[r]), ...get(V), ...F64X2_MUL, ...F64X2_SUB, ...tee(X));
    b.push(...V128_STORE);
    b.push(...get(S[r]), ...get(X), ...get(U), ...F64X2_MUL, ...F64X2_ADD, ...set(S[r]));
  }
  b.push(...get(I), 0x41, 16, 0x6a, ...set(I), 0x0c, 0, 0x0b, 0x0b); // i += 16; continue; end; end
  for (let r = 0; r < 4; r++) {
    b.push(0x41, 0, ...get(S[r]), ...F64X2_EXTRACT, 0, ...get(S[r]), ...F64X2_EXTRACT, 1, 0xa0, 0x39, 3, 8 * r);
  }
  b.push(0x0b);
  const locals = vec([[1, I32], [11, V128], [1, I32]]);
  return [...locals, ...b];
}

/**
 * rank1(ra, rb, rc, rd, uo, zo, nbytes, sa, sb, sc, sd, ya, yb, yc, yd): for the four rows at
 * ra…rd, the vector u (at uo) and the accumulator z (at zo), over nbytes (a multiple of 16):
 *   x_r ← x_r − s_r·u (stored),  z ← z + Σ_r y_r·x_r (stored; the rows' terms added in order a…d).
 * The second sweep of the bidiagonalisation's four-row step (householder.ts fusedRowQuad).
 */
function rank1Body(): number[] {
  // params 0–3 row addresses, 4 uo, 5 zo, 6 nbytes, 7–10 s_a…s_d, 11–14 y_a…y_d; locals below
  const I = 15, U = 16, X = 17, ACC = 18, S = [19, 20, 21, 22], Y = [23, 24, 25, 26], ADDR = 27;
  const b: number[] = [];
  for (let r = 0; r < 4; r++) b.push(...get(7 + r), ...F64X2_SPLAT, ...set(S[r]), ...get(11 + r), ...F64X2_SPLAT, ...set(Y[r]));
  b.push(0x02, 0x40, 0x03, 0x40);
  b.push(...get(I), ...get(6), 0x4f, 0x0d, 1);
  b.push(...get(4), ...get(I), 0x6a, ...V128_LOAD, ...set(U));
  for (let r = 0; r < 4; r++) {
    b.push(...get(r), ...get(I), 0x6a, ...tee(ADDR));
    b.push(...get(ADDR), ...V128_LOAD, ...get(S[r]), ...get(U), ...F64X2_MUL, ...F64X2_SUB, ...tee(X));
    b.push(...V128_STORE);
    if (r === 0) b.push(...get(Y[r]), ...get(X), ...F64X2_MUL, ...set(ACC));
    else b.push(...get(ACC), ...get(Y[r]), ...get(X), ...F64X2_MUL, ...F64X2_ADD, ...set(ACC));
  }
  b.push(...get(5), ...get(I), 0x6a, ...tee(ADDR), ...get(ADDR), ...V128_LOAD, ...get(ACC), ...F64X2_ADD, ...V128_STORE);
  b.push(...get(I), 0x41, 16, 0x6a, ...set(I), 0x0c, 0, 0x0b, 0x0b);
  b.push(0x0b);
  const locals = vec([[1, I32], [11, V128], [1, I32]]);
  return [...locals, ...b];
}

function moduleBytes(): Uint8Array {
  const quad = quadBody(), rank1 = rank1Body();
  const params = (n32: number, n64: number): number[] => vec([...Array(n32).fill([I32]), ...Array(n64).fill([F64])]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...params(7, 4), 0], [0x60, ...params(7, 8), 0]])),
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, 1]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('quad'), 0x00, 0], [...name('rank1'), 0x00, 1]])),
    ...section(10, vec([[...uleb(quad.length), ...quad], [...uleb(rank1.length), ...rank1]])),
  ]);
}

/** The part of the WebAssembly API used here (this package's TypeScript libs do not declare it). */
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number }) => WasmMemory;
}

/** Bytes at the start of the memory reserved for the kernels' results (the data starts after). */
export const SIMD_RESULT_BYTES = 64;

export interface SimdKernels {
  /** The memory the kernels work on, ≥ the size asked for; a Float64Array over all of it. */
  mem: WasmMemory;
  f64: Float64Array;
  quad: (ra: number, rb: number, rc: number, rd: number, vo: number, uo: number, nbytes: number,
    ta: number, tb: number, tc: number, td: number) => void;
  rank1: (ra: number, rb: number, rc: number, rd: number, uo: number, zo: number, nbytes: number,
    sa: number, sb: number, sc: number, sd: number, ya: number, yb: number, yc: number, yd: number) => void;
}

let compiled: { wasm: WasmApi; mod: object } | null | undefined;

/** The compiled module, or null where WebAssembly SIMD cannot be used here. */
function simdModule(): { wasm: WasmApi; mod: object } | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    compiled = wasm ? { wasm, mod: new wasm.Module(moduleBytes()) } : null;
  } catch {
    compiled = null; // no SIMD support, or compilation refused (Content-Security-Policy)
  }
  return compiled;
}

/**
 * Kernels on a fresh memory of at least `bytes` bytes (its own, so nothing is retained after the
 * caller drops it), or null when WebAssembly SIMD is unavailable or the memory cannot be had.
 */
export function simdKernels(bytes: number): SimdKernels | null {
  const m = simdModule();
  if (!m) return null;
  const pages = Math.ceil((bytes + SIMD_RESULT_BYTES) / 65536);
  if (pages > 32768) return null; // 2 GB: beyond what every engine grants
  try {
    const mem = new m.wasm.Memory({ initial: pages, maximum: pages });
    const inst = new m.wasm.Instance(m.mod, { m: { mem } });
    return {
      mem, f64: new Float64Array(mem.buffer),
      quad: inst.exports.quad as SimdKernels['quad'], rank1: inst.exports.rank1 as SimdKernels['rank1'],
    };
  } catch {
    return null; // out of memory: the TypeScript loops need none
  }
}
