import type { Matrix } from './types.js';
import { checkFinite, checkProductShapes, toFloat64Copy, transpose } from './validate.js';
import { lqFusedInPlace } from './js/lq-fused.js';

/**
 * Euclidean norms with scaling, so entries near 1e±150 and beyond neither overflow nor underflow:
 * ‖x‖ = s·sqrt(Σ (x_i/s)²) with s = max|x_i| (the LAPACK dnrm2 idea, in two passes).
 */

/** Frobenius norm ‖A‖_F = sqrt(Σ a_ij²). NaN/Inf → NumericError naming the matrix. */
export function frobeniusNorm(a: Matrix): number {
  checkFinite(a);
  const n = a.rows * a.cols, x = a.data;
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[i]));
  if (mx === 0) return 0;
  const inv = 1 / mx;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] * inv;
    ss += v * v;
  }
  return mx * Math.sqrt(ss);
}

/** Euclidean norm of each column of a row-major rows×cols array (contiguous row passes). */
export function columnNormsOf(rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const mx = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = Math.abs(x[o + j]);
      if (v > mx[j]) mx[j] = v;
    }
  }
  const inv = new Float64Array(cols);
  for (let j = 0; j < cols; j++) inv[j] = mx[j] === 0 ? 0 : 1 / mx[j];
  const ss = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = x[o + j] * inv[j];
      ss[j] += v * v;
    }
  }
  for (let j = 0; j < cols; j++) ss[j] = mx[j] * Math.sqrt(ss[j]);
  return ss;
}

/** The 2-norm of every column of A (length A.cols). */
export function columnNorms(a: Matrix): Float64Array {
  checkFinite(a);
  return columnNormsOf(a.rows, a.cols, a.data);
}

/**
 * Column norms of A·B (A: m×k, B: k×n) without forming it when k < m: with Aᵀ = L·Q (thin LQ,
 * i.e. A = Qᵀ·Lᵀ with orthonormal columns), ‖A·b_j‖ = ‖Lᵀ·b_j‖ exactly (orthogonal invariance),
 * costing O(m·k² + k²·n) instead of O(m·k·n), and never the Gram matrix AᵀA (which would lose
 * the small norms to cancellation).
 */
export function productColumnNorms(a: Matrix, b: Matrix): Float64Array {
  checkProductShapes(a, b);
  const m = a.rows, k = a.cols, n = b.cols;
  const af = toFloat64Copy(a, 'matrix A'), bf = toFloat64Copy(b, 'matrix B');
  let left: Float64Array, rows: number;
  if (k < m) {
    // Power-of-two scaling keeps the squared norms inside the LQ well away from overflow.
    let mx = 0;
    for (let i = 0; i < af.length; i++) mx = Math.max(mx, Math.abs(af[i]));
    const s = mx === 0 ? 1 : 2 ** -Math.ceil(Math.log2(mx));
    for (let i = 0; i < af.length; i++) af[i] *= s;
    const l = lqFusedInPlace(k, m, transpose(m, k, af)); // k×k lower; Lᵀ is upper
    left = transpose(k, k, l);
    for (let i = 0; i < left.length; i++) left[i] /= s;
    rows = k;
  } else {
    left = af;
    rows = m;
  }
  // C = left·B, rows×n, then its column norms.
  const c = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) {
    for (let p = 0; p < k; p++) {
      const v = left[i * k + p];
      if (v === 0) continue;
      const bo = p * n, co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += v * bf[bo + j];
    }
  }
  return columnNormsOf(rows, n, c);
}
