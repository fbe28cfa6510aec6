import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFamily } from '../../src/lab/families.js';
import { makeFunctional } from '../../src/lab/functionals.js';
import { headOf, mse, sampleDataset } from '../../src/lab/data.js';
import { NeuralRegressor } from '../../src/lab/models/neural.js';
import { PluginEstimator } from '../../src/lab/models/plugin.js';
import { BASE_DEFAULTS, fitAndScore, type BaseConfig } from '../../src/lab/experiments/common.js';
import { runUnit, tuningGrid, unitKey } from '../../src/lab/experiments/unit.js';
import { loopbackCells } from '../../src/lab/experiments/loopback.js';

test('early stopping keeps the weights of the best validation MSE and reports the steps used', () => {
  const fam = makeFamily({ kind: 'beta' });
  const f = makeFunctional('variance', 1);
  const ds = sampleDataset(fam, f, { m: 60, n: 12, seed: 4 });
  const r = new NeuralRegressor('deepsets', 1, { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, { steps: 400, batch: 16, lr: 3e-2, weightDecay: 0, seed: 2, valFraction: 0.25, evalEvery: 10, patience: 3 });
  const trainMse = r.fit(ds.bags, ds.y);
  const rep = r.report;
  assert.ok(rep);
  assert.ok(rep.bestStep <= rep.stepsRun && rep.stepsRun <= 400, JSON.stringify(rep));
  // the held-out bags are the last quarter; the kept weights reproduce the reported validation MSE
  const val = { ...ds.bags, m: 15, x: ds.bags.x.subarray(45 * 12) };
  assert.ok(Math.abs(mse(r.predict(val), ds.y.subarray(45)) - rep.valMse) < 1e-12, `${mse(r.predict(val), ds.y.subarray(45))} vs ${rep.valMse}`);
  // the training MSE is over the 45 fitted bags only
  const fitted = headOf(ds, 45);
  assert.ok(Math.abs(mse(r.predict(fitted.bags), fitted.y) - trainMse) < 1e-12);
});

test('with label noise the gap compares like with like: test MSE + noise² − noisy training MSE', () => {
  const fam = makeFamily({ kind: 'beta' });
  const f = makeFunctional('mean', 1);
  const train = sampleDataset(fam, f, { m: 400, n: 50, seed: 1, noise: 0.1 });
  const test_ = sampleDataset(fam, f, { m: 100, n: 50, seed: 1, offset: 100000 });
  const s = fitAndScore(new PluginEstimator(f), train, test_, 0.1);
  assert.ok(Math.abs(s.gap - (s.testMse + 0.01 - s.trainMse)) < 1e-15);
  // the plug-in does not fit, so its noisy training error ≈ its test error + noise²: gap ≈ 0
  assert.ok(Math.abs(s.gap) < 0.003, `gap ${s.gap} (train ${s.trainMse}, test ${s.testMse})`);
});

const tinyConfig = (over: Partial<BaseConfig>): BaseConfig => ({
  ...BASE_DEFAULTS, family: { kind: 'beta' }, functional: 'mean', testM: 20, size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 },
  train: { steps: 40, batch: 8, lr: 1e-2, weightDecay: 0, valFraction: 0.25, evalEvery: 10, patience: 2 }, ...over,
});

test('a run unit tunes every neural learner on the same grid by validation MSE and reports its budget', () => {
  const c = tinyConfig({ tune: { lr: [1e-3, 3e-2], paramScale: [1] } });
  assert.deepEqual(tuningGrid(c), [{ lr: 1e-3, paramScale: 1 }, { lr: 3e-2, paramScale: 1 }]);
  const row = runUnit({ config: c, model: 'deepsets', m: 24, n: 8, seed: 1 });
  assert.equal(row.grid, 2);
  assert.ok([1e-3, 3e-2].includes(Number(row.lr)));
  assert.ok(Number(row.stepsTotal) >= Number(row.steps) && Number(row.seconds) >= Number(row.secondsKept));
  // a grid without a validation split cannot choose: refused
  assert.throws(() => tuningGrid({ ...c, train: { ...c.train, valFraction: 0 } }), /validation split/);
  // keys differ when the grid differs, not when an unrelated learner's settings differ
  const k = unitKey('x', { config: c, model: 'deepsets', m: 24, n: 8, seed: 1 });
  assert.notEqual(k, unitKey('x', { config: { ...c, tune: { lr: [1e-3], paramScale: [1] } }, model: 'deepsets', m: 24, n: 8, seed: 1 }));
  assert.equal(unitKey('x', { config: c, model: 'plugin', m: 24, n: 8, seed: 1 }), unitKey('x', { config: { ...c, tune: { lr: [1e-3], paramScale: [1] } }, model: 'plugin', m: 24, n: 8, seed: 1 }));
});

test('loopback models are independent cells: distinct seeds, distinct settings, at most the factorial', () => {
  const cells = loopbackCells({ m: [32, 64], hidden: [8, 16], layers: [1, 2], weightDecay: [0, 0.1], steps: [10, 20], count: 30, seed: 5 });
  assert.equal(cells.length, 30);
  assert.equal(new Set(cells.map((c) => c.seed)).size, 30);
  assert.equal(new Set(cells.map((c) => JSON.stringify({ ...c, seed: 0 }))).size, 30);
  assert.equal(loopbackCells({ m: [32], hidden: [8], layers: [1], weightDecay: [0], steps: [10], count: 30, seed: 5 }).length, 1);
});
