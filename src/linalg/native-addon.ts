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
  /**
   * Singular values (descending) of a row-major m×n float64 matrix whose rows start every `ld`
   * values (default n); `a` is overwritten.
   */
  dgesdd(m: number, n: number, a: Float64Array, ld?: number): Float64Array;
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
  productSvals(m: number, k: number, n: number, a: Float64Array | Float32Array, b: Float64Array | Float32Array): Float64Array;
  /**
   * productSvals plus what the analysis needs of A·B without forming it: cn (n) ← its column norms
   * (from R_A·B); with want11, stats[0] ← Σ|(A·B)ᵢⱼ| (every entry, m·k·n multiply-adds, computed
   * `tile` rows at a time, default ~512 KB of them), else stats[0] ← NaN and that loop does not run;
   * stats[1] / stats[2] ← the flat index of the first NaN/Inf in A / B, or −1 (nothing computed).
   * Native/spectral.c.
   */
  productMeasures(m: number, k: number, n: number, a: Float64Array | Float32Array, b: Float64Array | Float32Array,
    cn: Float64Array, stats: Float64Array, want11: boolean, tile?: number): Float64Array;
  /** How many productMeasures calls have run the (1,1) tile loop in this process (worker threads included). */
  productL11Count(): number;
  /**
   * One pass over the row-major m×n float32 or float64 matrix a (not modified): stats[2] ← the flat
   * index of the first NaN/Inf or −1 (then nothing else); with cn (n): column norms, stats[0] ← Σ|aᵢⱼ|,
   * stats[1] ← ‖A‖_F; with sv (min(m, n)): the singular values (dgesdd on a tall float64 copy).
   */
  denseMeasures(m: number, n: number, a: Float64Array | Float32Array, sv: Float64Array | null, cn: Float64Array | null,
    stats: Float64Array): void;
  /**
   * For k ≥ min(m, n): c (m×n, row-major) ← A·B by one dgemm from float32 or float64 factors
   * (widened in C), cn (n) ← its column norms, stats[0] ← Σ|cᵢⱼ|, stats[1] ← ‖C‖_F, stats[2] ←
   * max|cᵢⱼ|, stats[3] / stats[4] ← the flat index of the first NaN/Inf in A / B or −1 (then nothing
   * else is computed). Native/spectral.c.
   */
  formedProduct(m: number, k: number, n: number, a: Float64Array | Float32Array, b: Float64Array | Float32Array,
    c: Float64Array, cn: Float64Array, stats: Float64Array): void;
  /** out = c²·AᵀA·x for row-major m×n A (x, out: n values), in one pass over A. */
  gramApply(m: number, n: number, a: Float64Array, x: Float64Array, out: Float64Array, c: number): void;
  /** The k×k (k = min(m, n)) alpha·A·Aᵀ (m ≤ n) or alpha·AᵀA (m > n), both triangles, by dsyrk. */
  gramMatrix(m: number, n: number, a: Float64Array, alpha: number): Float64Array;

  /*
   * src/nn's float32 training kernels (native/nn.c). Optional: an addon built before they
   * existed lacks them, and src/nn then uses its TypeScript kernels. `threads` splits the work
   * by whole bags or fixed row blocks, so these kernels' results do not depend on it.
   */
  /** Fused multi-head attention forward over all bags and heads; writes P [bn,heads,tq,tk] and y [bn,tq,dm]. */
  attnForward?(bn: number, tq: number, tk: number, dm: number, heads: number, scale: number,
    q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, causal: boolean,
    p: Float32Array, y: Float32Array, threads: number): void;
  /** Attention backward from P and g = dL/dy; each non-null gradient becomes beta·grad + its contribution. */
  attnBackward?(bn: number, tq: number, tk: number, dm: number, heads: number, scale: number,
    q: Float32Array, k: Float32Array, v: Float32Array, p: Float32Array, g: Float32Array,
    dq: Float32Array | null, dk: Float32Array | null, dv: Float32Array | null,
    betaQ: number, betaK: number, betaV: number, threads: number): void;
  /** y = gelu_tanh(x); t = tanh(√(2/π)(x + 0.044715x³)) kept for the backward. */
  geluForward?(n: number, x: Float32Array, y: Float32Array, t: Float32Array, threads: number): void;
  /** d = g·gelu'(x) (fresh) or d += g·gelu'(x). */
  geluBackward?(n: number, x: Float32Array, t: Float32Array, g: Float32Array, d: Float32Array, fresh: boolean, threads: number): void;
  /** Layer norm over rows of length d; writes y, the normalised rows xhat and 1/σ per row. */
  layerNormForward?(rows: number, d: number, eps: number, x: Float32Array, gamma: Float32Array, beta: Float32Array,
    y: Float32Array, xhat: Float32Array, rstd: Float32Array, threads: number): void;
  /** Layer norm backward: dx (= when fresh, else +=), dgamma += Σ g⊙xhat, dbeta += Σ g. */
  layerNormBackward?(rows: number, d: number, g: Float32Array, xhat: Float32Array, rstd: Float32Array, gamma: Float32Array,
    dx: Float32Array | null, fresh: boolean, dgamma: Float32Array | null, dbeta: Float32Array | null, threads: number): void;
  /** Sets every row of y [rows, n] to b. */
  biasRows?(rows: number, n: number, b: Float32Array, y: Float32Array): void;
  /** db[j] += Σ_r g[r, j]. */
  colSums?(rows: number, n: number, g: Float32Array, db: Float32Array): void;
  /** y = a + b elementwise (y may alias a or b). */
  vecAdd?(n: number, a: Float32Array, b: Float32Array, y: Float32Array, threads: number): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where node-gyp puts the addon: <package root>/build/Release/genbound.node. */
export const NATIVE_ADDON_PATH = join(here, '..', '..', 'build', 'Release', 'genbound.node');

/** The functions every build of the addon has (the optional nn kernels are checked where used). */
const REQUIRED = ['dgesdd', 'sgemm', 'sgemmBatched', 'dgemm', 'setNumThreads', 'config', 'qrR', 'qrRcm', 'productSvals', 'gramApply', 'gramMatrix', 'productMeasures', 'productL11Count', 'denseMeasures', 'formedProduct'] as const satisfies readonly (keyof NativeAddon)[];

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
    const addon = require(NATIVE_ADDON_PATH) as Record<string, unknown>;
    // An addon built from older sources (a checkout updated without `npm install`) lacks newer
    // functions: say so in one line and use the TypeScript backend rather than fail mid-run.
    const missing = REQUIRED.filter((f) => typeof addon[f] !== 'function');
    if (missing.length > 0) {
      loadError = `the native addon is out of date (no ${missing.join(', ')}); rebuild it with \`node scripts/build-native.mjs\``;
      cached = null;
    } else {
      cached = addon as unknown as NativeAddon;
    }
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
