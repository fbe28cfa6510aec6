import { availableParallelism } from 'node:os';
import type { LinalgBackend, Matrix, MatrixMeasures, SpectrumWanted } from '../linalg/types.js';
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
   * Every measure of a dense matrix (b absent) or of the product a·b (thin factors: never formed;
   * their (1,1)-norm only with `norm11`), see LinalgBackend.measureDense / measureProduct.
   */
  measure(a: Matrix, b?: Matrix, spectrum?: SpectrumWanted, norm11?: boolean): Promise<MatrixMeasures>;
  close(): Promise<void>;
}

/**
 * Under 'auto' the pool starts when the first matrix asked for has a side of at least this many:
 * each analysis starts with a layer's value map (hidden × hidden), so models of width ≥ 512 run on
 * the pool and small ones in-process, where starting workers would cost more than they save.
 */
export const AUTO_POOL_MIN_DIM = 512;

/** The process's backend, in this thread. */
export function inProcess(b: LinalgBackend): SpectralEngine {
  return {
    backend: b.name,
    singularValues: async (m) => b.singularValues(m),
    productSingularValues: async (a, c) => b.productSingularValues(a, c),
    measure: async (a, c, spectrum, norm11) => (c ? b.measureProduct(a, c, spectrum, norm11) : b.measureDense(a, spectrum)),
    close: async () => undefined,
  };
}

/** A SpectralPool of `workers` threads (OpenBLAS threads per worker: cores / workers). */
function pooled(b: LinalgBackend, workers: number): SpectralEngine {
  return onPool(new SpectralPool({ workers, backend: b.name }), `${b.name} (${workers} workers)`);
}

/** The engine over a SpectralPool (closing it closes the pool); the tests keep the pool to read its counters. */
export function onPool(pool: SpectralPool, backend: string): SpectralEngine {
  return {
    backend,
    singularValues: (m) => pool.singularValues(m),
    productSingularValues: (a, c) => pool.productSingularValues(a, c),
    measure: (a, c, spectrum, norm11) => pool.measure(a, c, spectrum, norm11),
    close: () => pool.close(),
  };
}

/**
 * The engine the CLI and the API use: the process's linalg backend in-process (workers = 1), a
 * SpectralPool of `workers` worker threads, or 'auto': a pool of one worker per core (up to 8;
 * OpenBLAS single-threaded in each, so no thread spins waiting on another) decided at the first
 * request, when the model is wide enough (AUTO_POOL_MIN_DIM) and there are at least 2 cores.
 */
export function createEngine(workers: number | 'auto' = 'auto'): SpectralEngine {
  checkSettings({ workers }, ['workers']);
  const b = backend();
  if (workers === 1) return inProcess(b);
  if (workers !== 'auto') return pooled(b, workers);
  const cores = Math.min(8, availableParallelism());
  if (cores < 2 || (b.name !== 'native' && b.name !== 'js')) return inProcess(b);
  let chosen: SpectralEngine | undefined;
  const pick = (a: Matrix, c?: Matrix): SpectralEngine =>
    (chosen ??= Math.max(a.rows, c ? c.cols : a.cols) >= AUTO_POOL_MIN_DIM ? pooled(b, cores) : inProcess(b));
  return {
    get backend() {
      return chosen?.backend ?? b.name;
    },
    singularValues: (m) => pick(m).singularValues(m),
    productSingularValues: (a, c) => pick(a, c).productSingularValues(a, c),
    measure: (a, c, spectrum, norm11) => pick(a, c).measure(a, c, spectrum, norm11),
    close: async () => chosen?.close(),
  };
}
