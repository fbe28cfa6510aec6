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
 * with b, measureProduct(a, b), for `spectrum`.
 */
export interface PoolRequest {
  id: number;
  op: 'sv' | 'psv' | 'measure';
  a: PoolMatrix;
  b?: PoolMatrix;
  spectrum?: SpectrumWanted;
}

export type PoolResponse =
  | { id: number; ok: true; values: Float64Array; columnNorms?: Float64Array; norm11?: number; frobenius?: number }
  | { id: number; ok: false; errorClass: string; message: string };
