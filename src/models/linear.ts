import type { FloatArray, Matrix } from '../linalg/types.js';

/**
 * A stored linear-layer weight seen as its row-vector matrix W (in × out), so that the layer
 * is x -> x W for a row vector x. Checkpoints store weights one of two ways:
 * - 'out_in': PyTorch nn.Linear (and Paddle's transposed layouts): stored[j][i] = W[i][j];
 * - 'in_out': GPT-2 Conv1D, TensorFlow kernels, Paddle/ONNX MatMul weights: stored[i][j] = W[i][j].
 * `colOffset`/`outDim` select a block of W's columns, for fused weights such as GPT-2's c_attn
 * (Q, K, V side by side). Blocks are copied out in the source's precision (float64 stays
 * float64, everything else float32; the engine computes in float64 either way).
 */
export class Linear {
  constructor(
    readonly name: string,
    private readonly data: FloatArray,
    /** Rows of W (input dimension). */
    readonly inDim: number,
    /** Columns of the full stored weight's W (before column selection). */
    private readonly fullOut: number,
    private readonly stored: 'out_in' | 'in_out',
    private readonly colOffset = 0,
    /** Columns of this view. */
    readonly outDim = fullOut,
  ) {}

  /** The view of columns [c0, c1) of W. */
  sub(c0: number, c1: number, name = `${this.name}[:, ${c0}:${c1}]`): Linear {
    return new Linear(name, this.data, this.inDim, this.fullOut, this.stored, this.colOffset + c0, c1 - c0);
  }

  private alloc(n: number): FloatArray {
    return this.data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
  }

  /** W[i][j] of this view. */
  at(i: number, j: number): number {
    const c = j + this.colOffset;
    return this.stored === 'in_out' ? this.data[i * this.fullOut + c] : this.data[c * this.inDim + i];
  }

  /** Columns [c0, c1) of W: an inDim × (c1 - c0) matrix. */
  cols(c0: number, c1: number, name?: string): Matrix {
    const w = c1 - c0;
    const out = this.alloc(this.inDim * w);
    for (let i = 0; i < this.inDim; i++) for (let j = 0; j < w; j++) out[i * w + j] = this.at(i, c0 + j);
    return { rows: this.inDim, cols: w, data: out, name };
  }

  /** Columns [c0, c1) of W, transposed: a (c1 - c0) × inDim matrix. */
  colsT(c0: number, c1: number, name?: string): Matrix {
    const w = c1 - c0;
    const out = this.alloc(this.inDim * w);
    for (let j = 0; j < w; j++) for (let i = 0; i < this.inDim; i++) out[j * this.inDim + i] = this.at(i, c0 + j);
    return { rows: w, cols: this.inDim, data: out, name };
  }

  /** Rows [r0, r1) of W: a (r1 - r0) × outDim matrix. */
  rows(r0: number, r1: number, name?: string): Matrix {
    const h = r1 - r0;
    const out = this.alloc(h * this.outDim);
    for (let i = 0; i < h; i++) for (let j = 0; j < this.outDim; j++) out[i * this.outDim + j] = this.at(r0 + i, j);
    return { rows: h, cols: this.outDim, data: out, name };
  }

  /** All of W (inDim × outDim). */
  dense(name?: string): Matrix {
    return this.cols(0, this.outDim, name);
  }
}

/** [A | B | ...]: matrices with equal row counts side by side. */
export function hconcat(parts: readonly Matrix[], name?: string): Matrix {
  const rows = parts[0].rows;
  const cols = parts.reduce((a, p) => a + p.cols, 0);
  const f64 = parts.some((p) => p.data instanceof Float64Array);
  const out = f64 ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  let c0 = 0;
  for (const p of parts) {
    for (let i = 0; i < rows; i++) for (let j = 0; j < p.cols; j++) out[i * cols + c0 + j] = p.data[i * p.cols + j];
    c0 += p.cols;
  }
  return { rows, cols, data: out, name };
}
