import { NumericError, ShapeError } from '../errors.js';
import type { Matrix } from './types.js';

/** How a matrix is named in error messages. */
export function label(a: Matrix, fallback = 'matrix'): string {
  return a.name ? `matrix "${a.name}"` : fallback;
}

/** Checks that rows/cols are non-negative integers and that data holds rows·cols values. */
export function checkShape(a: Matrix, fallback = 'matrix'): void {
  const { rows, cols } = a;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ShapeError(`${label(a, fallback)}: invalid shape ${rows}×${cols}`);
  }
  if (a.data.length < rows * cols) {
    throw new ShapeError(`${label(a, fallback)}: ${rows}×${cols} needs ${rows * cols} values but has ${a.data.length}`);
  }
}

function nonFinite(a: Matrix, idx: number, fallback: string): NumericError {
  const v = a.data[idx];
  const what = Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const i = Math.floor(idx / a.cols), j = idx - i * a.cols;
  return new NumericError(`${label(a, fallback)}: contains ${what} at row ${i}, column ${j}`);
}

/**
 * A float64 row-major copy of `a` (rows·cols values), checked for NaN/Inf while copying. The copy
 * is the backends' scratch array: LAPACK and the TypeScript factorisations overwrite their input.
 */
export function toFloat64Copy(a: Matrix, fallback = 'matrix'): Float64Array {
  checkShape(a, fallback);
  const n = a.rows * a.cols;
  const src = a.data;
  const out = new Float64Array(n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    out[i] = v;
    bad += v - v; // NaN for NaN and ±Inf, 0 otherwise: one branch-free test per element.
  }
  if (bad !== 0) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(src[i])) throw nonFinite(a, i, fallback);
  }
  return out;
}

/**
 * The matrix's values as float64 without copying when they already are (checked for NaN/Inf),
 * else a float64 copy. For callers that only READ the result.
 */
export function float64View(a: Matrix, fallback = 'matrix'): Float64Array {
  if (!(a.data instanceof Float64Array)) return toFloat64Copy(a, fallback);
  checkFinite(a, fallback);
  return a.data;
}

/** Checks a matrix for NaN/Inf without copying. */
export function checkFinite(a: Matrix, fallback = 'matrix'): void {
  checkShape(a, fallback);
  const n = a.rows * a.cols;
  const src = a.data;
  let bad = 0;
  for (let i = 0; i < n; i++) bad += src[i] - src[i];
  if (bad !== 0) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(src[i])) throw nonFinite(a, i, fallback);
  }
}

/** Row-major transpose of an m×n array into a new n×m array. Blocked for cache reuse. */
export function transpose(m: number, n: number, a: Float64Array): Float64Array {
  const t = new Float64Array(m * n);
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) {
        const row = i * n;
        for (let j = j0; j < j1; j++) t[j * m + i] = a[row + j];
      }
    }
  }
  return t;
}

/** Throws ShapeError unless A (m×k) and B (k×n) can be multiplied. */
export function checkProductShapes(a: Matrix, b: Matrix): void {
  checkShape(a, 'matrix A');
  checkShape(b, 'matrix B');
  if (a.cols !== b.rows) {
    throw new ShapeError(`product ${label(a, 'A')}·${label(b, 'B')}: inner dimensions differ (${a.rows}×${a.cols} · ${b.rows}×${b.cols})`);
  }
}
