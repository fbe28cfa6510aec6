import type { Matrix } from '../../src/linalg/types.js';
import type { Tensor, TensorInfo, TensorSource } from '../../src/io/types.js';
import type { TheoryMatrix } from '../../src/models/types.js';

/** The dense matrix of a theory matrix (factors multiplied out, naively: test sizes are tiny). */
export function denseOf(m: TheoryMatrix): Matrix {
  if (m.dense) return m.dense;
  const [a, b] = m.factors!;
  if (a.cols !== b.rows) throw new Error(`factor shapes ${a.rows}x${a.cols} * ${b.rows}x${b.cols}`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k];
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += x * b.data[k * b.cols + j];
    }
  return { rows: a.rows, cols: b.cols, data: out };
}

export function fro(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.rows * m.cols; i++) s += m.data[i] ** 2;
  return Math.sqrt(s);
}

export function close(actual: number, expected: number, rel = 1e-5, abs = 1e-6): boolean {
  return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
}

/** An in-memory TensorSource for adapter logic and bad-input tests. */
export class MemorySource implements TensorSource {
  readonly format = 'memory';
  readonly path = 'memory://test';
  reads: string[] = [];
  constructor(
    private readonly tensors: Map<string, Tensor>,
    readonly config?: Record<string, unknown>,
  ) {}
  list(): readonly TensorInfo[] {
    return [...this.tensors.values()].map((t) => ({ name: t.name, dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: t.shape }));
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  async read(name: string): Promise<Tensor> {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`missing ${name}`);
    this.reads.push(name);
    return t;
  }
  async close(): Promise<void> {}
}

/** Deterministic pseudo-random tensor (a small LCG; values in [-1, 1)). */
export function tensor(name: string, shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { name, shape, data };
}

/** Frobenius norm and the [0,1], [1,0] entries of a theory matrix, without forming A·B:
 * ||A B||_F² = Σ_ij (AᵀA)_ij (B Bᵀ)_ij (d × d Gram matrices, d = inner dimension). */
/** What the golden scripts record of a theory matrix (their summary()). */
export interface Summary {
  rows: number;
  cols: number;
  fro: number;
  e01: number;
  e10: number;
}

export function summaryOf(m: TheoryMatrix): Summary {
  if (m.dense) {
    const d = m.dense;
    return { rows: d.rows, cols: d.cols, fro: fro(d), e01: d.data[1], e10: d.data[d.cols] };
  }
  const [a, b] = m.factors!;
  const k = a.cols;
  const gram = (x: Matrix, rowsAreVectors: boolean): Float64Array => {
    // AᵀA sums outer products of A's rows; B Bᵀ dots B's rows (both contiguous).
    const g = new Float64Array(k * k);
    if (rowsAreVectors) {
      for (let r = 0; r < x.rows; r++)
        for (let i = 0; i < k; i++) {
          const xi = x.data[r * k + i];
          for (let j = 0; j < k; j++) g[i * k + j] += xi * x.data[r * k + j];
        }
    } else {
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          let v = 0;
          for (let c = 0; c < x.cols; c++) v += x.data[i * x.cols + c] * x.data[j * x.cols + c];
          g[i * k + j] = v;
        }
    }
    return g;
  };
  const ga = gram(a, true);
  const gb = gram(b, false);
  let s = 0;
  for (let i = 0; i < k * k; i++) s += ga[i] * gb[i];
  const entry = (r: number, c: number) => {
    let v = 0;
    for (let i = 0; i < k; i++) v += a.data[r * k + i] * b.data[i * b.cols + c];
    return v;
  };
  return { rows: a.rows, cols: b.cols, fro: Math.sqrt(Math.max(s, 0)), e01: entry(0, 1), e10: entry(1, 0) };
}
