import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFamily } from '../../src/lab/families.js';
import { Rng } from '../../src/lab/rng.js';
import { BadOptionError } from '../../src/errors.js';

/** Monte Carlo mean and variance of the first coordinate, and of the product x1·x2 when d ≥ 2. */
function mc(x: Float64Array, n: number, d: number): { m: number; v: number; c: number } {
  let m = 0;
  let m2 = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    m += x[i * d];
    m2 += x[i * d] ** 2;
    if (d > 1) c += x[i * d] * x[i * d + 1];
  }
  return { m: m / n, v: m2 / n - (m / n) ** 2, c: c / n };
}

const N = 40000;

test('sampler: Beta moments by Monte Carlo match a/(a+b) and ab/((a+b)²(a+b+1))', () => {
  const fam = makeFamily({ kind: 'beta', a: [0.7, 4], b: [0.7, 4] });
  const rng = new Rng(11);
  for (let k = 0; k < 4; k++) {
    const mu = fam.draw(rng);
    const { a, b } = mu.latent as { a: number; b: number };
    const s = mc(mu.sample(rng, N), N, 1);
    const mean = a / (a + b);
    const v = (a * b) / ((a + b) ** 2 * (a + b + 1));
    assert.ok(Math.abs(s.m - mean) < 5 * Math.sqrt(v / N), `Beta(${a}, ${b}) mean ${s.m} vs ${mean}`);
    assert.ok(Math.abs(s.v - v) < 0.03 * v + 1e-4, `Beta(${a}, ${b}) variance ${s.v} vs ${v}`);
  }
});

test('sampler: rotated Gaussian covariance matches R diag(λ) Rᵀ', () => {
  const fam = makeFamily({ kind: 'rotgauss', lambda: [1, 9] });
  const rng = new Rng(12);
  for (let k = 0; k < 3; k++) {
    const mu = fam.draw(rng);
    const th = mu.latent.angle as number;
    const s = mc(mu.sample(rng, N), N, 2);
    const s11 = Math.cos(th) ** 2 + 9 * Math.sin(th) ** 2;
    const s12 = (1 - 9) * Math.cos(th) * Math.sin(th);
    assert.ok(Math.abs(s.m) < 5 * Math.sqrt(s11 / N));
    assert.ok(Math.abs(s.v - s11) < 0.04 * s11, `Σ11 ${s.v} vs ${s11}`);
    assert.ok(Math.abs(s.c - s12) < 0.15, `Σ12 ${s.c} vs ${s12}`);
  }
});

test('sampler: Gaussian mixture and custom family means match Σ w·mean', () => {
  const rng = new Rng(13);
  for (const fam of [
    makeFamily({ kind: 'gmix', components: 3 }),
    makeFamily({ kind: 'custom', components: [{ type: 'beta', a: [1, 3], b: 2 }, { type: 'uniform', lo: -1, hi: [0, 1] }, { type: 'normal', mean: 2, sd: 0.5 }] }),
  ]) {
    const mu = fam.draw(rng);
    const law = mu.marginal;
    assert.equal(law.kind, 'continuous');
    if (law.kind !== 'continuous') return;
    const exact = law.components.reduce((acc, c, j) => {
      const p = c.params;
      const m = c.type === 'beta' ? p.a / (p.a + p.b) : c.type === 'normal' ? p.mean : (p.lo + p.hi) / 2;
      return acc + law.weights[j] * m;
    }, 0);
    const s = mc(mu.sample(rng, N), N, 1);
    assert.ok(Math.abs(s.m - exact) < 5 * Math.sqrt(s.v / N), `${fam.name} mean ${s.m} vs ${exact}`);
  }
});

test('sampler: topic token frequencies match the mixture p = Σ θ_k φ_k', () => {
  const fam = makeFamily({ kind: 'topic', vocab: 6, topics: 2, dim: 3 });
  const rng = new Rng(14);
  const mu = fam.draw(rng);
  assert.equal(mu.marginal.kind, 'discrete');
  if (mu.marginal.kind !== 'discrete') return;
  const { atoms, probs } = mu.marginal;
  const x = mu.sample(rng, N);
  for (let v = 0; v < atoms.length; v++) {
    let c = 0;
    for (let i = 0; i < N; i++) if (x[i * 3] === atoms[v]) c++;
    const sd = Math.sqrt((probs[v] * (1 - probs[v])) / N);
    assert.ok(Math.abs(c / N - probs[v]) < 5 * sd + 1e-9, `token ${v}: ${c / N} vs ${probs[v]}`);
  }
});

test('sampler: reproducible from the seed; bad configs name the field', () => {
  const fam = makeFamily({ kind: 'beta' });
  const a = fam.draw(new Rng(5)).sample(new Rng(6), 10);
  const b = fam.draw(new Rng(5)).sample(new Rng(6), 10);
  assert.deepEqual(a, b);
  assert.throws(() => makeFamily({ kind: 'beta', a: [3, 1] }), (e: unknown) => e instanceof BadOptionError && /beta\.a/.test(e.message));
  assert.throws(() => makeFamily({ kind: 'gmix', sd: [-1, 1] }), (e: unknown) => e instanceof BadOptionError && /gmix\.sd/.test(e.message));
});
