/**
 * Householder factorisations on row-major Float64Array, written for V8: every inner loop runs
 * along a contiguous row, and each pass over the trailing matrix does as much work as possible
 * while a row is in cache. (No npm package does this at a usable speed: see
 * /work/shared/notes/ecosystem.md, where ml-matrix's SVD measured 20–70× numpy.)
 *
 * Reflectors follow LAPACK's dlarfg convention: H = I − τ·v·vᵀ with v₀ = 1, H·x = β·e₁,
 * β = −sign(x₀)·‖x‖, τ = (β − x₀)/β, v₁… = x₁…/(x₀ − β). Inputs should be scaled so that the
 * largest entry is O(1) (the callers scale by a power of two), so ‖x‖² neither overflows nor
 * underflows needlessly.
 */

import { SIMD_RESULT_BYTES, simdKernels, type SimdKernels } from './simd-kernels.js';

/** Column count from which the bidiagonalisation runs in WebAssembly SIMD. */
const SIMD_MIN_COLS = 96;
const BASE = SIMD_RESULT_BYTES / 8; // A's first element in the WASM memory (f64 index)

/**
 * Turns w[off … off+len−1] into a reflector in place: w[off] ← β, w[off+1…] ← v₁…; returns τ.
 */
function makeRowReflector(w: Float64Array, off: number, len: number): number {
  const alpha = w[off];
  let ss = 0;
  for (let j = 1; j < len; j++) ss += w[off + j] * w[off + j];
  if (ss === 0) return 0;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + ss);
  const inv = 1 / (alpha - beta);
  for (let j = 1; j < len; j++) w[off + j] *= inv;
  w[off] = beta;
  return (beta - alpha) / beta;
}

/**
 * Golub–Kahan bidiagonalisation of a row-major m×n matrix A with m ≥ n (in place unless in SIMD):
 * A = U·B·Vᵀ with B upper bidiagonal (GVL Algorithm 5.4.2). Returns d (n) and e (n−1).
 *
 * Step k applies a left reflector (from column k) and a right reflector (from row k). The usual
 * four passes over the trailing matrix per step are fused into ONE: for each row i > k, while the
 * row is in L1 it receives the left update (−τ_L·v_i·w), the right update (−τ_R·(r·u)·u), and it
 * contributes z += x_i·r to the NEXT step's w = Σ v_i·A[i, :], which is linear in the next
 * reflector v = (x − β·e₁)/(x₀ − β): w = A[k+1, :] + z/(x₀ − β). Same reflectors, same flops as
 * LAPACK's dgebd2, a quarter of the memory traffic.
 */
export function bidiagonalize(m: number, n: number, input: Float64Array, opts: { simd?: boolean } = {}): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  if (n === 0) return { d, e };
  // From SIMD_MIN_COLS columns the work runs in a WebAssembly memory (A, then w, then z), the
  // four-row steps in f64x2 SIMD (simd-kernels.ts); the input is then left as it was given.
  const simd = (opts.simd ?? n >= SIMD_MIN_COLS) ? simdKernels(8 * (m * n + 2 * n)) : null;
  const wBase = BASE + m * n, zBase = wBase + n;
  const a = simd ? simd.f64.subarray(BASE, BASE + m * n) : input;
  if (simd) a.set(input.subarray(0, m * n));
  const w = simd ? simd.f64.subarray(wBase, wBase + n) : new Float64Array(n);
  const z = simd ? simd.f64.subarray(zBase, zBase + n) : new Float64Array(n);
  // First left reflector (column 0) and its w = Σ_i v_i·A[i, 1:], by one strided + one row pass.
  let colss = 0;
  for (let i = 1; i < m; i++) colss += a[i * n] * a[i * n];
  let tauL = startLeft(a, n, 0, m, colss);
  if (tauL !== 0) {
    for (let j = 1; j < n; j++) w[j] = a[j];
    for (let i = 1; i < m; i++) {
      const vi = a[i * n];
      const ro = i * n;
      for (let j = 1; j < n; j++) w[j] += vi * a[ro + j];
    }
  }
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    d[k] = a[rk + k];
    // Left update of row k (v_k = 1), then the right reflector from A[k, k+1:].
    if (tauL !== 0) for (let j = k + 1; j < n; j++) a[rk + j] -= tauL * w[j];
    if (k === n - 1) break;
    const tauR = makeRowReflector(a, rk + k + 1, n - k - 1);
    e[k] = a[rk + k + 1];
    // Fused pass over the rows below: row k+1 alone (it is x₀ of the next column), then groups of
    // four rows (measured ~1.5× faster than one row at a time on 512², interleaved runs).
    const c0 = k + 1;
    z.fill(0, c0 + 1);
    fusedRow(a, n, k, k + 1, tauL, tauR, w, z, false);
    let ss = 0;
    let i = k + 2;
    for (; i + 3 < m; i += 4) ss += fusedRowQuad(a, n, k, i, tauL, tauR, w, z, simd, wBase);
    for (; i + 1 < m; i += 2) ss += fusedRowPair(a, n, k, i, tauL, tauR, w, z);
    if (i < m) ss += fusedRow(a, n, k, i, tauL, tauR, w, z, true);
    // Next left reflector from column k+1 (rows k+1…), and its w.
    const alpha = a[(k + 1) * n + k + 1];
    tauL = startLeft(a, n, k + 1, m, ss);
    if (tauL === 0) w.fill(0);
    else {
      const beta = a[(k + 1) * n + k + 1];
      const inv = 1 / (alpha - beta);
      const r1 = (k + 1) * n;
      for (let j = k + 2; j < n; j++) w[j] = a[r1 + j] + inv * z[j];
    }
  }
  return { d, e };
}

/**
 * Makes the left reflector from column k, rows k…m−1 (given Σ_{i>k} A[i,k]², `ss`): stores β in
 * A[k,k] and v_i in A[i,k] (i > k); returns τ. For the w computed by the caller from z, the
 * returned τ pairs with the unscaled x: w = A[k, :] + z/(x₀ − β).
 */
function startLeft(a: Float64Array, n: number, k: number, m: number, ss: number): number {
  const alpha = a[k * n + k];
  if (ss === 0 || k >= m - 1) return 0;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + ss);
  const inv = 1 / (alpha - beta);
  for (let i = k + 1; i < m; i++) a[i * n + k] *= inv;
  a[k * n + k] = beta;
  return (beta - alpha) / beta;
}

/**
 * One row i of the fused pass (columns k+1…): left update −τ_L·v_i·w, right update with the
 * reflector u stored in row k (u₀ = 1 at column k+1), then (if `accumulate`) z += x₀·row[k+2…].
 * Returns x₀² (x₀ = the row's new entry in column k+1) when accumulating, else 0.
 */
function fusedRow(a: Float64Array, n: number, k: number, i: number, tauL: number, tauR: number,
  w: Float64Array, z: Float64Array, accumulate: boolean): number {
  const ro = i * n, rk = k * n, c0 = k + 1;
  const tl = tauL * a[ro + k];
  let s = a[ro + c0] - tl * w[c0];
  a[ro + c0] = s;
  for (let j = c0 + 1; j < n; j++) {
    const x = a[ro + j] - tl * w[j];
    a[ro + j] = x;
    s += x * a[rk + j];
  }
  s *= tauR;
  const x0 = a[ro + c0] - s;
  a[ro + c0] = x0;
  if (!accumulate) {
    for (let j = c0 + 1; j < n; j++) a[ro + j] -= s * a[rk + j];
    return 0;
  }
  for (let j = c0 + 1; j < n; j++) {
    const x = a[ro + j] - s * a[rk + j];
    a[ro + j] = x;
    z[j] += x0 * x;
  }
  return x0 * x0;
}

/** fusedRow for rows i and i+1 together: each load of w, u and z serves both rows. */
function fusedRowPair(a: Float64Array, n: number, k: number, i: number, tauL: number, tauR: number,
  w: Float64Array, z: Float64Array): number {
  const ra = i * n, rb = ra + n, rk = k * n, c0 = k + 1;
  const ta = tauL * a[ra + k], tb = tauL * a[rb + k];
  let sa = a[ra + c0] - ta * w[c0], sb = a[rb + c0] - tb * w[c0];
  a[ra + c0] = sa;
  a[rb + c0] = sb;
  for (let j = c0 + 1; j < n; j++) {
    const wj = w[j], uj = a[rk + j];
    const xa = a[ra + j] - ta * wj, xb = a[rb + j] - tb * wj;
    a[ra + j] = xa;
    a[rb + j] = xb;
    sa += xa * uj;
    sb += xb * uj;
  }
  sa *= tauR;
  sb *= tauR;
  const xa0 = a[ra + c0] - sa, xb0 = a[rb + c0] - sb;
  a[ra + c0] = xa0;
  a[rb + c0] = xb0;
  for (let j = c0 + 1; j < n; j++) {
    const uj = a[rk + j];
    const xa = a[ra + j] - sa * uj, xb = a[rb + j] - sb * uj;
    a[ra + j] = xa;
    a[rb + j] = xb;
    z[j] += xa0 * xa + xb0 * xb;
  }
  return xa0 * xa0 + xb0 * xb0;
}

/**
 * fusedRow for rows i…i+3 together (four rows share each load of w, u and z). With `simd` (a, w
 * and z are then views of its memory: a from BASE, w from wBase, z right after w), both column
 * sweeps from column `end` on (an even count) go to the WASM kernels; only one or two run here.
 */
function fusedRowQuad(a: Float64Array, n: number, k: number, i: number, tauL: number, tauR: number,
  w: Float64Array, z: Float64Array, simd: SimdKernels | null, wBase: number): number {
  const ra = i * n, rb = ra + n, rc = rb + n, rd = rc + n, rk = k * n, c0 = k + 1;
  const end = simd ? ((n - c0 - 1) % 2 === 1 ? c0 + 2 : c0 + 1) : n;
  const at = 8 * (BASE + end), wAt = 8 * (wBase + end); // byte addresses of column `end` (SIMD only)
  const ta = tauL * a[ra + k], tb = tauL * a[rb + k], tc = tauL * a[rc + k], td = tauL * a[rd + k];
  const w0 = w[c0];
  let sa = a[ra + c0] - ta * w0, sb = a[rb + c0] - tb * w0, sc = a[rc + c0] - tc * w0, sd = a[rd + c0] - td * w0;
  a[ra + c0] = sa;
  a[rb + c0] = sb;
  a[rc + c0] = sc;
  a[rd + c0] = sd;
  for (let j = c0 + 1; j < end; j++) {
    const wj = w[j], uj = a[rk + j];
    const xa = a[ra + j] - ta * wj, xb = a[rb + j] - tb * wj, xc = a[rc + j] - tc * wj, xd = a[rd + j] - td * wj;
    a[ra + j] = xa;
    a[rb + j] = xb;
    a[rc + j] = xc;
    a[rd + j] = xd;
    sa += xa * uj;
    sb += xb * uj;
    sc += xc * uj;
    sd += xd * uj;
  }
  if (simd && end < n) {
    simd.quad(at + 8 * ra, at + 8 * rb, at + 8 * rc, at + 8 * rd, wAt, at + 8 * rk, 8 * (n - end), ta, tb, tc, td);
    const f = simd.f64;
    sa += f[0];
    sb += f[1];
    sc += f[2];
    sd += f[3];
  }
  sa *= tauR;
  sb *= tauR;
  sc *= tauR;
  sd *= tauR;
  const xa0 = a[ra + c0] - sa, xb0 = a[rb + c0] - sb, xc0 = a[rc + c0] - sc, xd0 = a[rd + c0] - sd;
  a[ra + c0] = xa0;
  a[rb + c0] = xb0;
  a[rc + c0] = xc0;
  a[rd + c0] = xd0;
  for (let j = c0 + 1; j < end; j++) {
    const uj = a[rk + j];
    const xa = a[ra + j] - sa * uj, xb = a[rb + j] - sb * uj, xc = a[rc + j] - sc * uj, xd = a[rd + j] - sd * uj;
    a[ra + j] = xa;
    a[rb + j] = xb;
    a[rc + j] = xc;
    a[rd + j] = xd;
    z[j] += xa0 * xa + xb0 * xb + xc0 * xc + xd0 * xd;
  }
  if (simd && end < n) {
    simd.rank1(at + 8 * ra, at + 8 * rb, at + 8 * rc, at + 8 * rd, at + 8 * rk, wAt + 8 * n, 8 * (n - end),
      sa, sb, sc, sd, xa0, xb0, xc0, xd0);
  }
  return xa0 * xa0 + xb0 * xb0 + xc0 * xc0 + xd0 * xd0;
}

