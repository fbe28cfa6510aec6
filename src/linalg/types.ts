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

export type BackendName = 'native' | 'js';

export interface LinalgBackend {
  readonly name: BackendName;
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
}
