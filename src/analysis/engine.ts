import type { Matrix } from '../linalg/types.js';

/**
 * What the analysis pipeline asks of the spectral engine (src/linalg): exact singular values of a
 * dense matrix and of a factored product, in float64, descending. Async so a worker pool can
 * serve several matrices at once.
 */
export interface SpectralEngine {
  /** Backend name for the settings block ("native", "js", ...). */
  readonly backend: string;
  singularValues(m: Matrix): Promise<Float64Array>;
  /** Non-zero singular values of A·B via thin QR of the factors: min(rows, inner, cols) values. */
  productSingularValues(a: Matrix, b: Matrix): Promise<Float64Array>;
  close(): Promise<void>;
}
