import { backend, setBackend } from '../linalg/registry.js';
import { loadNativeAddon } from '../linalg/native-addon.js';
import type { NnKernels } from '../linalg/types.js';
import type { Data } from './tensor.js';

/**
 * Matrix products for src/nn: C = alpha·op(A)·op(B) + beta·C, row-major, op(A) m×k, op(B) k×n,
 * leading dimensions lda/ldb/ldc (row strides) and element offsets into each array — the BLAS
 * GEMM convention (LAPACK Users' Guide, xGEMM) transposed to row-major.
 *
 * They run on the process's backend (src/linalg/registry.ts, chosen once for linalg, measures
 * and nn): OpenBLAS sgemm/dgemm and the fused float32 kernels of native/nn.c on `native`, the
 * blocked TypeScript kernel (src/linalg/js/gemm.ts) on `js`. A training run is bit-for-bit
 * reproducible for a fixed backend (and, with OpenBLAS, a fixed thread count).
 */
export type GemmBackend = string;
export type { NnKernels } from '../linalg/types.js';
export { gemmJs } from '../linalg/js/gemm.js';

/** The backend in use ('native' when the addon loaded, else 'js', unless chosen otherwise). */
export function gemmBackend(): GemmBackend {
  return backend().name;
}

/** Selects the process's backend (the same one linalg and measures use); throws when unavailable. */
export function setGemmBackend(b: GemmBackend): void {
  setBackend(b, 'setGemmBackend');
}

let threads = 1;

/**
 * Sets the thread count of the native kernels: OpenBLAS's, and that of the fused float32 kernels
 * (native/nn.c, default 1). No effect on the TypeScript backend.
 */
export function setGemmThreads(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`setGemmThreads: expected an integer >= 1, got ${n}`);
  threads = n;
  loadNativeAddon()?.setNumThreads(n);
}

/** Threads for the fused native kernels (the last setGemmThreads value, default 1). */
export function nativeThreads(): number {
  return threads;
}

/** The backend's fused float32 kernels, else null (then the ops run their TypeScript kernels). */
export function nnKernels(): NnKernels | null {
  return backend().nnKernels();
}

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, lda: number, b: Data, bOff: number, ldb: number,
  beta: number, c: Data, cOff: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  backend().gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
}

/** `batch` products; product i reads A at aOff + i·strideA, B at bOff + i·strideB, writes C at cOff + i·strideC. */
export function gemmBatched(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, lda: number, strideA: number, b: Data, bOff: number, ldb: number, strideB: number,
  beta: number, c: Data, cOff: number, ldc: number, strideC: number, batch: number,
): void {
  backend().gemmBatched(transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, batch);
}
