import type { Matrix, MatrixMeasures, SpectrumWanted } from '../types.js';
import { checkProductShapes, float64View, label, toFloat64Copy } from '../validate.js';
import { columnNormsOf } from '../norms.js';
import { noteFormedProduct, noteL11Pass } from '../formed.js';
import { jsSingularValues, jsThinProduct, matmul } from '../js-backend.js';

/**
 * The TypeScript backend's measureDense / measureProduct (see LinalgBackend): the same quantities
 * as the native kernels (native/spectral.c), by the same routes.
 */

/** Σ|xᵢ| and the scaled Frobenius norm of the column norms (‖·‖_F² = Σ_j ‖col_j‖²). */
function sums(x: Float64Array, n: number, cn: Float64Array): [number, number] {
  let l11 = 0;
  for (let i = 0; i < n; i++) l11 += Math.abs(x[i]);
  let mx = 0;
  for (let j = 0; j < cn.length; j++) mx = Math.max(mx, cn[j]);
  if (mx === 0) return [l11, 0];
  let ss = 0;
  for (let j = 0; j < cn.length; j++) ss += (cn[j] / mx) ** 2;
  return [l11, mx * Math.sqrt(ss)];
}

export function jsMeasureDense(a: Matrix, spectrum: SpectrumWanted, spectralNorm: (a: Matrix) => number): MatrixMeasures {
  const m = a.rows, n = a.cols;
  const x = toFloat64Copy(a); // validates; the SVD below overwrites it
  const columnNorms = columnNormsOf(m, n, x);
  const [norm11, frobenius] = sums(x, m * n, columnNorms);
  let sv: Float64Array;
  if (spectrum === 'all') sv = jsSingularValues(m, n, x, label(a));
  else sv = Math.min(m, n) === 0 ? new Float64Array(0) : Float64Array.of(spectralNorm({ rows: m, cols: n, data: x, name: a.name }));
  return { singularValues: sv, columnNorms, norm11, frobenius };
}

/**
 * Thin factors: σ from the k×k core (jsThinProduct), column norms as ‖L_Aᵀ·b_j‖, and with
 * `want11` the (1,1)-norm one row of A·B at a time (every entry is needed; no m×n array is held).
 */
export function jsMeasureProduct(a: Matrix, b: Matrix, spectrum: SpectrumWanted, spectralNorm: (a: Matrix) => number,
  want11: boolean): MatrixMeasures {
  checkProductShapes(a, b);
  const m = a.rows, k = a.cols, n = b.cols;
  const what = `product ${label(a, 'A')}·${label(b, 'B')}`;
  const af = float64View(a, 'matrix A'), bf = float64View(b, 'matrix B');
  if (k >= Math.min(m, n)) {
    noteFormedProduct(m, k, n);
    return jsMeasureDense({ rows: m, cols: n, data: matmul(m, k, n, af, bf), name: what }, spectrum, spectralNorm);
  }
  const { sv, la, scaleA } = jsThinProduct(m, k, n, af, bf, what);
  // C = L_Aᵀ·B (k×n): C[i][j] = Σ_{p ≥ i} L_A[p][i]·B[p][j], accumulated row p by row p.
  const c = new Float64Array(k * n);
  for (let p = 0; p < k; p++) {
    const bo = p * n;
    for (let i = 0; i <= p; i++) {
      const v = la[p * k + i] / scaleA;
      if (v === 0) continue;
      const co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += v * bf[bo + j];
    }
  }
  const columnNorms = columnNormsOf(k, n, c);
  const norm11 = want11 ? productNorm11(m, k, n, af, bf) : null;
  let f = 0;
  for (let i = 0; i < sv.length; i++) f += sv[i] * sv[i];
  return { singularValues: spectrum === 'all' ? sv : sv.slice(0, 1), columnNorms, norm11, frobenius: Math.sqrt(f) };
}

/** Σ|(A·B)ᵢⱼ|, one row of A·B at a time: all m·k·n multiply-adds (counted by noteL11Pass). */
function productNorm11(m: number, k: number, n: number, af: Float64Array, bf: Float64Array): number {
  noteL11Pass();
  const row = new Float64Array(n);
  let norm11 = 0;
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const v = af[i * k + p];
      if (v === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) row[j] += v * bf[bo + j];
    }
    for (let j = 0; j < n; j++) norm11 += Math.abs(row[j]);
  }
  return norm11;
}
