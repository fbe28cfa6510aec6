import type { BackendName, FloatArray, SpectrumWanted } from './types.js';

/** Messages between SpectralPool and its workers (internal). */
export interface PoolWorkerData {
  backend: BackendName;
  /** OpenBLAS threads per worker, so that workers × threads ≤ cores. */
  blasThreads: number;
}

/** A matrix sent to a worker: its own copy of the values (transferred), in their precision. */
export interface PoolMatrix {
  rows: number;
  cols: number;
  data: FloatArray;
  name?: string;
}

/**
 * 'sv': singularValues(a); 'psv': productSingularValues(a, b); 'measure': measureDense(a) or,
 * with b, measureProduct(a, b, spectrum, norm11); 'counters': the worker thread's formedProducts
 * and l11Passes (values [thin, other, js (1,1) passes]; `a` is an empty matrix).
 */
export interface PoolRequest {
  id: number;
  op: 'sv' | 'psv' | 'measure' | 'counters';
  a: PoolMatrix;
  b?: PoolMatrix;
  spectrum?: SpectrumWanted;
  norm11?: boolean;
}

export type PoolResponse =
  | { id: number; ok: true; values: Float64Array; columnNorms?: Float64Array; norm11?: number | null; frobenius?: number }
  | { id: number; ok: false; errorClass: string; message: string };
