import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createBackend, nativeAvailable } from '../../src/linalg/index.js';
import { jsGram } from '../../src/linalg/js-backend.js';
import { lanczosSpectralNorm, tridiagonalMaxEigenvalue } from '../../src/linalg/lanczos.js';
import type { LinalgBackend, Matrix } from '../../src/linalg/types.js';

/** Fixtures from scripts/golden/linalg_spectral_norm.py (numpy's σ₁). */
interface Case { name: string; rows: number; cols: number; offset: number; sigma1: number }
const dir = new URL('../fixtures/linalg/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('spectral_norm.json', dir), 'utf8')) as { cases: Case[] };
const blob = readFileSync(new URL('spectral_norm.bin', dir));

function matrix(c: Case): Matrix {
  const bytes = blob.subarray(c.offset, c.offset + c.rows * c.cols * 8);
  return { rows: c.rows, cols: c.cols, data: new Float64Array(new Uint8Array(bytes).buffer), name: c.name };
}

const TOL = 1e-12;
const backends: LinalgBackend[] = [createBackend('js')];
if (nativeAvailable()) backends.push(createBackend('native'));

for (const be of backends) {
  test(`${be.name}: spectralNorm matches numpy's σ₁ to 1e-12·σ₁ on every golden case`, () => {
    // Default: these small matrices take the full SVD; lanczosMinDim 1 sends every one through
    // Lanczos (native: the one-pass product, or the Gram matrix for the rectangular ones).
    for (const opts of [{}, { lanczosMinDim: 1 }]) {
      for (const c of meta.cases) {
        const got = be.spectralNorm(matrix(c), opts);
        assert.ok(Math.abs(got - c.sigma1) <= TOL * c.sigma1, `${c.name} ${JSON.stringify(opts)}: ${got} vs ${c.sigma1}`);
      }
      assert.equal(be.spectralNorm({ rows: 60, cols: 70, data: new Float64Array(4200) }, opts), 0);
      assert.equal(be.spectralNorm({ rows: 0, cols: 4, data: new Float64Array(0) }, opts), 0);
    }
  });
}

test('the Lanczos iteration itself (no size gate, no fallback) converges to σ₁ on every case', () => {
  for (const c of meta.cases) {
    const data = matrix(c).data as Float64Array;
    const mx = data.reduce((t, x) => Math.max(t, Math.abs(x)), 0);
    const scale = 2 ** -Math.ceil(Math.log2(mx));
    const r = lanczosSpectralNorm(c.cols, jsGram(c.rows, c.cols, data), scale, 1000);
    assert.ok(!Number.isNaN(r.sigma), `${c.name}: did not converge in ${r.steps} steps`);
    assert.ok(Math.abs(r.sigma - c.sigma1) <= TOL * c.sigma1, `${c.name}: ${r.sigma} vs ${c.sigma1}`);
    assert.ok(r.relResidual <= 1e-13, `${c.name}: residual bound ${r.relResidual}`);
  }
});

test('a step budget too small reports no convergence (the backends then run the full SVD)', () => {
  const c = meta.cases.find((x) => x.name.startsWith('gaussian square'))!;
  const r = lanczosSpectralNorm(c.cols, jsGram(c.rows, c.cols, matrix(c).data as Float64Array), 1 / 8, 3);
  assert.ok(Number.isNaN(r.sigma));
  assert.equal(r.steps, 3);
});

test('tridiagonal bisection: the (−1, 2, −1) matrix has λ_max = 2 − 2·cos(nπ/(n+1))', () => {
  for (const n of [1, 2, 7, 50]) {
    const d = new Float64Array(n).fill(2), e = new Float64Array(n).fill(-1);
    const want = 2 - 2 * Math.cos((n * Math.PI) / (n + 1));
    assert.ok(Math.abs(tridiagonalMaxEigenvalue(d, e, n) - want) <= 4e-16 * 4, `n = ${n}`);
  }
});

test('a value map (formed product, Lanczos σ₁ scaled by the formed maximum) agrees with the full SVD to 1e-13', () => {
  if (!nativeAvailable()) return;
  const be = createBackend('native');
  const m = 200, k = 200, n = 220;
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
  // Columns scaled by j^-0.3, as the bench's weights: a decaying spectrum with a small top gap.
  const a = { rows: m, cols: k, data: Float32Array.from({ length: m * k }, (_, i) => rnd() * ((i % k) + 1) ** -0.3) };
  const b = { rows: k, cols: n, data: Float32Array.from({ length: k * n }, (_, i) => rnd() * ((i % n) + 1) ** -0.3) };
  const top = be.measureProduct(a, b, 'top'), all = be.measureProduct(a, b, 'all');
  assert.equal(top.singularValues.length, 1);
  const rel = Math.abs(top.singularValues[0] - all.singularValues[0]) / all.singularValues[0];
  assert.ok(rel <= 1e-13, `σ₁ ${top.singularValues[0]} vs ${all.singularValues[0]} (rel ${rel})`);
  assert.deepEqual(Array.from(top.columnNorms), Array.from(all.columnNorms));
  assert.equal(top.frobenius, all.frobenius);
  assert.equal(top.norm11, all.norm11);
});
