import type { Matrix, MatrixMeasures, SpectrumWanted } from '../linalg/types.js';
import { backend } from '../linalg/registry.js';
import { SpectralPool } from '../linalg/pool.js';
import { checkSettings } from './settings.js';

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
  /**
   * Every measure of a dense matrix (b absent) or of the product a·b (thin factors: never formed),
   * see LinalgBackend.measureDense / measureProduct.
   */
  measure(a: Matrix, b?: Matrix, spectrum?: SpectrumWanted): Promise<MatrixMeasures>;
  close(): Promise<void>;
}

/**
 * The engine the CLI uses: the process's linalg backend in-process, or a SpectralPool of
 * `workers` worker threads when workers > 1.
 */
export function createEngine(workers = 1): SpectralEngine {
  checkSettings({ workers }, ['workers']);
  const b = backend();
  if (workers === 1) {
    return {
      backend: b.name,
      singularValues: async (m) => b.singularValues(m),
      productSingularValues: async (a, c) => b.productSingularValues(a, c),
      measure: async (a, c, spectrum) => (c ? b.measureProduct(a, c, spectrum) : b.measureDense(a, spectrum)),
      close: async () => undefined,
    };
  }
  const pool = new SpectralPool({ workers, backend: b.name });
  return {
    backend: `${b.name} (${workers} workers)`,
    singularValues: (m) => pool.singularValues(m),
    productSingularValues: (a, c) => pool.productSingularValues(a, c),
    measure: (a, c, spectrum) => pool.measure(a, c, spectrum),
    close: () => pool.close(),
  };
}
