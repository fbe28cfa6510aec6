/**
 * Learning-curve experiments: rate in m at fixed n, rate in n at fixed m (spec: "Typical bound
 * shape": capacity·log m / m first stage, n^(−β) second stage), the joint (m, n) surface with
 * the n needed to reach the one-stage rate, and length generalisation (train at one n, test at
 * others).
 */
import { BadOptionError } from '../../errors.js';
import type { ModelKind } from '../models/types.js';
import { BASE_DEFAULTS, QUICK_MERR, QUICK_SIZE, QUICK_TRAIN, QUICK_TUNE, checkModels, checkPositiveInts, fitAndScore, makeModel, problemOf, testSet, trainingSet, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { budgetRows, pairedRows, pairedSentences, slopeRows } from './paired.js';
import { table, type ExperimentOutput, type Row, type RunContext } from './runner.js';
import { runUnit, unitKey, type UnitSpec } from './unit.js';
import type { ReportSection } from '../../report/html.js';
import { aggregate, curveSpec, heatmapSpec } from './viz.js';
import { resampleBags } from '../data.js';

interface CurveConfig extends BaseConfig {
  /** The axis of the learning curve: "m" (distributions, first stage) or "n" (bag size, second stage). */
  axis: 'm' | 'n';
  /** A list on the curve's axis, one value on the other. */
  m: number | number[];
  n: number | number[];
  /** The learner every other is compared with, pairwise on the same bags. */
  reference: ModelKind;
}

const CURVE_TEXT = {
  m: { title: 'm', x: 'm (distributions)', text: 'The slope of log MSE against log m estimates the first-stage rate (−1 for a parametric rate; the plug-in estimate has no first stage and stays flat at its second-stage error).' },
  n: { title: 'n', x: 'n (samples per distribution)', text: 'Train and test bags both have n samples. Slopes estimate the second-stage exponent (−1 for Lipschitz functionals of smooth embeddings, n^(−β) in general) until the first-stage error dominates.' },
};

async function runCurve(c: CurveConfig, ctx: RunContext): Promise<ExperimentOutput> {
  if (c.axis !== 'm' && c.axis !== 'n') throw new BadOptionError(`config.axis: expected "m" or "n", got ${JSON.stringify(c.axis)}`);
  const models = checkModels(c.models);
  const xs = checkPositiveInts(c[c.axis], c.axis);
  const other = c.axis === 'm' ? 'n' : 'm';
  const fixed = checkPositiveInts(c[other], other);
  if (fixed.length !== 1) throw new BadOptionError(`config.${other}: one value on a curve in ${c.axis}, got ${JSON.stringify(c[other])}`);
  const p = problemOf(c);
  const jobs: Job[] = [];
  for (const seed of c.seeds) for (const model of models) for (const x of xs) {
    const m = c.axis === 'm' ? x : fixed[0];
    const n = c.axis === 'n' ? x : fixed[0];
    const spec: UnitSpec = { config: c, model, m, n, seed };
    jobs.push({ key: unitKey('curve', spec), meta: { model, m, n, seed }, run: () => runUnit(spec) });
  }
  const rows = await runJobs(ctx, `curve-${c.axis}`, jobs);
  const sl = slopeRows(rows, c.axis);
  const paired = models.includes(c.reference) ? pairedRows(rows, [c.axis], c.reference) : [];
  const budget = budgetRows(rows);
  const t = CURVE_TEXT[c.axis];
  const notes = [
    ...(ctx.quick ? ['Quick configuration: the tuning grid is shrunk to one setting, training is short and there are few seeds, so the intervals are wide and the learners are not tuned. Do not draw conclusions from it.'] : []),
    ...(c.seeds.length < 8 ? [`Only ${c.seeds.length} seeds: the issue's standard for a comparison is ≥ 8.`] : []),
    ...pairedSentences(paired, [c.axis]),
  ];
  return {
    rows,
    summary: {
      axis: c.axis,
      slopes: sl.map((r) => ({ model: r.model, slope: r.slope, ci: [r.lo95, r.hi95], seeds: r.seeds })),
      paired: paired.map((r) => ({ [c.axis]: r[c.axis], model: r.model, against: r.against, ratio: r.ratio, ci: [r.lo95, r.hi95], wins: r.wins, pairs: r.pairs, verdict: r.verdict })),
      budget,
    },
    notes,
    sections: [{
      title: `Test MSE against ${t.title} (${other} = ${fixed[0]}), ${p.family.name} / ${p.functional.name}`,
      text: `Mean ± sd over seeds. ${t.text} Slope intervals resample whole seeds (one seed is one curve: nested training sets and a shared test set). Paired ratios compare each learner with ${c.reference} on the same bags (geometric mean over seeds, 95 % t-interval).`,
      figures: [{ name: `rate-${c.axis}`, title: `Learning curve in ${t.title}`, spec: curveSpec(aggregate(rows, c.axis, 'testMse', (r) => String(r.model)), { xTitle: t.x, yTitle: 'test MSE' }) }],
      tables: [
        table(`slopes-${c.axis}`, 'Fitted slopes (95 % bootstrap interval, whole seeds resampled)', sl, ['model', 'slope', 'lo95', 'hi95', 'seeds']),
        table(`paired-${c.axis}`, `Paired error ratios against ${c.reference} (95 % t-interval over seeds)`, paired, [c.axis, 'model', 'against', 'ratio', 'lo95', 'hi95', 'wins', 'pairs', 'verdict']),
        table(`budget-${c.axis}`, 'Budget actually used per learner (means over runs): tuning-grid size, steps of the kept setting, steps over the whole grid, seconds', budget, ['model', 'runs', 'grid', 'stepsKept', 'bestStep', 'stepsTotal', 'earlyStopped', 'seconds', 'params']),
        table(`runs-${c.axis}`, 'All runs', rows, ['model', 'm', 'n', 'seed', 'params', 'lr', 'steps', 'trainMse', 'testMse', 'relTest', 'seconds']),
      ],
    }],
  };
}

const CURVE_QUICK = { seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE, merr: QUICK_MERR };

/** The learning-curve experiment; `axis` picks m or n. */
export const curve = defineExperiment<CurveConfig>({
  name: 'curve',
  description: 'learning curve along an axis: test error against m at fixed n (axis "m") or against n at fixed m (axis "n"); slopes resampled by whole seed, paired comparisons with the reference learner',
  defaults: { ...BASE_DEFAULTS, axis: 'm', m: [32, 64, 128, 256, 512], n: 64, reference: 'transformer' },
  quick: { ...CURVE_QUICK, m: [16, 32, 64, 128] },
  run: runCurve,
});

/** `rate-m`: the curve in m (alias of `curve` with axis "m"). */
export const rateM = defineExperiment<CurveConfig>({
  name: 'rate-m',
  description: 'alias of "curve" with axis m: test error against the number of distributions m at fixed n (first-stage rate)',
  defaults: { ...BASE_DEFAULTS, axis: 'm', m: [32, 64, 128, 256, 512], n: 64, reference: 'transformer' },
  quick: { ...CURVE_QUICK, m: [16, 32, 64, 128], n: 64 },
  run: runCurve,
});

/** `rate-n`: the curve in n (alias of `curve` with axis "n"). */
export const rateN = defineExperiment<CurveConfig>({
  name: 'rate-n',
  description: 'alias of "curve" with axis n: test error against the bag size n at fixed m (second-stage rate)',
  defaults: { ...BASE_DEFAULTS, axis: 'n', m: 256, n: [8, 16, 32, 64, 128], reference: 'transformer' },
  quick: { ...CURVE_QUICK, m: 64, n: [4, 8, 16, 32, 64] },
  run: runCurve,
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
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'ridge', 'merr'], m: [32, 64, 128, 256], n: [4, 8, 16, 32, 64], tolerance: 1.2 },
  quick: { models: ['transformer', 'ridge'], m: [16, 32, 64], n: [4, 8, 16], seeds: [1], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE, merr: QUICK_MERR },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ms = checkPositiveInts(c.m, 'm');
    const ns = checkPositiveInts(c.n, 'n');
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const m of ms) for (const n of ns) {
      jobs.push({
        key: unitKey('surface', { config: c, model, m, n, seed }),
        meta: { model, m, n, seed },
        run: () => runUnit({ config: c, model, m, n, seed }),
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
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'deepsets', 'cnn', 'ridge', 'merr', 'plugin'], m: 256, trainN: 32, testN: [4, 8, 16, 32, 64, 128, 256] },
  quick: { models: ['transformer', 'deepsets', 'ridge', 'merr', 'plugin'], m: 64, trainN: 16, testN: [4, 8, 16, 32, 64, 128], seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE, merr: QUICK_MERR },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const [m] = checkPositiveInts(c.m, 'm');
    const [trainN] = checkPositiveInts(c.trainN, 'trainN');
    const testN = checkPositiveInts(c.testN, 'testN');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) {
      jobs.push({
        key: `${unitKey('length', { config: c, model, m, n: trainN, seed })}-to${testN.join('_')}`,
        meta: { model, m, trainN, seed },
        run: () => {
          const mdl = makeModel(model, p, c, seed);
          const tr = trainingSet(p, m, trainN, seed, c.noise);
          const ts = testSet(p, c.testM, trainN, seed);
          const base = fitAndScore(mdl, tr, ts, c.noise);
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
