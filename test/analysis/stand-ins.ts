import type { Matrix } from '../../src/linalg/types.js';
import type { SpectralEngine } from '../../src/analysis/engine.js';
import type { ModelAdapter, ModelInfo, TheoryMatrix } from '../../src/models/types.js';
import type { BoundsFixture } from '../bounds/fixture.js';

/**
 * Test-only stand-ins: a one-sided Jacobi SVD (accurate, slow; small matrices only) and an
 * adapter serving the numpy fixture's matrices, so the pipeline can be tested on its own.
 */
export function jacobiSingularValues(m: Matrix): Float64Array {
  // Work on the tall orientation: columns of an r x c matrix with r >= c.
  const tall = m.rows >= m.cols;
  const r = tall ? m.rows : m.cols;
  const c = tall ? m.cols : m.rows;
  const u = new Float64Array(r * c); // column-major: column j at j*r
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) {
    const x = m.data[i * m.cols + j];
    if (tall) u[j * r + i] = x; else u[i * r + j] = x;
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < c - 1; p++) for (let q = p + 1; q < c; q++) {
      let a = 0, b = 0, g = 0;
      for (let i = 0; i < r; i++) {
        const x = u[p * r + i], y = u[q * r + i];
        a += x * x; b += y * y; g += x * y;
      }
      if (Math.abs(g) <= 1e-15 * Math.sqrt(a * b) || g === 0) continue;
      off = Math.max(off, Math.abs(g) / Math.sqrt(a * b));
      const zeta = (b - a) / (2 * g);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
      for (let i = 0; i < r; i++) {
        const x = u[p * r + i], y = u[q * r + i];
        u[p * r + i] = cs * x - sn * y;
        u[q * r + i] = sn * x + cs * y;
      }
    }
    if (off < 1e-15) break;
  }
  const s = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let t = 0;
    for (let i = 0; i < r; i++) t += u[j * r + i] ** 2;
    s[j] = Math.sqrt(t);
  }
  return s.sort().reverse();
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) {
    const x = a.data[i * a.cols + k];
    for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += x * b.data[k * b.cols + j];
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

export const jacobiEngine: SpectralEngine = {
  backend: 'test-jacobi',
  singularValues: async (m) => jacobiSingularValues(m),
  productSingularValues: async (a, b) => jacobiSingularValues(multiply(a, b)).slice(0, Math.min(a.rows, a.cols, b.cols)),
  // Brute force on the formed matrix: independent of the backends' factored measures. As the
  // backends, a product's (1,1)-norm only when asked (norm11).
  measure: async (a, b, spectrum = 'all', want11 = false) => {
    const w = b ? multiply(a, b) : a;
    let sv = jacobiSingularValues(w);
    if (b) sv = sv.slice(0, Math.min(a.rows, a.cols, b.cols));
    const columnNorms = new Float64Array(w.cols);
    let norm11 = 0;
    for (let i = 0; i < w.rows; i++) for (let j = 0; j < w.cols; j++) {
      const x = w.data[i * w.cols + j];
      columnNorms[j] += x * x;
      norm11 += Math.abs(x);
    }
    const frobenius = Math.sqrt(columnNorms.reduce((s, x) => s + x, 0));
    return { singularValues: spectrum === 'top' ? sv.slice(0, 1) : sv, columnNorms: columnNorms.map(Math.sqrt), norm11: b && !want11 ? null : norm11, frobenius };
  },
  close: async () => undefined,
};

/** Serves the fixture's matrices; `transform` lets a test alter the data (e.g. an init model). */
export function fixtureAdapter(fx: BoundsFixture, scale = 1): ModelAdapter {
  const info: ModelInfo = {
    architecture: 'fixture', layers: fx.L, hidden: fx.N, heads: fx.heads, headDim: fx.headDim, intermediate: fx.intermediate,
  };
  const mat = (rows: number, cols: number, d: number[], s: number): Matrix =>
    ({ rows, cols, data: Float64Array.from(d, (x) => s * x) });
  return {
    info,
    notes: ['fixture'],
    async layerMatrices(layer: number): Promise<TheoryMatrix[]> {
      return fx.matrices.filter((m) => m.layer === layer).map((m) => {
        const base = { layer: m.layer, head: m.head, type: m.type as TheoryMatrix['type'], rows: m.rows, cols: m.cols };
        if (m.a && m.b && m.aShape && m.bShape) {
          return { ...base, factors: [mat(m.aShape[0], m.aShape[1], m.a, scale), mat(m.bShape[0], m.bShape[1], m.b, 1)] as const };
        }
        return { ...base, dense: mat(m.rows, m.cols, m.w as number[], scale) };
      });
    },
  };
}
