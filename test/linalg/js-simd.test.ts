import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lqFusedInPlace } from '../../src/linalg/js/lq-fused.js';
import { simdKernels } from '../../src/linalg/js/simd-kernels.js';
import { bidiagonalize } from '../../src/linalg/js/householder.js';
import { bidiagonalSingularValues } from '../../src/linalg/js/bidiag-svd.js';
import { assertClose, numericalRank } from './helpers.js';

/** The js backend's WebAssembly SIMD kernels (src/linalg/js/simd-kernels.ts) against numpy/LAPACK. */
interface Case { name: string; rows: number; cols: number; dtype: string; offset: number; sv?: number[]; rank?: number; role?: string }
const dir = new URL('../fixtures/linalg/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('svd_cases.json', dir), 'utf8')) as { cases: Case[] };
const blob = readFileSync(new URL('svd_cases.bin', dir));

function rowsOf(c: Case): Float64Array {
  const n = c.rows * c.cols;
  return new Float64Array(new Uint8Array(blob.subarray(c.offset, c.offset + 8 * n)).buffer);
}

test('WebAssembly SIMD is available on Node 20 (else the js backend silently keeps its slower loops)', () => {
  assert.notEqual(simdKernels(1 << 20), null);
});

test('SIMD LQ, then the bidiagonal SVD of L, gives numpy\'s singular values on the wide golden cases', () => {
  const wide = meta.cases.filter((c) => !c.role && c.dtype === 'float64' && c.sv && c.cols > c.rows && c.rows > 1);
  assert.ok(wide.length >= 2);
  for (const c of wide) {
    const p = c.rows, q = c.cols;
    const l = lqFusedInPlace(p, q, rowsOf(c), { simd: true });
    const { d, e } = bidiagonalize(p, p, l);
    const s = bidiagonalSingularValues(d, e);
    assertClose(s, c.sv!, `simd LQ ${c.name}`);
    assert.equal(numericalRank(s, p, q), c.rank, `${c.name}: numerical rank`);
  }
});

test('SIMD bidiagonalisation gives numpy\'s singular values on every golden case', () => {
  const cases = meta.cases.filter((c) => !c.role && c.dtype === 'float64' && c.sv);
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    // Tall layout (m ≥ n) and a power-of-two scale to O(1), as jsSingularValues does.
    const x = rowsOf(c), m = Math.max(c.rows, c.cols), n = Math.min(c.rows, c.cols);
    const a = c.rows >= c.cols ? x : Float64Array.from({ length: m * n }, (_, k) => x[(k % n) * c.cols + Math.floor(k / n)]);
    const mx = a.reduce((t, v) => Math.max(t, Math.abs(v)), 0);
    const scale = mx > 0 ? 2 ** -Math.ceil(Math.log2(mx)) : 1;
    for (let i = 0; i < a.length; i++) a[i] *= scale;
    const { d, e } = bidiagonalize(m, n, a, { simd: true });
    const s = bidiagonalSingularValues(d, e).map((v) => v / scale);
    assertClose(s, c.sv!, `simd bidiagonalisation ${c.name}`);
    assert.equal(numericalRank(s, c.rows, c.cols), c.rank, `${c.name}: numerical rank`);
  }
});

test('SIMD and TypeScript LQ agree to rounding on odd and even shapes (every column-tail case)', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (const [p, q] of [[5, 5], [6, 9], [9, 10], [13, 40], [100, 101], [101, 250]]) {
    const a = Float64Array.from({ length: p * q }, rnd);
    const ls = lqFusedInPlace(p, q, a.slice(), { simd: true });
    const lt = lqFusedInPlace(p, q, a.slice(), { simd: false });
    let err = 0, mx = 0;
    for (let i = 0; i < ls.length; i++) {
      err = Math.max(err, Math.abs(ls[i] - lt[i]));
      mx = Math.max(mx, Math.abs(lt[i]));
    }
    assert.ok(mx > 0.1 && err <= 1e-13 * mx, `${p}×${q}: max |L_simd − L_ts| = ${err} (max |L| ${mx})`);
  }
});

test('SIMD and TypeScript bidiagonalisations agree to rounding on odd and even shapes', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (const [m, n] of [[5, 5], [9, 6], [10, 10], [41, 13], [101, 100], [130, 97]]) {
    const a = Float64Array.from({ length: m * n }, rnd);
    const bs = bidiagonalize(m, n, a.slice(), { simd: true }), bt = bidiagonalize(m, n, a.slice(), { simd: false });
    const ss = bidiagonalSingularValues(bs.d, bs.e), st = bidiagonalSingularValues(bt.d, bt.e);
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(ss[i] - st[i]));
    assert.ok(st[0] > 0.5 && err <= 1e-13 * st[0], `${m}×${n}: max |σ_simd − σ_ts| = ${err} (σ₁ ${st[0]})`);
  }
});
