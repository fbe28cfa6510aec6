import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { betaDistribution, gaussianMixture, rotatedGaussian, tokenDistribution, type LabDistribution } from '../../src/lab/families.js';
import { makeFunctional, teacherTruth } from '../../src/lab/functionals.js';
import { attentionOperator, uniformWeights } from '../../src/lab/attention.js';

interface Fixture {
  sigma: number;
  q: number;
  heads: Record<string, { Q: number[][]; K: number[][]; V: number[][]; a: number[]; c: number[] }>;
  cases: { kind: string; params: Record<string, number & number[]>; truth: Record<string, number> }[];
  attention: { X: number[][][]; Q: number[][]; K: number[][]; V: number[][]; out: number[][][] };
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/lab/functionals.json', import.meta.url), 'utf8')) as Fixture;

function build(c: Fixture['cases'][number]): LabDistribution {
  const p = c.params;
  if (c.kind === 'beta') return betaDistribution(p.a, p.b);
  if (c.kind === 'gmix') return gaussianMixture(p.w, p.means, p.sds);
  if (c.kind === 'rotgauss') return rotatedGaussian(p.angle, p.lambda1, p.lambda2);
  return tokenDistribution(Float64Array.from(p.p), Float64Array.from(p.emb), p.d);
}

const flat = (m: number[][]): Float64Array => Float64Array.from(m.flat());

// Tolerances: the numpy reference uses 2e6-cell midpoint grids (CDF-based quantities to ~1e-6).
const TOL: Record<string, number> = { mean: 1e-7, smooth: 1e-7, variance: 1e-7, gini: 1e-6, kernel: 1e-6, median: 2e-6, quantile: 2e-6, entropy: 2e-5, teacher: 1e-6 };

test('functionals: ground truth matches independent numpy computations', () => {
  for (const c of fx.cases) {
    const mu = build(c);
    for (const [name, want] of Object.entries(c.truth)) {
      if (name.endsWith('_closed')) continue;
      if (name === 'teacher') {
        const h = fx.heads[String(mu.dim)];
        const head = { Q: flat(h.Q), K: flat(h.K), V: flat(h.V), r: 4, d: mu.dim };
        const got = teacherTruth({ head, a: Float64Array.from(h.a), c: Float64Array.from(h.c) }, mu);
        assert.ok(Math.abs(got - want) < TOL.teacher, `${c.kind} teacher: ${got} vs ${want} (${JSON.stringify(c.params).slice(0, 50)})`);
        continue;
      }
      const f = makeFunctional(name === 'quantile' ? { name: 'quantile', q: fx.q } : name === 'kernel' ? { name: 'kernel', sigma: fx.sigma } : name, mu.dim);
      const got = f.truth(mu);
      const ok = Math.abs(got - want) < TOL[name] * Math.max(1, Math.abs(want));
      assert.ok(ok, `${c.kind} ${JSON.stringify(c.params).slice(0, 40)} ${name}: ${got} vs ${want}`);
    }
    if (c.truth.kernel_closed !== undefined) {
      const got = makeFunctional({ name: 'kernel', sigma: fx.sigma }, 1).truth(mu);
      // 40-point Gauss-Hermite per component against the closed form: ~1e-9 for sd 0.3 vs σ = 0.25
      assert.ok(Math.abs(got - c.truth.kernel_closed) < 1e-8, `gmix kernel closed form: ${got} vs ${c.truth.kernel_closed}`);
    }
    if (c.truth.mean_closed !== undefined) {
      assert.ok(Math.abs(makeFunctional('mean', 1).truth(mu) - c.truth.mean_closed) < 1e-12, 'Beta mean vs a/(a+b)');
    }
  }
});

test('attention on an empirical measure equals batched softmax self-attention (numpy reference)', () => {
  const a = fx.attention;
  const d = a.X[0][0].length;
  const head = { Q: flat(a.Q), K: flat(a.K), V: flat(a.V), r: a.Q.length, d };
  for (let b = 0; b < a.X.length; b++) {
    const X = flat(a.X[b]);
    const n = a.X[b].length;
    const got = attentionOperator(head, X, uniformWeights(n), X);
    const want = flat(a.out[b]);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `bag ${b} entry ${i}: ${got[i]} vs ${want[i]}`);
  }
});

test('plug-in estimates converge to the truth as n grows', async () => {
  const { Rng } = await import('../../src/lab/rng.js');
  const mu = betaDistribution(2, 3);
  const rng = new Rng(1);
  for (const name of ['mean', 'variance', 'gini', 'median', 'entropy']) {
    const f = makeFunctional(name, 1);
    const truth = f.truth(mu);
    const err = (n: number): number => {
      let s = 0;
      for (let r = 0; r < 20; r++) s += (f.plugin(mu.sample(rng, n), n, 1, false) - truth) ** 2;
      return s / 20;
    };
    const e1 = err(50);
    const e2 = err(2000);
    assert.ok(e2 < e1 / 5, `${name}: mse at n=2000 (${e2}) not well below n=50 (${e1})`);
  }
});

test('closed-form Gaussian attention agrees with quadrature of the tilt (2-D, mild tilt)', async () => {
  const { gaussianAttention } = await import('../../src/lab/functionals.js');
  const { Rng } = await import('../../src/lab/rng.js');
  const mu = rotatedGaussian(0.7, 1, 4);
  const rng = new Rng(3);
  const head = { Q: Float64Array.from({ length: 6 }, () => 0.3 * rng.normal()), K: Float64Array.from({ length: 6 }, () => 0.3 * rng.normal()), V: Float64Array.from({ length: 6 }, () => rng.normal()), r: 3, d: 2 };
  const queries = Float64Array.of(0, 0, 1, -0.5, -1.5, 2, 0.3, 0.9);
  const r = mu.rule();
  const quad = attentionOperator(head, r.points, r.weights, queries);
  assert.ok(mu.gaussian);
  const exact = gaussianAttention(head, mu.gaussian, queries);
  for (let i = 0; i < exact.length; i++) assert.ok(Math.abs(quad[i] - exact[i]) < 1e-9, `entry ${i}: ${quad[i]} vs ${exact[i]}`);
});
