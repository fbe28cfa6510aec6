import type { FloatArray } from '../types.js';

/**
 * The TypeScript GEMM kernel of the `js` backend (src/linalg/registry.ts): C = alpha·op(A)·op(B)
 * + beta·C, row-major, op(A) m×k, op(B) k×n, leading dimensions lda/ldb/ldc (row strides) and
 * element offsets into each array — the BLAS GEMM convention (LAPACK Users' Guide, xGEMM)
 * transposed to row-major. Used by src/nn (training) and src/measures (product norms).
 */
const KC = 256; // depth of one k-panel: a panel of op(B) (KC×n) stays in L2 while rows of C stream
let packB32 = new Float32Array(0);
let packB64 = new Float64Array(0);
const packA = new Float64Array(4 * KC);

/**
 * The TypeScript kernel. op(B) is packed k-panel by k-panel into a contiguous KC×n buffer and
 * alpha·op(A) four rows at a time into a KC×4 buffer; each 4×4 block of C is then accumulated in
 * sixteen local variables (registers), so every step of the inner loop does 16 multiply-adds for
 * 8 loads and no stores — what V8's scalar code does best without SIMD. Sums are kept in float64
 * within a panel. Written by hand because no maintained npm package offers a strided,
 * transposable float32 GEMM without a native or WASM binary download.
 */
export function gemmJs(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, aOff: number, lda: number, b: FloatArray, bOff: number, ldb: number,
  beta: number, c: FloatArray, cOff: number, ldc: number,
): void {
  // C <- beta·C (beta = 0 overwrites, ignoring NaN in C as BLAS does).
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      const r = cOff + i * ldc;
      if (beta === 0) c.fill(0, r, r + n);
      else for (let j = r; j < r + n; j++) c[j] *= beta;
    }
  }
  if (k === 0 || alpha === 0) return;
  const is64 = c instanceof Float64Array;
  const need = Math.min(k, KC) * n;
  if (is64 && packB64.length < need) packB64 = new Float64Array(need);
  if (!is64 && packB32.length < need) packB32 = new Float32Array(need);
  const bp: FloatArray = is64 ? packB64 : packB32;
  const ap = packA;
  // Stride of op(A)(i, p): row step ai, depth step aq.
  const ai = transA ? 1 : lda;
  const aq = transA ? lda : 1;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    if (transB) {
      for (let j = 0; j < n; j++) {
        const src = bOff + j * ldb + p0;
        for (let p = 0; p < kc; p++) bp[p * n + j] = b[src + p];
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = bOff + (p0 + p) * ldb;
        for (let j = 0; j < n; j++) bp[p * n + j] = b[src + j];
      }
    }
    for (let i0 = 0; i0 < m; i0 += 4) {
      const mr = Math.min(4, m - i0);
      for (let r = 0; r < 4; r++) {
        if (r < mr) {
          const base = aOff + (i0 + r) * ai + p0 * aq;
          for (let p = 0; p < kc; p++) ap[p * 4 + r] = alpha * a[base + p * aq];
        } else {
          for (let p = 0; p < kc; p++) ap[p * 4 + r] = 0;
        }
      }
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0, pb = j; p < kc; p++, pb += n) {
          const a0 = ap[4 * p], a1 = ap[4 * p + 1], a2 = ap[4 * p + 2], a3 = ap[4 * p + 3];
          const b0 = bp[pb], b1 = bp[pb + 1], b2 = bp[pb + 2], b3 = bp[pb + 3];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        let o = cOff + i0 * ldc + j;
        c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03;
        if (mr > 1) { o += ldc; c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; }
        if (mr > 2) { o += ldc; c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; }
        if (mr > 3) { o += ldc; c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33; }
      }
      for (; j < n; j++) {
        let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (let p = 0, pb = j; p < kc; p++, pb += n) {
          const bv = bp[pb];
          c0 += ap[4 * p] * bv; c1 += ap[4 * p + 1] * bv; c2 += ap[4 * p + 2] * bv; c3 += ap[4 * p + 3] * bv;
        }
        const o = cOff + i0 * ldc + j;
        c[o] += c0;
        if (mr > 1) c[o + ldc] += c1;
        if (mr > 2) c[o + 2 * ldc] += c2;
        if (mr > 3) c[o + 3 * ldc] += c3;
      }
    }
  }
}
