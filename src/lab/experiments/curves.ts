/**
 * Learning-curve experiments: rate in m at fixed n, rate in n at fixed m (spec: "Typical bound
 * shape": capacity·log m / m first stage, n^(−β) second stage), the joint (m, n) surface with
 * the n needed to reach the one-stage rate, and length generalisation (train at one n, test at
 * others).
 */
import { logLogSlope } from '../stats.js';
import { BASE_DEFAULTS, checkModels, checkPositiveInts, fitAndScore, makeModel, problemOf, testSet, trainingSet, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table, type Row } from './runner.js';
import type { ReportSection } from '../../report/html.js';
import { aggregate, curveSpec, heatmapSpec } from './viz.js';
import { resampleBags } from '../data.js';

function keyOf(c: BaseConfig, parts: Record<string, unknown>): string {
  const f = typeof c.functional === 'string' ? c.functional : JSON.stringify(c.functional);
  return `${c.family.kind}-${f}-${Object.entries(parts).map(([k, v]) => `${k}=${v}`).join('-')}-h${c.size.hidden}l${c.size.layers}s${c.train.steps}`;
}

/** Slope rows and the summary of log(test MSE) against log(x), per model. */
function slopes(rows: readonly Row[], x: string): Row[] {
  const models = [...new Set(rows.map((r) => String(r.model)))];
  return models.map((model) => {
    const g = new Map<number, number[]>();
    for (const r of rows.filter((q) => q.model === model)) {
      const k = Number(r[x]);
      g.set(k, [...(g.get(k) ?? []), Number(r.testMse)]);
    }
    const s = logLogSlope(g);
    return { model, slope: s.slope, lo95: s.lo, hi95: s.hi };
  });
}

interface RateMConfig extends BaseConfig {
  m: number[];
  n: number;
}

export const rateM = defineExperiment<RateMConfig>({
  name: 'rate-m',
  description: 'test error against the number of distributions m at fixed n (first-stage rate), fitted slopes with bootstrap intervals',
  defaults: { ...BASE_DEFAULTS, m: [32, 64, 128, 256, 512], n: 64 },
  quick: { m: [16, 32, 64, 128], n: 64, seeds: [1, 2], testM: 100, size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, train: { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 } },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ms = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const m of ms) {
      jobs.push({
        key: keyOf(c, { model, m, n, seed }),
        meta: { model, m, n, seed },
        run: () => ({ ...fitAndScore(makeModel(model, p, c, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
      });
    }
    const rows = await runJobs(ctx, 'rate-m', jobs);
    const sl = slopes(rows, 'm');
    return {
      rows,
      summary: { slopes: sl },
      sections: [{
        title: `Test MSE against m (n = ${n}), ${p.family.name} / ${p.functional.name}`,
        text: 'Mean ± sd over seeds. The slope of log MSE against log m estimates the first-stage rate (−1 for a parametric rate; the plug-in estimate has no first stage and stays flat at its second-stage error).',
        figures: [{ name: 'rate-m', title: 'Learning curve in m', spec: curveSpec(aggregate(rows, 'm', 'testMse', (r) => String(r.model)), { xTitle: 'm (distributions)', yTitle: 'test MSE' }) }],
        tables: [table('slopes-m', 'Fitted slopes (95% bootstrap interval over seeds)', sl, ['model', 'slope', 'lo95', 'hi95']), table('runs-m', 'All runs', rows, ['model', 'm', 'n', 'seed', 'params', 'trainMse', 'testMse', 'relTest', 'seconds'])],
      }],
    };
  },
});

interface RateNConfig extends BaseConfig {
  m: number;
  n: number[];
}

export const rateN = defineExperiment<RateNConfig>({
  name: 'rate-n',
  description: 'test error against the bag size n at fixed m (second-stage rate), fitted slopes with bootstrap intervals',
  defaults: { ...BASE_DEFAULTS, m: 256, n: [8, 16, 32, 64, 128] },
  quick: { m: 64, n: [4, 8, 16, 32, 64], seeds: [1, 2], testM: 100, size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, train: { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 } },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ns = checkPositiveInts(c.n, 'n');
    const [m] = checkPositiveInts(c.m, 'm');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const n of ns) {
      jobs.push({
        key: keyOf(c, { model, m, n, seed }),
        meta: { model, m, n, seed },
        run: () => ({ ...fitAndScore(makeModel(model, p, c, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
      });
    }
    const rows = await runJobs(ctx, 'rate-n', jobs);
    const sl = slopes(rows, 'n');
    return {
      rows,
      summary: { slopes: sl },
      sections: [{
        title: `Test MSE against n (m = ${m}), ${p.family.name} / ${p.functional.name}`,
        text: 'Train and test bags both have n samples. Slopes estimate the second-stage exponent (−1 for Lipschitz functionals of smooth embeddings, n^(−β) in general) until the first-stage error dominates.',
        figures: [{ name: 'rate-n', title: 'Learning curve in n', spec: curveSpec(aggregate(rows, 'n', 'testMse', (r) => String(r.model)), { xTitle: 'n (samples per distribution)', yTitle: 'test MSE' }) }],
        tables: [table('slopes-n', 'Fitted slopes (95% bootstrap interval over seeds)', sl, ['model', 'slope', 'lo95', 'hi95']), table('runs-n', 'All runs', rows, ['model', 'm', 'n', 'seed', 'params', 'trainMse', 'testMse', 'relTest', 'seconds'])],
      }],
    };
  },
});

interface SurfaceConfig extends BaseConfig {
  m: number[];
  n: number[];
  /** A cell "reaches the one-stage rate" when its error is within this factor of the largest n's. */
  tolerance: number;
}

export const surface = defineExperiment<SurfaceConfig>({
  name: 'surface',
  description: 'the joint (m, n) error surface and, per m, the smallest n whose error is within a factor of the largest n (the one-stage rate)',
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'ridge'], m: [32, 64, 128, 256], n: [4, 8, 16, 32, 64], tolerance: 1.2 },
  quick: { models: ['transformer', 'ridge'], m: [16, 32, 64], n: [4, 8, 16], seeds: [1], testM: 100, size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, train: { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 } },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ms = checkPositiveInts(c.m, 'm');
    const ns = checkPositiveInts(c.n, 'n');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const m of ms) for (const n of ns) {
      jobs.push({
        key: keyOf(c, { model, m, n, seed }),
        meta: { model, m, n, seed },
        run: () => ({ ...fitAndScore(makeModel(model, p, c, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
      });
    }
    const rows = await runJobs(ctx, 'surface', jobs);
    const nmax = Math.max(...ns);
    const needed: Row[] = [];
    const sections = models.map((model) => {
      const cells = aggregate(rows.filter((r) => r.model === model), 'm', 'testMse', (r) => String(r.n)).map((q) => ({ x: q.x, y: Number(q.series), v: q.y }));
      for (const m of ms) {
        const col = cells.filter((q) => q.x === m).sort((a, b) => a.y - b.y);
        const ref = col.find((q) => q.y === nmax)?.v ?? NaN;
        const hit = col.find((q) => q.v <= c.tolerance * ref);
        needed.push({ model, m, errorAtMaxN: ref, nNeeded: hit ? hit.y : null });
      }
      return {
        title: `${model}: test MSE over (m, n)`,
        figures: [{ name: `surface-${model}`, title: `${model}: test MSE`, spec: heatmapSpec(cells, { xTitle: 'm', yTitle: 'n', vTitle: 'test MSE' }) }],
      };
    });
    const sectionsAll: ReportSection[] = [...sections, {
      title: 'The n needed to reach the one-stage rate',
      figures: [{ name: 'n-needed', title: 'n needed against m', spec: curveSpec(needed.filter((r) => r.nNeeded !== null).map((r) => ({ x: Number(r.m), y: Number(r.nNeeded), lo: Number(r.nNeeded), hi: Number(r.nNeeded), series: String(r.model) })), { xTitle: 'm', yTitle: `smallest n within ×${c.tolerance} of n = ${nmax}` }) }],
      tables: [table('n-needed', 'Smallest n reaching the largest-n error (within the tolerance)', needed, ['model', 'm', 'errorAtMaxN', 'nNeeded'])],
    }];
    return { rows, summary: { nNeeded: needed }, sections: sectionsAll };
  },
});

interface LengthConfig extends BaseConfig {
  m: number;
  trainN: number;
  testN: number[];
}

export const lengthGen = defineExperiment<LengthConfig>({
  name: 'length',
  description: 'length generalisation: train on bags of one size n, test on bags of other sizes',
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'deepsets', 'cnn', 'ridge', 'plugin'], m: 256, trainN: 32, testN: [4, 8, 16, 32, 64, 128, 256] },
  quick: { models: ['transformer', 'deepsets', 'ridge', 'plugin'], m: 64, trainN: 16, testN: [4, 8, 16, 32, 64, 128], seeds: [1, 2], testM: 100, size: { hidden: 8, heads: 2, layers: 1, ffnMult: 2 }, train: { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 } },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const [m] = checkPositiveInts(c.m, 'm');
    const [trainN] = checkPositiveInts(c.trainN, 'trainN');
    const testN = checkPositiveInts(c.testN, 'testN');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) {
      jobs.push({
        key: keyOf(c, { length: 1, model, m, trainN, seed, tests: testN.join('_') }),
        meta: { model, m, trainN, seed },
        run: () => {
          const mdl = makeModel(model, p, c, seed);
          const tr = trainingSet(p, m, trainN, seed, c.noise);
          const ts = testSet(p, c.testM, trainN, seed);
          const base = fitAndScore(mdl, tr, ts);
          const out: Row = { trainMse: base.trainMse, params: base.params };
          for (const n of testN) {
            const bags = resampleBags(ts, n, seed * 7919 + n);
            const pred = mdl.predict(bags);
            let s = 0;
            for (let i = 0; i < pred.length; i++) s += (pred[i] - ts.truth[i]) ** 2;
            out[`mse_n${n}`] = s / pred.length;
          }
          return out;
        },
      });
    }
    const runs = await runJobs(ctx, 'length', jobs);
    const rows: Row[] = runs.flatMap((r) => testN.map((n) => ({ model: r.model, seed: r.seed, trainN, testN: n, testMse: r[`mse_n${n}`] as number })));
    return {
      rows,
      summary: {},
      sections: [{
        title: `Length generalisation: trained at n = ${trainN}`,
        text: 'Each model is trained once on bags of n = trainN and evaluated on fresh bags of each test size drawn from the same test distributions. The attention operator does not depend on n, so the Transformer can be applied at any n; whether its error follows the plug-in estimate’s second-stage decay or degrades away from trainN is what the plot shows.',
        figures: [{ name: 'length', title: 'Test MSE against test bag size', spec: curveSpec(aggregate(rows, 'testN', 'testMse', (r) => String(r.model)), { xTitle: 'test n', yTitle: 'test MSE' }) }],
        tables: [table('length', 'Test MSE by test n', rows, ['model', 'seed', 'trainN', 'testN', 'testMse'])],
      }],
    };
  },
});
