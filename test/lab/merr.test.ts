import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MerrRegressor, DEFAULT_MERR } from '../../src/lab/models/merr.js';
import type { Bags } from '../../src/lab/data.js';

// Reference: scripts/golden/lab_merr.py (numpy + scipy cdist + scikit-learn KernelRidge / Ridge on
// Nyström features), output committed as test/fixtures/lab/merr.json.
interface Fit { sigma1: number; sigma2: number; lambda: number; cvMse: number; cv: { c1: number; c2: number; lambda: number; mse: number }[]; predTest: number[]; trainMse: number }
const fx = JSON.parse(readFileSync(new URL('../fixtures/lab/merr.json', import.meta.url), 'utf8')) as {
  bags: number[]; y: number[]; test: number[]; yTest: number[]; m: number; mTest: number; n: number; d: number;
  grid: { sigma1: number[]; sigma2: number[]; lambdas: number[]; folds: number };
  exact: Fit; nystrom: Fit & { landmarks: number };
};
const train: Bags = { m: fx.m, n: fx.n, d: fx.d, x: Float64Array.from(fx.bags), discrete: false };
const testBags: Bags = { m: fx.mTest, n: fx.n, d: fx.d, x: Float64Array.from(fx.test), discrete: false };
const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function check(r: MerrRegressor, ref: Fit, tol: number): void {
  const trainMse = r.fit(train, Float64Array.from(fx.y));
  assert.equal(r.cv.length, ref.cv.length);
  r.cv.forEach((row, i) => close(row.mse, ref.cv[i].mse, tol, `CV MSE at c1=${row.c1} c2=${row.c2} λ=${row.lambda}`));
  const ch = r.chosen;
  assert.ok(ch);
  close(ch.sigma1, ref.sigma1, 1e-12, 'sigma1');
  close(ch.sigma2, ref.sigma2, 1e-10, 'sigma2');
  assert.equal(ch.lambda, ref.lambda);
  close(trainMse, ref.trainMse, tol, 'training MSE');
  const p = r.predict(testBags);
  p.forEach((v, i) => close(v, ref.predTest[i], tol, `test prediction ${i}`));
}

test('merr (exact kernels) matches numpy + scikit-learn: CV errors of every grid point, chosen bandwidths and λ, predictions', () => {
  const r = new MerrRegressor({ ...DEFAULT_MERR, ...fx.grid, exactMax: 1000 });
  check(r, fx.exact, 1e-9);
  assert.equal(r.nystrom, false);
  assert.equal(r.paramCount, fx.m);
});

test('merr (Nyström) matches numpy + scikit-learn Ridge on C·W^(-1/2) features', () => {
  const r = new MerrRegressor({ ...DEFAULT_MERR, ...fx.grid, exactMax: 10, landmarks: fx.nystrom.landmarks });
  // the reference solves through W^(-1/2) (eigh), the code through CᵀC + mλW with 1e-10 jitter
  check(r, fx.nystrom, 1e-6);
  assert.equal(r.nystrom, true);
  assert.equal(r.paramCount, fx.nystrom.landmarks);
});

test('merr learns the rotated-Gaussian entropy better than predicting the mean, and is permutation invariant', () => {
  const r = new MerrRegressor({ ...DEFAULT_MERR, ...fx.grid, exactMax: 1000 });
  r.fit(train, Float64Array.from(fx.y));
  const p = r.predict(testBags);
  const mean = fx.yTest.reduce((a, b) => a + b, 0) / fx.yTest.length;
  const mse = fx.yTest.reduce((a, v, i) => a + (p[i] - v) ** 2, 0) / fx.yTest.length;
  const base = fx.yTest.reduce((a, v) => a + (v - mean) ** 2, 0) / fx.yTest.length;
  assert.ok(mse < 0.5 * base, `merr test MSE ${mse} vs variance ${base}`);
  // reverse the samples inside every test bag
  const x = testBags.x.slice();
  for (let i = 0; i < testBags.m; i++) for (let j = 0; j < fx.n; j++) for (let k = 0; k < fx.d; k++) x[(i * fx.n + j) * fx.d + k] = testBags.x[(i * fx.n + fx.n - 1 - j) * fx.d + k];
  const q = r.predict({ ...testBags, x });
  q.forEach((v, i) => close(v, p[i], 1e-12, `permuted bag ${i}`));
});

test('merr rejects bad grids and too few bags with a clear error', () => {
  assert.throws(() => new MerrRegressor({ ...DEFAULT_MERR, sigma1: [] }), /sigma1/);
  assert.throws(() => new MerrRegressor({ ...DEFAULT_MERR, lambdas: [0] }), /lambdas/);
  const r = new MerrRegressor({ ...DEFAULT_MERR, folds: 5 });
  assert.throws(() => r.fit({ ...train, m: 6, x: train.x.subarray(0, 6 * fx.n * fx.d) }, Float64Array.from(fx.y.slice(0, 6))), /too few/);
});
