import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';

const addon = loadNativeAddon();
const skip = addon ? false : 'native addon not built (OpenBLAS missing)';

// Small hand-checkable cases; the values were worked out by hand / numpy (see comments).
test('sgemm is row-major with transposes and leading dimensions', { skip }, () => {
  const ad = addon!;
  const a = new Float32Array([1, 2, 3, 4, 5, 6]); // 3×2
  const b = new Float32Array([1, 2, 3, 4]); // 2×2
  const c = new Float32Array(6);
  ad.sgemm(false, false, 3, 2, 2, 1, a, 2, b, 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [7, 10, 15, 22, 23, 34]);
  const g = new Float32Array(4);
  ad.sgemm(true, false, 2, 2, 3, 1, a, 2, a, 2, 0, g, 2); // AᵀA
  assert.deepEqual(Array.from(g), [35, 44, 44, 56]);
  const h = new Float32Array(9);
  ad.sgemm(false, true, 3, 3, 2, 2, a, 2, a, 2, 0, h, 3); // 2·AAᵀ
  assert.deepEqual(Array.from(h), [10, 22, 34, 22, 50, 78, 34, 78, 122]);
  // A view: the 2×2 lower block of a 3×3 buffer with ldc = 3.
  const big = new Float32Array(9).fill(1);
  ad.sgemm(false, false, 2, 2, 2, 1, b, 2, b, 2, 1, big.subarray(4), 3);
  assert.deepEqual(Array.from(big), [1, 1, 1, 1, 8, 11, 1, 16, 23]);
  assert.throws(() => ad.sgemm(false, false, 3, 3, 3, 1, new Float32Array(2), 3, b, 3, 0, c, 3), /too short/);
});

test('sgemmBatched applies one GEMM per stride', { skip }, () => {
  const ad = addon!;
  const a = new Float32Array([1, 0, 0, 1, 2, 0, 0, 2]); // I, 2I
  const b = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const c = new Float32Array(8);
  ad.sgemmBatched(false, false, 2, 2, 2, 1, a, 2, 4, b, 2, 4, 0, c, 2, 4, 2);
  assert.deepEqual(Array.from(c), [1, 2, 3, 4, 10, 12, 14, 16]);
});

test('dgemm, dgesdd and qrR', { skip }, () => {
  const ad = addon!;
  const a = new Float64Array([1, 2, 3, 4, 5, 6]);
  const c = new Float64Array(4);
  ad.dgemm(true, false, 2, 2, 3, 1, a, 2, a, 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [35, 44, 44, 56]);
  // numpy: np.linalg.svd([[1,2],[3,4],[5,6]], compute_uv=False) = [9.52551809, 0.51430058]
  const s = ad.dgesdd(3, 2, a.slice());
  assert.ok(Math.abs(s[0] - 9.525518091565107) < 1e-12 && Math.abs(s[1] - 0.5143005806586441) < 1e-12);
  // numpy: np.linalg.qr(A)[1] = [[-5.91607978, -7.43735744], [0, 0.82807867]]
  const r = ad.qrR(3, 2, a.slice());
  assert.ok(Math.abs(Math.abs(r[0]) - Math.sqrt(35)) < 1e-12 && r[2] === 0);
  assert.ok(Math.abs(Math.abs(r[3]) - 0.8280786712108251) < 1e-12);
  assert.match(ad.config(), /OpenBLAS/);
  ad.setNumThreads(1);
});

test('qrRcm factors column-major data in place', { skip }, () => {
  const ad = addon!;
  // Column-major 3×2 [[1,2],[3,4],[5,6]] is the row-major [1,3,5, 2,4,6].
  const r = ad.qrRcm(3, 2, new Float64Array([1, 3, 5, 2, 4, 6]));
  assert.ok(Math.abs(Math.abs(r[0]) - Math.sqrt(35)) < 1e-12 && r[2] === 0);
  assert.ok(Math.abs(Math.abs(r[1]) - 44 / Math.sqrt(35)) < 1e-12);
  assert.ok(Math.abs(Math.abs(r[3]) - 0.8280786712108251) < 1e-12);
  assert.throws(() => ad.qrRcm(2, 3, new Float64Array(6)), /m >= n/);
});

test('productSvals: k values of A·B in one call, inputs untouched', { skip }, () => {
  const ad = addon!;
  // Rank one: A = [1, 2, 2]ᵀ (norm 3), B = [3, 4, 0, 0] (norm 5): σ = [15].
  const a1 = new Float64Array([1, 2, 2]), b1 = new Float64Array([3, 4, 0, 0]);
  const s1 = ad.productSvals(3, 1, 4, a1, b1);
  assert.equal(s1.length, 1);
  assert.ok(Math.abs(s1[0] - 15) < 1e-13);
  assert.deepEqual(Array.from(a1), [1, 2, 2]);
  assert.deepEqual(Array.from(b1), [3, 4, 0, 0]);
  // A = [[1, 1], [1, −1], [0, 0]] (columns orthogonal, norms √2), B = [[3, 0, 0], [0, 4, 0]]:
  // A·B = [[3, 4, 0], [3, −4, 0], [0, 0, 0]], σ = [4√2, 3√2].
  const s2 = ad.productSvals(3, 2, 3, new Float64Array([1, 1, 1, -1, 0, 0]), new Float64Array([3, 0, 0, 0, 4, 0]));
  assert.ok(Math.abs(s2[0] - 4 * Math.SQRT2) < 1e-13 && Math.abs(s2[1] - 3 * Math.SQRT2) < 1e-13);
  assert.equal(ad.productSvals(3, 0, 3, new Float64Array(0), new Float64Array(0)).length, 0);
  assert.throws(() => ad.productSvals(2, 3, 4, new Float64Array(6), new Float64Array(12)), /k <= min/);
  assert.throws(() => ad.productSvals(3, 2, 3, new Float64Array(5), new Float64Array(6)), /shorter/);
});

test('gramApply is c²·AᵀA·x in one call', { skip }, () => {
  const ad = addon!;
  // A = [[1, 2], [3, 4]]: AᵀA = [[10, 14], [14, 20]]; x = [1, −1] → [−4, −6]; c = 0.5 → [−1, −1.5].
  const out = new Float64Array(2);
  ad.gramApply(2, 2, new Float64Array([1, 2, 3, 4]), new Float64Array([1, -1]), out, 0.5);
  assert.deepEqual(Array.from(out), [-1, -1.5]);
  assert.throws(() => ad.gramApply(2, 2, new Float64Array(3), new Float64Array(2), out, 1), /too short/);
});

test('denseMeasures finds the first NaN/±Inf by its bits and passes the extreme finite values', { skip }, () => {
  const ad = addon!;
  const stats = new Float64Array(3), cn = new Float64Array(5);
  const extremes = [[3.4028234663852886e38, -1.401298464324817e-45, 0, -0], [Number.MAX_VALUE, -5e-324, 0, -0]];
  for (const [i, Arr] of [Float32Array, Float64Array].entries()) {
    const ok = new Arr(20);
    for (let j = 0; j < 20; j++) ok[j] = extremes[i][j % 4];
    ad.denseMeasures(4, 5, ok, null, cn, stats);
    assert.equal(stats[2], -1, `${Arr.name}: extreme finite values are not flagged`);
    for (const [at, bad] of [[0, NaN], [13, -Infinity], [19, Infinity]] as const) {
      const x = ok.slice();
      x[at] = bad;
      if (at === 13) x[17] = NaN;
      ad.denseMeasures(4, 5, x, null, cn, stats);
      assert.equal(stats[2], at, `${Arr.name}: ${bad} at ${at}`);
    }
  }
});

test('gramApply: four-row blocks and both tails (m, n not multiples of 4) give c²·AᵀA·x exactly', { skip }, () => {
  const ad = addon!;
  // Small integers: every product and sum is exact in float64, so any order of the sums agrees.
  for (const [m, n] of [[1, 1], [3, 5], [4, 4], [9, 7], [13, 18], [64, 33]]) {
    const a = Float64Array.from({ length: m * n }, (_, i) => ((i * 7919) % 11) - 5);
    const x = Float64Array.from({ length: n }, (_, j) => ((j * 31) % 7) - 3);
    const want = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += a[i * n + j] * x[j];
      for (let j = 0; j < n; j++) want[j] += 0.25 * t * a[i * n + j];
    }
    const out = new Float64Array(n).fill(NaN);
    ad.gramApply(m, n, a, x, out, 0.5);
    assert.deepEqual(Array.from(out), Array.from(want), `${m}×${n}`);
  }
});

test('gramMatrix is alpha·A·Aᵀ (wide) or alpha·AᵀA (tall), both triangles', { skip }, () => {
  const ad = addon!;
  const a = new Float64Array([1, 2, 3, 4, 5, 6]);
  // 2×3 [[1,2,3],[4,5,6]]: A·Aᵀ = [[14, 32], [32, 77]]; 3×2 [[1,2],[3,4],[5,6]]: AᵀA = [[35, 44], [44, 56]].
  assert.deepEqual(Array.from(ad.gramMatrix(2, 3, a, 1)), [14, 32, 32, 77]);
  assert.deepEqual(Array.from(ad.gramMatrix(3, 2, a, 0.25)), [8.75, 11, 11, 14]);
  assert.throws(() => ad.gramMatrix(3, 3, a, 1), /shorter/);
});

test('dgesdd honours a padded row stride', { skip }, () => {
  const ad = addon!;
  // [[1,2],[3,4],[5,6]] with rows 3 apart (the padding holds garbage that must be ignored).
  const s = ad.dgesdd(3, 2, new Float64Array([1, 2, 99, 3, 4, -7, 5, 6]), 3);
  assert.ok(Math.abs(s[0] - 9.525518091565107) < 1e-12 && Math.abs(s[1] - 0.5143005806586441) < 1e-12);
  assert.throws(() => ad.dgesdd(3, 2, new Float64Array(7), 3), /shorter/);
  assert.throws(() => ad.dgesdd(3, 2, new Float64Array(8), 1), /ld is smaller/);
});

test('formedProduct: float32 factors give the same bits as dgemm on float64 copies then denseMeasures; max|c|; NaN/Inf located', { skip }, () => {
  const ad = addon!;
  const m = 37, k = 41, n = 29;
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
  const a = Float32Array.from({ length: m * k }, rnd), b = Float32Array.from({ length: k * n }, rnd);
  const c = new Float64Array(m * n), cn = new Float64Array(n), stats = new Float64Array(5);
  ad.formedProduct(m, k, n, a, b, c, cn, stats);
  const ref = new Float64Array(m * n), refCn = new Float64Array(n), refStats = new Float64Array(3);
  ad.dgemm(false, false, m, n, k, 1, Float64Array.from(a), k, Float64Array.from(b), n, 0, ref, n);
  ad.denseMeasures(m, n, ref, null, refCn, refStats);
  assert.deepEqual(Array.from(c), Array.from(ref));
  assert.deepEqual(Array.from(cn), Array.from(refCn));
  assert.deepEqual([stats[0], stats[1], stats[3], stats[4]], [refStats[0], refStats[1], -1, -1]);
  assert.equal(stats[2], Math.max(...Array.from(ref, Math.abs)));
  // float64 factors go to dgemm as they are: same product.
  ad.formedProduct(m, k, n, Float64Array.from(a), Float64Array.from(b), c, cn, stats);
  assert.deepEqual(Array.from(c), Array.from(ref));
  const bad = b.slice();
  bad[33] = NaN;
  bad[40] = Infinity;
  ad.formedProduct(m, k, n, a, bad, c, cn, stats);
  assert.deepEqual([stats[3], stats[4]], [-1, 33]);
  assert.throws(() => ad.formedProduct(m, k, n, a, b, new Float64Array(m * n - 1), cn, stats), /long enough/);
  assert.throws(() => ad.formedProduct(m, k, n, a.subarray(1), b, c, cn, stats), /shorter than its shape/);
});
