import type { NativeAddon } from './native-addon.js';

/**
 * The spectral engine's contract. Matrices are dense, row-major, float32 or float64; every
 * result is computed in float64. Backends (native LAPACK, pure TypeScript) implement
 * `LinalgBackend`; src/linalg/index.ts chooses one at start-up.
 */
export type FloatArray = Float64Array | Float32Array;

/** A dense row-major matrix view. `data.length` must be at least rows * cols. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;
  /** Used in error messages (e.g. "layer 3 head 5 QK"). */
  readonly name?: string;
}

/** The built-in backends; others may be registered (registry.ts). */
export type BackendName = 'native' | 'js';

/** nn's fused float32 kernels (native/nn.c), all present or none. */
export type NnKernels = Required<Pick<NativeAddon, 'attnForward' | 'attnBackward' | 'geluForward' | 'geluBackward' |
  'layerNormForward' | 'layerNormBackward' | 'biasRows' | 'colSums' | 'vecAdd'>>;

/**
 * A backend: the kernels every consumer (linalg, measures, nn) runs on, registered by name in
 * registry.ts, in the manner of tfjs-core's backends. Dense products follow the BLAS GEMM
 * convention transposed to row-major: C = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n,
 * leading dimensions (row strides) and element offsets; all three arrays float32 or all float64.
 */
/** How much of the spectrum a measurement needs: every singular value, or σ₁ alone (Lanczos). */
export type SpectrumWanted = 'all' | 'top';

/**
 * Everything the analysis measures of one matrix W (dense, or a product A·B), in float64. Column
 * norms and the (1,1)-norm are of W as given (row-major: columns of the row-vector matrix).
 */
export interface MatrixMeasures {
  /**
   * 'all': every singular value, descending (a thin product A·B gives its min(m, k, n) values,
   * with no spurious zeros); 'top': σ₁ alone (length 1, or 0 for an empty matrix).
   */
  singularValues: Float64Array;
  /** ‖W e_j‖ for every column j. */
  columnNorms: Float64Array;
  /**
   * Σ |wᵢⱼ|; null for a thin product measured without it (measureProduct's `norm11` false: it needs
   * every entry of A·B, m·k·n multiply-adds, as much as forming the product).
   */
  norm11: number | null;
  /** ‖W‖_F. */
  frobenius: number;
}

export interface LinalgBackend {
  readonly name: string;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, aOff: number, lda: number, b: FloatArray, bOff: number, ldb: number,
    beta: number, c: FloatArray, cOff: number, ldc: number): void;
  /** `batch` products; product i reads A at aOff + i·strideA, B at bOff + i·strideB, writes C at cOff + i·strideC. */
  gemmBatched(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, aOff: number, lda: number, strideA: number, b: FloatArray, bOff: number, ldb: number, strideB: number,
    beta: number, c: FloatArray, cOff: number, ldc: number, strideC: number, batch: number): void;
  /** nn's fused float32 kernels, or null (nn then runs its TypeScript kernels). */
  nnKernels(): NnKernels | null;
  /** All min(m, n) singular values of A, descending, in float64. */
  singularValues(a: Matrix): Float64Array;
  /**
   * Singular values of the product A·B (A: m×k, B: k×n) through thin QR of the factors and the
   * small core: min(m, k, n) values, descending, with no spurious numerical zeros.
   */
  productSingularValues(a: Matrix, b: Matrix): Float64Array;
  /**
   * Largest singular value only. `opts.lanczosMinDim` (default LANCZOS_MIN_DIM in lanczos.ts): below
   * this min(m, n) the full SVD is used; tests set it low to exercise Lanczos on small matrices.
   */
  spectralNorm(a: Matrix, opts?: { lanczosMinDim?: number }): number;
  /**
   * The analysis's measures of a dense matrix in one pass over it (native: one addon call on the
   * caller's float32 or float64 array, no copy in JavaScript). NaN/Inf → NumericError naming it.
   */
  measureDense(a: Matrix, spectrum?: SpectrumWanted): MatrixMeasures;
  /**
   * The measures of A·B (A: m×k, B: k×n). Thin factors (k < min(m, n)): σ from the k×k core,
   * column norms from R_A·B, and only with `norm11` (default false) the (1,1)-norm tile by tile
   * (all m·k·n multiply-adds; null without it) — no m×n array is formed. Otherwise the product (no
   * larger than its factors) is formed and measured as a dense matrix, the (1,1)-norm included.
   */
  measureProduct(a: Matrix, b: Matrix, spectrum?: SpectrumWanted, norm11?: boolean): MatrixMeasures;
}
