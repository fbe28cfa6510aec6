import type { BackendName } from './types.js';

/** Messages between SpectralPool and its workers (internal). */
export interface PoolWorkerData {
  backend: BackendName;
  /** OpenBLAS threads per worker, so that workers × threads ≤ cores. */
  blasThreads: number;
}

export interface PoolRequest {
  id: number;
  op: 'sv' | 'psv';
  /** Rows of A, columns of A (sv) or inner dimension (psv, as k), columns of B (psv). */
  m: number;
  k: number;
  n: number;
  a: Float64Array;
  /** Row stride of `a` for op 'sv' (native: padded, see paddedStride); n when absent. */
  ld?: number;
  b?: Float64Array;
  what: string;
}

export type PoolResponse =
  | { id: number; ok: true; values: Float64Array }
  | { id: number; ok: false; errorClass: string; message: string };
