import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumericError, ShapeError } from '../../src/errors.js';
import {
  columnNorms, createBackend, frobeniusNorm, nativeAvailable, productColumnNorms,
} from '../../src/linalg/index.js';
import type { LinalgBackend, Matrix } from '../../src/linalg/types.js';
import { assertClose, numericalRank } from './helpers.js';

/** Deterministic standard normals (xorshift + Box–Muller), so failures reproduce. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function randn(rows: number, cols: number, seed: number, name?: string): Matrix {
  const g = gaussian(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, g), name };
}

function matmul(a: Matrix, b: Matrix): Matrix {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let p = 0; p < a.cols; p++) {
    const v = a.data[i * a.cols + p];
    for (let j = 0; j < b.cols; j++) c[i * b.cols + j] += v * b.data[p * b.cols + j];
  }
  return { rows: a.rows, cols: b.cols, data: c };
}

/** (I − 2vvᵀ/vᵀv)·A: an exactly orthogonal left transform (up to rounding). */
function reflectRows(a: Matrix, seed: number): Matrix {
  const g = gaussian(seed), v = Float64Array.from({ length: a.rows }, g);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const out = Float64Array.from(a.data);
  for (let j = 0; j < a.cols; j++) {
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += v[i] * a.data[i * a.cols + j];
    for (let i = 0; i < a.rows; i++) out[i * a.cols + j] -= (2 * s * v[i]) / vv;
  }
  return { rows: a.rows, cols: a.cols, data: out };
}

const backends: LinalgBackend[] = [createBackend('js')];
if (nativeAvailable()) backends.push(createBackend('native'));

for (const be of backends) {
  test(`${be.name}: Σσ² = ‖A‖_F² and Σσ⁴ = ‖AᵀA‖_F²`, () => {
    for (const [m, n, seed] of [[70, 45, 1], [33, 81, 2], [150, 20, 3]]) {
      const a = randn(m, n, seed);
      const s = be.singularValues(a);
      const f2 = frobeniusNorm(a) ** 2;
      const s2 = s.reduce((t, x) => t + x * x, 0);
      assert.ok(Math.abs(s2 - f2) <= 1e-12 * f2, `Σσ² ${s2} vs ${f2}`);
      const at: Matrix = { rows: n, cols: m, data: Float64Array.from({ length: m * n }, (_, k) => a.data[(k % m) * n + Math.floor(k / m)]) };
      const g2 = frobeniusNorm(matmul(at, a)) ** 2;
      const s4 = s.reduce((t, x) => t + x ** 4, 0);
      assert.ok(Math.abs(s4 - g2) <= 1e-11 * g2, `Σσ⁴ ${s4} vs ${g2}`);
    }
  });

  test(`${be.name}: singular values are invariant under orthogonal transforms`, () => {
    const a = randn(60, 40, 7);
    const s = be.singularValues(a);
    const t = be.singularValues(reflectRows(reflectRows(a, 8), 9));
    assertClose(t, Array.from(s), 'Q·A');
  });

  test(`${be.name}: exact low rank keeps LAPACK's numerical rank (no Gram shortcut)`, () => {
    const a = matmul(randn(200, 150, 11), randn(150, 200, 12));
    assert.equal(numericalRank(be.singularValues(a), 200, 200), 150);
  });

  test(`${be.name}: product path returns exactly k values, the dense SVD's top k`, () => {
    const a = randn(160, 12, 21), b = randn(12, 140, 22);
    const s = be.productSingularValues(a, b);
    assert.equal(s.length, 12);
    const dense = be.singularValues(matmul(a, b));
    assertClose(s, Array.from(dense.subarray(0, 12)), 'factored vs dense');
    // Inner dimension not smaller: the product is formed, min(m, k, n) values.
    assert.equal(be.productSingularValues(randn(10, 30, 1), randn(30, 20, 2)).length, 10);
    assert.throws(() => be.productSingularValues(randn(3, 4, 1), randn(5, 2, 1)), ShapeError);
  });

  test(`${be.name}: product path for every inner size mod 4 (the LQ's row groups), inputs untouched`, () => {
    for (const k of [1, 2, 3, 5, 6, 7, 13]) {
      const a = randn(90, k, 40 + k), b = randn(k, 70, 60 + k);
      const a0 = Float64Array.from(a.data), b0 = Float64Array.from(b.data);
      const s = be.productSingularValues(a, b);
      assert.equal(s.length, k);
      assertClose(s, Array.from(be.singularValues(matmul(a, b)).subarray(0, k)), `k = ${k}`);
      assert.deepEqual(a.data, a0);
      assert.deepEqual(b.data, b0);
    }
  });

  test(`${be.name}: float32 input is computed in float64, spectralNorm is σ₁`, () => {
    const a = randn(50, 30, 31);
    const f = { rows: 50, cols: 30, data: Float32Array.from(a.data) };
    const ref = be.singularValues({ rows: 50, cols: 30, data: Float64Array.from(f.data) });
    assertClose(be.singularValues(f), Array.from(ref), 'float32');
    assert.equal(be.spectralNorm(a), be.singularValues(a)[0]);
    assert.equal(be.spectralNorm({ rows: 0, cols: 5, data: new Float64Array(0) }), 0);
  });

  test(`${be.name}: NaN/Inf is an error naming the matrix`, () => {
    const a = randn(4, 4, 1, 'layer 3 head 5 QK');
    (a.data as Float64Array)[6] = NaN;
    assert.throws(() => be.singularValues(a), (e: Error) => e instanceof NumericError && /layer 3 head 5 QK.*NaN at row 1, column 2/.test(e.message));
    const b = randn(4, 4, 1, 'W_out');
    (b.data as Float64Array)[0] = -Infinity;
    assert.throws(() => be.productSingularValues(randn(4, 4, 2), b), /W_out.*-Inf/);
    assert.throws(() => be.singularValues({ rows: 3, cols: 3, data: new Float64Array(4), name: 'short' }), ShapeError);
  });
}

test('norms: Frobenius and column norms survive huge and tiny scales', () => {
  for (const scale of [1, 1e160, 1e-160]) {
    const a = randn(30, 20, 41);
    const ref = Math.sqrt(Array.from(a.data).reduce((t, x) => t + x * x, 0));
    const b = { rows: 30, cols: 20, data: Float64Array.from(a.data, (x) => x * scale) };
    assert.ok(Math.abs(frobeniusNorm(b) / scale - ref) <= 1e-13 * ref);
    const cn = columnNorms(b);
    for (let j = 0; j < 20; j++) {
      let s = 0;
      for (let i = 0; i < 30; i++) s += a.data[i * 20 + j] ** 2;
      assert.ok(Math.abs(cn[j] / scale - Math.sqrt(s)) <= 1e-13 * Math.sqrt(s));
    }
  }
});

test('productColumnNorms equals the column norms of the formed product', () => {
  for (const [m, k, n] of [[90, 8, 70], [6, 10, 12]]) {
    const a = randn(m, k, 51), b = randn(k, n, 52);
    const ref = columnNorms(matmul(a, b));
    const got = productColumnNorms(a, b);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(got[j] - ref[j]) <= 1e-12 * ref[j], `column ${j}`);
  }
});
