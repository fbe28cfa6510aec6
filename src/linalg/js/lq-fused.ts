/**
 * Householder LQ on row-major Float64Array, unblocked, with ONE pass over the trailing rows per
 * reflector: the "LQ first" step of the SVD of rectangular matrices and the thin factorisations
 * of the product path. Hand-written because no npm package provides a usable float64 LQ/QR
 * (ecosystem notes: ml-matrix's SVD measured 20–70× numpy).
 *
 * Reflector i comes from row i (LAPACK dlarfg convention, v_i = 1, stored in the row's columns
 * > i). Applying it to a row x below needs s = τ_i·(x·v_i), and the NEXT reflector needs x'·v_{i+1}
 * of the updated row. Row i+1 is updated first and turned into v_{i+1}; then every later row is
 * updated with v_i AND dotted with v_{i+1} in the same sweep, the dot saved in d[] for the next
 * step. Rows go four at a time, so each load of v_i and v_{i+1} serves four rows and the four
 * dot products are independent dependency chains.
 *
 * It replaced a blocked compact-WY LQ (LAPACK dgelqf/dlarft/dlarfb style, 2×4 register kernels):
 * same reflectors, and faster at every size measured (min of runs, same process):
 * 64×768 1.07 vs 1.52 ms (blocked nb = 32: 2.1 ms), 256×1024 20 vs 30 ms, 768×3072 596 vs 747 ms,
 * 1024×4096 1388 vs 1616 ms. A blocked variant with packed 4×4 register kernels (2026-12-03) was
 * again no faster: 3.33 vs 3.37 GFLOPS at 768×3072 (CPU time, same process) — both run at the
 * speed of V8's scalar code (≈ 3.9 GFLOPS for any kernel shape), not of the memory.
 */
import { SIMD_RESULT_BYTES, simdKernels, type SimdKernels } from './simd-kernels.js';

/**
 * Row count from which the sweep runs in WebAssembly SIMD (below, copying in costs more than it
 * saves). 64 takes in the head products' d = 64 factors: median CPU ms, quiet Zen 3, 60 runs,
 * SIMD vs TypeScript: 64×768 1.43 vs 2.01, 64×1024 2.03 vs 2.84, 64×3072 5.50 vs 8.39; 32×768
 * 0.59 vs 0.63 (no gain, so 32-row heads stay in TypeScript).
 */
const SIMD_MIN_ROWS = 64;
const BASE = SIMD_RESULT_BYTES / 8; // the matrix's first element in the WASM memory (f64 index)

/** Reflector from w[off…off+len−1] in place: w[off] ← β, w[off+1…] ← v; returns τ. */
function makeReflector(w: Float64Array, off: number, len: number): number {
  const alpha = w[off];
  let s0 = 0, s1 = 0;
  let j = 1;
  for (; j + 1 < len; j += 2) {
    const x = w[off + j], y = w[off + j + 1];
    s0 += x * x;
    s1 += y * y;
  }
  if (j < len) s0 += w[off + j] * w[off + j];
  const ss = s0 + s1;
  if (ss === 0) return 0;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + ss);
  const inv = 1 / (alpha - beta);
  for (let c = 1; c < len; c++) w[off + c] *= inv;
  w[off] = beta;
  return (beta - alpha) / beta;
}

/** x·v for row `ro` against reflector row `vo` (v₀ = 1 at column c0), columns c0…q−1. */
function dotReflector(w: Float64Array, q: number, ro: number, vo: number, c0: number): number {
  let s0 = w[ro + c0], s1 = 0;
  let c = c0 + 1;
  for (; c + 1 < q; c += 2) {
    s0 += w[ro + c] * w[vo + c];
    s1 += w[ro + c + 1] * w[vo + c + 1];
  }
  if (c < q) s0 += w[ro + c] * w[vo + c];
  return s0 + s1;
}

/**
 * Thin LQ of a row-major p×q matrix (p ≤ q), in place: W = L·Q. Returns the p×p lower-triangular
 * L (row-major, zeros above the diagonal). Entries should be O(1) (callers scale by a power of 2).
 * From SIMD_MIN_ROWS rows (or always, with `simd: true`) the work runs in a WebAssembly memory
 * with the four-row sweep in f64x2 SIMD (simd-kernels.ts), and W is then left as it was given;
 * `simd: false`, or an engine without WebAssembly SIMD, keeps everything in TypeScript.
 */
export function lqFusedInPlace(p: number, q: number, w: Float64Array, opts: { simd?: boolean } = {}): Float64Array {
  const k = (opts.simd ?? p >= SIMD_MIN_ROWS) ? simdKernels(8 * p * q) : null;
  let x = w;
  if (k) {
    x = k.f64.subarray(BASE, BASE + p * q);
    x.set(w.subarray(0, p * q));
  }
  factor(p, q, x, k);
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) l[i * p + j] = x[i * q + j];
  return l;
}

/** The one-pass LQ in place on x (p×q, row stride q); its four-row sweeps in WASM when k is given (x = k's memory). */
function factor(p: number, q: number, w: Float64Array, k: SimdKernels | null): void {
  if (p === 0) return;
  const d = new Float64Array(p);
  let tau = makeReflector(w, 0, q);
  for (let r = 1; r < p; r++) d[r] = dotReflector(w, q, r * q, 0, 0);
  for (let i = 0; i + 1 < p; i++) {
    const vo = i * q, c0 = i;
    // Row i+1: update with v_i, then it becomes v_{i+1}.
    const r1 = vo + q;
    const t1 = tau * d[i + 1];
    w[r1 + c0] -= t1;
    for (let c = c0 + 1; c < q; c++) w[r1 + c] -= t1 * w[vo + c];
    const tauNext = makeReflector(w, r1 + i + 1, q - i - 1);
    // Rows i+2…: update with v_i, dot with v_{i+1} (u, unit at column c0+1).
    let r = i + 2;
    for (; r + 3 < p; r += 4) quad(w, q, r, vo, c0, tau, d, k);
    if (r + 1 < p) {
      pair(w, q, r, vo, c0, tau, d);
      r += 2;
    }
    for (; r < p; r++) {
      const ro = r * q, t = tau * d[r];
      w[ro + c0] -= t;
      const x1 = w[ro + c0 + 1] - t * w[vo + c0 + 1];
      w[ro + c0 + 1] = x1;
      let s = x1;
      for (let c = c0 + 2; c < q; c++) {
        const x = w[ro + c] - t * w[vo + c];
        w[ro + c] = x;
        s += x * w[r1 + c];
      }
      d[r] = s;
    }
    tau = tauNext;
  }
}

/**
 * Rows r…r+3: x ← x − τ·d_r·v_i (columns c0…), d_r ← x·v_{i+1} (v_{i+1} = row c0+1, unit at c0+1).
 * With k (w is then k's memory from BASE), the columns from c0+2 or c0+3 on (an even count) go to
 * the WASM kernel and only the first two or three run here.
 */
function quad(w: Float64Array, q: number, r: number, vo: number, c0: number, tau: number, d: Float64Array,
  k: SimdKernels | null): void {
  const end = k ? ((q - c0) % 2 === 0 ? c0 + 2 : c0 + 3) : q;
  const ra = r * q, rb = ra + q, rc = rb + q, rd = rc + q, uo = vo + q;
  const ta = tau * d[r], tb = tau * d[r + 1], tc = tau * d[r + 2], td = tau * d[r + 3];
  w[ra + c0] -= ta;
  w[rb + c0] -= tb;
  w[rc + c0] -= tc;
  w[rd + c0] -= td;
  const v1 = w[vo + c0 + 1];
  let sa = w[ra + c0 + 1] - ta * v1, sb = w[rb + c0 + 1] - tb * v1;
  let sc = w[rc + c0 + 1] - tc * v1, sd = w[rd + c0 + 1] - td * v1;
  w[ra + c0 + 1] = sa;
  w[rb + c0 + 1] = sb;
  w[rc + c0 + 1] = sc;
  w[rd + c0 + 1] = sd;
  for (let c = c0 + 2; c < end; c++) {
    const vc = w[vo + c], uc = w[uo + c];
    const xa = w[ra + c] - ta * vc, xb = w[rb + c] - tb * vc, xc = w[rc + c] - tc * vc, xd = w[rd + c] - td * vc;
    w[ra + c] = xa;
    w[rb + c] = xb;
    w[rc + c] = xc;
    w[rd + c] = xd;
    sa += xa * uc;
    sb += xb * uc;
    sc += xc * uc;
    sd += xd * uc;
  }
  if (k && end < q) {
    const b = 8 * (BASE + end); // byte address of column `end` of row 0
    k.quad(b + 8 * ra, b + 8 * rb, b + 8 * rc, b + 8 * rd, b + 8 * vo, b + 8 * uo, 8 * (q - end), ta, tb, tc, td);
    const f = k.f64;
    sa += f[0];
    sb += f[1];
    sc += f[2];
    sd += f[3];
  }
  d[r] = sa;
  d[r + 1] = sb;
  d[r + 2] = sc;
  d[r + 3] = sd;
}

/** quad() for rows r, r+1 (the remainder of the four-row groups: two chains instead of one). */
function pair(w: Float64Array, q: number, r: number, vo: number, c0: number, tau: number, d: Float64Array): void {
  const ra = r * q, rb = ra + q, uo = vo + q;
  const ta = tau * d[r], tb = tau * d[r + 1];
  w[ra + c0] -= ta;
  w[rb + c0] -= tb;
  const v1 = w[vo + c0 + 1];
  let sa = w[ra + c0 + 1] - ta * v1, sb = w[rb + c0 + 1] - tb * v1;
  w[ra + c0 + 1] = sa;
  w[rb + c0 + 1] = sb;
  for (let c = c0 + 2; c < q; c++) {
    const vc = w[vo + c], uc = w[uo + c];
    const xa = w[ra + c] - ta * vc, xb = w[rb + c] - tb * vc;
    w[ra + c] = xa;
    w[rb + c] = xb;
    sa += xa * uc;
    sb += xb * uc;
  }
  d[r] = sa;
  d[r + 1] = sb;
}
