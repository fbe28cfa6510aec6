import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm, gemmBatched, gemmJs, setGemmBackend, gemmBackend } from '../../src/nn/gemm.js';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';
import { Rng } from '../../src/nn/rng.js';

/** Reference: the defining triple loop, in float64. */
function naive(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, a: ArrayLike<number>, aOff: number, lda: number,
  b: ArrayLike<number>, bOff: number, ldb: number, beta: number, c: Float64Array, cOff: number, ldc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]) * (tB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
      const o = cOff + i * ldc + j;
      c[o] = alpha * s + (beta === 0 ? 0 : beta * c[o]);
    }
  }
}

function fill(n: number, rng: Rng, f64: boolean): Float32Array | Float64Array {
  const x = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniformRange(-1, 1);
  return x;
}

const shapes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [9, 4, 300], [17, 33, 12], [4, 4, 0]];

for (const backend of ['js', 'native'] as const) {
  test(`gemm (${backend}): all transpose cases, offsets, leading dimensions, alpha/beta`, { skip: backend === 'native' && loadNativeAddon() === null ? 'native addon not built' : false }, () => {
    setGemmBackend(backend);
    assert.equal(gemmBackend(), backend);
    const rng = new Rng(1);
    for (const f64 of [true, false]) {
      for (const [m, n, k] of shapes) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const lda = (tA ? m : k) + 2, ldb = (tB ? k : n) + 1, ldc = n + 3;
            const aOff = 3, bOff = 2, cOff = 5;
            const a = fill(aOff + (tA ? k : m) * lda, rng, f64);
            const b = fill(bOff + (tB ? n : k) * ldb, rng, f64);
            const c = fill(cOff + m * ldc, rng, f64);
            const want = Float64Array.from(c);
            naive(tA, tB, m, n, k, 0.75, a, aOff, lda, b, bOff, ldb, 0.5, want, cOff, ldc);
            gemm(tA, tB, m, n, k, 0.75, a, aOff, lda, b, bOff, ldb, 0.5, c, cOff, ldc);
            const tol = f64 ? 1e-12 : 2e-5 * Math.max(1, k);
            for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] - want[i]) <= tol, `m${m} n${n} k${k} tA${tA} tB${tB} f64 ${f64}: [${i}] ${c[i]} vs ${want[i]}`);
          }
        }
      }
    }
    // beta = 0 ignores NaN already in C.
    const c = new Float32Array([NaN, NaN]);
    gemm(false, false, 1, 2, 1, 1, new Float32Array([2]), 0, 1, new Float32Array([3, 4]), 0, 2, 0, c, 0, 2);
    assert.deepEqual(Array.from(c), [6, 8]);
  });

  test(`gemmBatched (${backend}) equals a loop of gemm`, { skip: backend === 'native' && loadNativeAddon() === null ? 'native addon not built' : false }, () => {
    setGemmBackend(backend);
    const rng = new Rng(2);
    const [m, n, k, batch] = [6, 5, 4, 3];
    const a = fill(1 + batch * m * 8, rng, false) as Float32Array, b = fill(2 + batch * n * 8, rng, false) as Float32Array;
    const c1 = new Float32Array(batch * m * n), c2 = new Float32Array(batch * m * n);
    gemmBatched(false, true, m, n, k, 1, a, 1, 8, m * 8, b, 2, 8, n * 8, 0, c1, 0, n, m * n, batch);
    for (let i = 0; i < batch; i++) gemmJs(false, true, m, n, k, 1, a, 1 + i * m * 8, 8, b, 2 + i * n * 8, 8, 0, c2, i * m * n, n);
    for (let i = 0; i < c1.length; i++) assert.ok(Math.abs(c1[i] - c2[i]) < 1e-5);
  });
}
