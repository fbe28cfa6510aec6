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

  /**
   * Copies the block W[r0:r1, c0:c1] (in this view's coordinates), transposed when `transpose`.
   * Reads the storage row by row (contiguous), so both storage orders copy at memory speed.
   */
  private block(r0: number, r1: number, c0: number, c1: number, transpose: boolean, name?: string): Matrix {
    const h = r1 - r0;
    const w = c1 - c0;
    const out = this.alloc(h * w);
    const d = this.data;
    const cs = c0 + this.colOffset;
    if (this.stored === 'in_out') {
      // Storage row i is W[i, :].
      if (!transpose) {
        for (let i = 0; i < h; i++) {
          const src = (r0 + i) * this.fullOut + cs;
          out.set(d.subarray(src, src + w), i * w);
        }
      } else transposeInto(d, (r0 * this.fullOut) + cs, this.fullOut, h, w, out);
    } else {
      // Storage row c is W[:, c].
      if (transpose) {
        for (let j = 0; j < w; j++) {
          const src = (cs + j) * this.inDim + r0;
          out.set(d.subarray(src, src + h), j * h);
        }
      } else transposeInto(d, cs * this.inDim + r0, this.inDim, w, h, out);
    }
    return transpose ? { rows: w, cols: h, data: out, name } : { rows: h, cols: w, data: out, name };
  }

  /** Columns [c0, c1) of W: an inDim × (c1 - c0) matrix. */
  cols(c0: number, c1: number, name?: string): Matrix {
    return this.block(0, this.inDim, c0, c1, false, name);
  }

  /** Columns [c0, c1) of W, transposed: a (c1 - c0) × inDim matrix. */
  colsT(c0: number, c1: number, name?: string): Matrix {
    return this.block(0, this.inDim, c0, c1, true, name);
  }

  /** Rows [r0, r1) of W: a (r1 - r0) × outDim matrix. */
  rows(r0: number, r1: number, name?: string): Matrix {
    return this.block(r0, r1, 0, this.outDim, false, name);
  }

  /** All of W (inDim × outDim). */
  dense(name?: string): Matrix {
    return this.cols(0, this.outDim, name);
  }

  /**
   * Wᵀ (outDim × inDim) without a copy when the storage already holds it: a whole 'out_in' float32
   * weight. Undefined otherwise (a column block, 'in_out' storage, float64).
   */
  storedTranspose(name?: string): Matrix | undefined {
    if (this.stored !== 'out_in' || this.colOffset !== 0 || this.outDim !== this.fullOut || !(this.data instanceof Float32Array)) return undefined;
    return { rows: this.outDim, cols: this.inDim, data: this.data.subarray(0, this.outDim * this.inDim), name };
  }
}

/**
 * A dense theory matrix given as its stored transpose: `denseT` is [P₁ᵀ; P₂ᵀ; ...] (the stored
 * tensors one after the other, so [W_gate | W_up]ᵀ costs two copies of memory, not a transposing
 * loop), and `dense` is formed from the parts only if something reads it.
 */
export function transposedDense(parts: readonly Linear[], name: string): { denseT: Matrix; readonly dense: Matrix } | undefined {
  const ts = parts.map((p) => p.storedTranspose(name));
  if (ts.some((t) => t === undefined)) return undefined;
  const cols = (ts[0] as Matrix).cols;
  if (ts.some((t) => (t as Matrix).cols !== cols)) return undefined;
  let denseT = ts[0] as Matrix;
  if (ts.length > 1) {
    const rows = ts.reduce((a, t) => a + (t as Matrix).rows, 0);
    const data = new Float32Array(rows * cols);
    let off = 0;
    for (const t of ts as Matrix[]) {
      data.set(t.data as Float32Array, off);
      off += t.rows * cols;
    }
    denseT = { rows, cols, data, name };
  }
  let dense: Matrix | undefined;
  return {
    denseT,
    get dense(): Matrix {
      if (!dense) {
        const ds = parts.map((p) => p.dense());
        dense = ds.length === 1 ? { ...ds[0], name } : hconcat(ds, name);
      }
      return dense;
    },
  };
}

/**
 * out (cols × rows, row-major) = transpose of the rows × cols block of `src` starting at `start`
 * with row stride `ld`. Tiled so that reads and writes both stay within cache lines.
 */
function transposeInto(src: FloatArray, start: number, ld: number, rows: number, cols: number, out: FloatArray): void {
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(i0 + T, rows);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(j0 + T, cols);
      for (let i = i0; i < i1; i++) {
        const s = start + i * ld;
        for (let j = j0; j < j1; j++) out[j * rows + i] = src[s + j];
      }
    }
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
