import type { Matrix } from '../linalg/types.js';
import { columnNorms, frobeniusNorm } from '../linalg/norms.js';

/**
 * Norms of one matrix, in the row-vector convention (a token is a row x, a layer is x -> x W).
 * Source: ../shared/spec/spectrum-adaptive-bound.md, "Per-matrix quantities".
 */

/** Nuclear norm: sum of the singular values. */
export function nuclearNorm(sv: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < sv.length; j++) s += sv[j];
  return s;
}

/** Frobenius norm from the singular values: sqrt(sum sigma_j^2). */
export function frobeniusFromSpectrum(sv: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < sv.length; j++) s += sv[j] * sv[j];
  return Math.sqrt(s);
}

/** Stable rank: sum sigma_j^2 / sigma_1^2 (0 for the zero matrix). */
export function stableRank(sv: ArrayLike<number>): number {
  if (sv.length === 0 || !(sv[0] > 0)) return 0;
  let s = 0;
  for (let j = 0; j < sv.length; j++) s += sv[j] * sv[j];
  return s / (sv[0] * sv[0]);
}

/**
 * Euclidean norm of every column of a row-major matrix, in float64 with scaling (linalg/norms.ts),
 * so float64 weights near 1e±160 neither overflow nor underflow. NaN/Inf → NumericError.
 */
export function columnNormsOf(m: Matrix): Float64Array {
  return columnNorms(m);
}

/**
 * (2,1)-norm: the sum of the Euclidean norms of the COLUMNS of the row-vector matrix W
 * (= ||A^T||_{2,1} of Bartlett et al. 2017 for the column-vector matrix A = W^T).
 */
export function norm21FromColumnNorms(colNorms: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < colNorms.length; j++) s += colNorms[j];
  return s;
}

/** (2,1)-norm of a dense row-major matrix (see norm21FromColumnNorms). */
export function norm21(m: Matrix): number {
  return norm21FromColumnNorms(columnNormsOf(m));
}

/** (1,1)-norm: the sum of the absolute values of all entries. */
export function norm11(m: Matrix): number {
  const n = m.rows * m.cols;
  const d = m.data;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(d[i]);
  return s;
}

/** Frobenius norm of a dense matrix from its entries (float64, scaled as columnNormsOf). */
export function frobeniusOf(m: Matrix): number {
  return frobeniusNorm(m);
}
