import { loadNativeAddon, type NativeAddon } from '../linalg/native-addon.js';
import type { Data } from './tensor.js';

/**
 * Matrix products for src/nn: C = alpha·op(A)·op(B) + beta·C, row-major, op(A) m×k, op(B) k×n,
 * leading dimensions lda/ldb/ldc (row strides) and element offsets into each array — the BLAS
 * GEMM convention (LAPACK Users' Guide, xGEMM) transposed to row-major.
 *
 * Two backends behind one function: the native addon's OpenBLAS sgemm/dgemm (chosen when it
 * loads) and the blocked TypeScript kernel below (always available). The choice is made once
 * and can be overridden with setGemmBackend(); a training run is bit-for-bit reproducible for a
 * fixed backend (and, with OpenBLAS, a fixed thread count).
 */
export type GemmBackend = 'native' | 'js';

let native: NativeAddon | null | undefined;
let backend: GemmBackend | undefined;

function nativeAddon(): NativeAddon | null {
  if (native === undefined) native = loadNativeAddon();
  return native;
}

/** The backend in use: 'native' when the addon loaded, else 'js'. */
export function gemmBackend(): GemmBackend {
  if (backend === undefined) backend = nativeAddon() !== null ? 'native' : 'js';
  return backend;
}

/** Forces a backend; 'native' throws when the addon is unavailable. */
export function setGemmBackend(b: GemmBackend): void {
  if (b === 'native' && nativeAddon() === null) throw new Error('the native BLAS addon is not available');
  backend = b;
}

/** Sets OpenBLAS's thread count (no-op on the TypeScript backend). */
export function setGemmThreads(n: number): void {
  nativeAddon()?.setNumThreads(n);
}

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, lda: number, b: Data, bOff: number, ldb: number,
  beta: number, c: Data, cOff: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  if (gemmBackend() === 'native') {
    const nat = native as NativeAddon;
    if (c instanceof Float32Array) {
      nat.sgemm(transA, transB, m, n, k, alpha, view32(a, aOff), lda, view32(b, bOff), ldb, beta, c.subarray(cOff), ldc);
    } else {
      nat.dgemm(transA, transB, m, n, k, alpha, view64(a, aOff), lda, view64(b, bOff), ldb, beta, (c as Float64Array).subarray(cOff), ldc);
    }
    return;
  }
  gemmJs(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
}

/** `batch` products; product i reads A at aOff + i·strideA, B at bOff + i·strideB, writes C at cOff + i·strideC. */
export function gemmBatched(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, lda: number, strideA: number, b: Data, bOff: number, ldb: number, strideB: number,
  beta: number, c: Data, cOff: number, ldc: number, strideC: number, batch: number,
): void {
  if (gemmBackend() === 'native' && c instanceof Float32Array && typeof (native as NativeAddon).sgemmBatched === 'function') {
    (native as NativeAddon).sgemmBatched(transA, transB, m, n, k, alpha, view32(a, aOff), lda, strideA,
      view32(b, bOff), ldb, strideB, beta, c.subarray(cOff), ldc, strideC, batch);
    return;
  }
  for (let i = 0; i < batch; i++) {
    gemm(transA, transB, m, n, k, alpha, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb, beta, c, cOff + i * strideC, ldc);
  }
}

function view32(x: Data, off: number): Float32Array {
  if (!(x instanceof Float32Array)) throw new TypeError('gemm: mixed float32/float64 operands');
  return off === 0 ? x : x.subarray(off);
}

function view64(x: Data, off: number): Float64Array {
  if (!(x instanceof Float64Array)) throw new TypeError('gemm: mixed float32/float64 operands');
  return off === 0 ? x : x.subarray(off);
}

const KC = 256; // depth of one k-panel: a panel of op(B) (KC×n) stays in L2 while rows of C stream
let packBuf32 = new Float32Array(0);
let packBuf64 = new Float64Array(0);

/**
 * The TypeScript kernel. op(B) is packed k-panel by k-panel into a contiguous KC×n buffer; rows
 * of C are updated four at a time (each loaded B value feeds four multiply-adds), which is what
 * V8's scalar code can do best without SIMD. Written by hand because no maintained npm package
 * offers a strided, transposable float32 GEMM without a native or WASM binary download.
 */
export function gemmJs(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, lda: number, b: Data, bOff: number, ldb: number,
  beta: number, c: Data, cOff: number, ldc: number,
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
  if (is64 && packBuf64.length < need) packBuf64 = new Float64Array(need);
  if (!is64 && packBuf32.length < need) packBuf32 = new Float32Array(need);
  const bp: Data = is64 ? packBuf64 : packBuf32;
  // Stride of op(A)(i, p): row step sa_i, depth step sa_p.
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    // Pack op(B)[p0:p0+kc, 0:n] row-major into bp.
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
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const c0 = cOff + i * ldc;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      const aBase = aOff + i * ai + p0 * ap;
      for (let p = 0; p < kc; p++) {
        const ab = aBase + p * ap;
        const a0 = alpha * a[ab];
        const a1 = alpha * a[ab + ai];
        const a2 = alpha * a[ab + 2 * ai];
        const a3 = alpha * a[ab + 3 * ai];
        const bRow = p * n;
        for (let j = 0; j < n; j++) {
          const bv = bp[bRow + j];
          c[c0 + j] += a0 * bv;
          c[c1 + j] += a1 * bv;
          c[c2 + j] += a2 * bv;
          c[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = cOff + i * ldc;
      const aBase = aOff + i * ai + p0 * ap;
      for (let p = 0; p < kc; p++) {
        const a0 = alpha * a[aBase + p * ap];
        const bRow = p * n;
        for (let j = 0; j < n; j++) c[c0 + j] += a0 * bp[bRow + j];
      }
    }
  }
}
