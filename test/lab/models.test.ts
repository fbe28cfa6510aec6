import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFamily } from '../../src/lab/families.js';
import { makeFunctional } from '../../src/lab/functionals.js';
import { headOf, mse, sampleDataset, type Bags } from '../../src/lab/data.js';
import { RidgeRegressor } from '../../src/lab/models/ridge.js';
import { NeuralRegressor } from '../../src/lab/models/neural.js';
import { PluginEstimator } from '../../src/lab/models/plugin.js';
import { Rng } from '../../src/lab/rng.js';

test('ridge on mean embeddings recovers a linear functional (the mean)', () => {
  const fam = makeFamily({ kind: 'beta' });
  const f = makeFunctional('mean', 1);
  const train = sampleDataset(fam, f, { m: 300, n: 400, seed: 1 });
  const test_ = sampleDataset(fam, f, { m: 100, n: 400, seed: 1, offset: 100000 });
  const r = new RidgeRegressor({ features: 64, sigma: 0.5, lambdas: [1e-9, 1e-7, 1e-5, 1e-3], seed: 2 });
  r.fit(train.bags, train.y);
  const err = mse(r.predict(test_.bags), test_.truth);
  // second-stage floor: Var(mean of 400 samples) ≤ 1/(4·400); the labels vary with variance ~0.02
  assert.ok(err < 2e-3, `ridge test MSE ${err}`);
  const plugin = mse(new PluginEstimator(f).predict(test_.bags), test_.truth);
  assert.ok(err < 3 * plugin + 1e-4, `ridge ${err} vs plug-in ${plugin}`);
});

function permuteBags(b: Bags, rng: Rng): Bags {
  const x = b.x.slice();
  for (let i = 0; i < b.m; i++) {
    const perm = Array.from({ length: b.n }, (_, j) => j);
    for (let j = b.n - 1; j > 0; j--) {
      const k = rng.int(j + 1);
      [perm[j], perm[k]] = [perm[k], perm[j]];
    }
    for (let j = 0; j < b.n; j++) x.set(b.x.subarray((i * b.n + perm[j]) * b.d, (i * b.n + perm[j] + 1) * b.d), (i * b.n + j) * b.d);
  }
  return { ...b, x };
}

test('Transformer, DeepSets, FCN, CNN and ridge are permutation invariant; parameter counts matched', () => {
  const fam = makeFamily({ kind: 'rotgauss' });
  const f = makeFunctional('entropy', 2);
  const ds = sampleDataset(fam, f, { m: 12, n: 20, seed: 3 });
  const perm = permuteBags(ds.bags, new Rng(4));
  const size = { hidden: 8, heads: 2, layers: 1, ffnMult: 2 };
  const counts: number[] = [];
  for (const kind of ['transformer', 'deepsets', 'fcn', 'cnn'] as const) {
    const m = new NeuralRegressor(kind, 2, size, { steps: 3, batch: 4, lr: 1e-3, weightDecay: 0, seed: 5 });
    m.fit(ds.bags, ds.y);
    const a = m.predict(ds.bags);
    const b = m.predict(perm);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5 * Math.max(1, Math.abs(a[i])), `${kind} bag ${i}: ${a[i]} vs ${b[i]}`);
    assert.equal(m.paramCount, m.net?.numParameters());
    counts.push(m.paramCount);
  }
  for (const c of counts) assert.ok(Math.abs(c - counts[0]) / counts[0] < 0.1, `parameter counts ${counts}`);
  const r = new RidgeRegressor({ features: 16, sigma: null, lambdas: [1e-3], seed: 1 });
  r.fit(ds.bags, ds.y);
  const a = r.predict(ds.bags);
  const b = r.predict(perm);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-10);
});

test('a learning curve in m decreases (Transformer on the Beta mean)', () => {
  const fam = makeFamily({ kind: 'beta' });
  const f = makeFunctional('mean', 1);
  const full = sampleDataset(fam, f, { m: 128, n: 16, seed: 7 });
  const test_ = sampleDataset(fam, f, { m: 64, n: 16, seed: 7, offset: 100000 });
  const errs = [8, 128].map((m) => {
    const tr = headOf(full, m);
    const model = new NeuralRegressor('transformer', 1, { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, { steps: 120, batch: 16, lr: 5e-3, weightDecay: 0, seed: 1 });
    model.fit(tr.bags, tr.y);
    return mse(model.predict(test_.bags), test_.truth);
  });
  assert.ok(errs[1] < errs[0], `test MSE at m=128 (${errs[1]}) not below m=8 (${errs[0]})`);
});
