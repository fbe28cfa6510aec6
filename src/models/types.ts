import type { Matrix } from '../linalg/types.js';
import type { TensorSource } from '../io/types.js';

/**
 * The matrices of the theory (../shared/spec/spectrum-adaptive-bound.md), in the row-vector
 * convention x -> x W. Per-head products are kept factored (N×d times d×N) so the engine can
 * use the exact thin-QR path; feed-forward matrices are dense.
 */
export type TheoryMatrixType = 'QK' | 'V_tilde' | 'M_in' | 'M_out';

export interface ModelInfo {
  architecture: string;
  layers: number;
  hidden: number;
  heads: number;
  headDim: number;
  intermediate: number;
  /** Key/value heads under grouped-query attention (equals heads otherwise). */
  kvHeads?: number;
  /** Everything else worth reporting (vocab size, parameter count, source format, ...). */
  [key: string]: unknown;
}

export interface TheoryMatrix {
  layer: number;
  /** Head index, or -1 for layerwise matrices. */
  head: number;
  type: TheoryMatrixType;
  rows: number;
  cols: number;
  /** Either both factors of a product A·B, or the dense matrix. */
  factors?: readonly [Matrix, Matrix];
  dense?: Matrix;
  /**
   * The dense matrix's transpose as the checkpoint stores it (PyTorch's (out, in) layout), float32,
   * without a copy. When it is given, `dense` is formed only if read (a getter), and the analysis
   * measures this one instead: same singular values, (1,1)- and Frobenius norms; the column norms
   * of `dense` are its row norms.
   */
  denseT?: Matrix;
}

/** A named raw 2-D weight matrix, for per-matrix analyses of any model. */
export interface RawMatrix {
  name: string;
  matrix: Matrix;
}

export interface ModelAdapter {
  readonly info: ModelInfo;
  /** Notes on each adaptation made (e.g. "Conv1D weights stored (in, out)"), for reports. */
  readonly notes: readonly string[];
  /** The theory's matrices of one layer (0-based), reading only that layer's tensors. */
  layerMatrices(layer: number): Promise<TheoryMatrix[]>;
}

export interface AdapterFactory {
  readonly name: string;
  /** True when this adapter recognises the source (by config.json or by tensor names). */
  detect(src: TensorSource): boolean;
  create(src: TensorSource, options: AdapterOptions): ModelAdapter;
}

export interface AdapterOptions {
  /** Overrides the head count where the model does not say it. */
  heads?: number;
}
