import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * The N-API addon (native/, built by node-gyp against the system OpenBLAS at install) as seen
 * from TypeScript. All matrices are row-major. Integer arguments are 32-bit (OpenBLAS's LAPACK
 * interface). Functions throw an Error on invalid arguments or a LAPACK failure (info != 0).
 */
export interface NativeAddon {
  /** Singular values (descending) of a row-major m×n float64 matrix; `a` is overwritten. */
  dgesdd(m: number, n: number, a: Float64Array): Float64Array;
  /**
   * Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n,
   * with leading dimensions lda, ldb, ldc (row strides). Views (subarrays) are honoured.
   */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void;
  /** `batch` GEMMs as above; matrix i starts at i·strideA, i·strideB, i·strideC in each array. */
  sgemmBatched(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, strideA: number, b: Float32Array, ldb: number, strideB: number,
    beta: number, c: Float32Array, ldc: number, strideC: number, batch: number): void;
  /** Double-precision GEMM, same conventions as sgemm. */
  dgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number): void;
  /** Sets OpenBLAS's thread count (openblas_set_num_threads). */
  setNumThreads(n: number): void;
  /** OpenBLAS's configuration string and chosen core (openblas_get_config / openblas_get_corename). */
  config(): string;
  /**
   * R factor of the thin QR A = Q·R of a row-major m×n float64 matrix with m ≥ n: an n×n row-major
   * upper-triangular array (zeros below the diagonal). `a` is not modified. (LAPACK dgeqrf.)
   */
  qrR(m: number, n: number, a: Float64Array): Float64Array;
  /**
   * As qrR for the COLUMN-major m×n matrix in `a` (i.e. the transpose of a row-major n×m array),
   * m ≥ n, in place without a copy (`a` is overwritten). R is returned row-major.
   */
  qrRcm(m: number, n: number, a: Float64Array): Float64Array;
  /**
   * The k singular values (descending) of A·B for row-major A (m×k) and B (k×n), k ≤ min(m, n),
   * through the QRs of A and Bᵀ and the k×k core, in one call; `a` and `b` are not modified.
   * Runs OpenBLAS single-threaded for small factors (restoring the thread count afterwards).
   */
  productSvals(m: number, k: number, n: number, a: Float64Array, b: Float64Array): Float64Array;
  /** out = c²·AᵀA·x for row-major m×n A (x, out: n values), in one pass over A. */
  gramApply(m: number, n: number, a: Float64Array, x: Float64Array, out: Float64Array, c: number): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where node-gyp puts the addon: <package root>/build/Release/genbound.node. */
export const NATIVE_ADDON_PATH = join(here, '..', '..', 'build', 'Release', 'genbound.node');

let cached: NativeAddon | null | undefined;
let loadError: string | undefined;

/**
 * OpenBLAS misdetects some virtual CPUs as an old core ("Prescott") and then runs 1.3–4× slower.
 * Unless the user set OPENBLAS_CORETYPE, choose it from the CPU flags before the library loads.
 */
export function chooseCoreType(cpuinfo: string): string | undefined {
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  if (flags.has('avx')) return 'Sandybridge';
  return undefined;
}

/** Loads the addon once; returns null (and remembers why) when it is not built or fails to load. */
export function loadNativeAddon(): NativeAddon | null {
  if (cached !== undefined) return cached;
  if (!existsSync(NATIVE_ADDON_PATH)) {
    loadError = 'the native addon is not built (OpenBLAS missing at install?)';
    cached = null;
    return cached;
  }
  if (process.env.OPENBLAS_CORETYPE === undefined && process.platform === 'linux') {
    try {
      const core = chooseCoreType(readFileSync('/proc/cpuinfo', 'utf8'));
      if (core) process.env.OPENBLAS_CORETYPE = core;
    } catch {
      // No /proc/cpuinfo: leave OpenBLAS to its own detection.
    }
  }
  try {
    const require = createRequire(import.meta.url);
    cached = require(NATIVE_ADDON_PATH) as NativeAddon;
  } catch (err) {
    loadError = `the native addon failed to load: ${(err as Error).message.split('\n')[0]}`;
    cached = null;
  }
  return cached;
}

/** Why loadNativeAddon() returned null, for the one-line notice. */
export function nativeLoadError(): string | undefined {
  return loadError;
}
