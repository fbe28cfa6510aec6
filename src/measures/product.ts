import type { Matrix } from '../linalg/types.js';
import { backend } from '../linalg/registry.js';
import { noteFormedProduct } from '../linalg/formed.js';

/**
 * Entry-wise quantities of a product A·B (A: m×k, B: k×n) — column norms (for the (2,1)-norm),
 * the (1,1)-norm and the Frobenius norm — computed block of rows by block of rows in float64, so
 * the m×n product is never held whole. Only the "reference" convention uses them (it forms the
 * product for a full SVD anyway); the default path measures products through
 * LinalgBackend.measureProduct, which never forms a thin one.
 * The products run on the process's backend (OpenBLAS dgemm on `native`, the blocked TypeScript
 * kernel on `js`), so `--backend js` holds here too.
 */
export interface ProductNorms {
  columnNorms: Float64Array;
  norm11: number;
  frobenius: number;
}

const BLOCK_ELEMS = 1 << 20; // about 8 MB of float64 per block of the product

function toF64(data: ArrayLike<number>, start: number, len: number): Float64Array {
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = data[start + i];
  return out;
}

/** C (r×n) = A[r×k] · B[k×n], all row-major float64, on the process's backend (registry.ts). */
function gemm(a: Float64Array, b: Float64Array, r: number, k: number, n: number): Float64Array {
  const c = new Float64Array(r * n);
  backend().gemm(false, false, r, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
  return c;
}

function checkShapes(a: Matrix, b: Matrix): void {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
}

/** Column norms, (1,1) and Frobenius norms of A·B, in float64, blockwise. */
export function productNorms(a: Matrix, b: Matrix): ProductNorms {
  checkShapes(a, b);
  const { rows: m, cols: k } = a;
  const n = b.cols;
  noteFormedProduct(m, k, n);
  const bf = toF64(b.data, 0, k * n);
  const block = Math.max(1, Math.floor(BLOCK_ELEMS / Math.max(n, 1)));
  const col = new Float64Array(n);
  let l11 = 0;
  for (let i0 = 0; i0 < m; i0 += block) {
    const r = Math.min(block, m - i0);
    const c = gemm(toF64(a.data, i0 * k, r * k), bf, r, k, n);
    for (let i = 0; i < r; i++) {
      const off = i * n;
      for (let j = 0; j < n; j++) {
        const x = c[off + j];
        col[j] += x * x;
        l11 += Math.abs(x);
      }
    }
  }
  let fro = 0;
  for (let j = 0; j < n; j++) {
    fro += col[j];
    col[j] = Math.sqrt(col[j]);
  }
  return { columnNorms: col, norm11: l11, frobenius: Math.sqrt(fro) };
}

/** The dense product A·B in float64 (for the reference convention's full SVD). */
export function denseProduct(a: Matrix, b: Matrix, name?: string): Matrix {
  checkShapes(a, b);
  noteFormedProduct(a.rows, a.cols, b.cols);
  const data = gemm(toF64(a.data, 0, a.rows * a.cols), toF64(b.data, 0, b.rows * b.cols), a.rows, a.cols, b.cols);
  return { rows: a.rows, cols: b.cols, data, name };
}
