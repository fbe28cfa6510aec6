/**
 * Comparison and scaling experiments: Transformer against DeepSets/FCN/CNN/ridge/plug-in across
 * the functional hierarchy at matched parameter counts (Liu & Zhou's claim 3), capacity scaling
 * (width at fixed data) and token-budget scaling (m·n fixed, the split varied).
 */
import { BadOptionError } from '../../errors.js';
import type { FunctionalConfig } from '../functionals.js';
import { BASE_DEFAULTS, checkModels, checkPositiveInts, fitAndScore, makeModel, problemOf, testSet, trainingSet, type BaseConfig } from './common.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table, type Row } from './runner.js';
import { aggregate, barSpec, curveSpec } from './viz.js';
import { mean } from '../stats.js';

const QUICK_TRAIN = { steps: 150, batch: 16, lr: 5e-3, weightDecay: 0 };
const QUICK_SIZE = { hidden: 8, heads: 2, layers: 1, ffnMult: 2 };

function fname(f: FunctionalConfig): string {
  return typeof f === 'string' ? f : JSON.stringify(f).replace(/[{}"]/g, '').replace(/[:,]/g, '_');
}

interface HierarchyConfig extends BaseConfig {
  functionals: FunctionalConfig[];
  m: number;
  n: number;
}

export const hierarchy = defineExperiment<HierarchyConfig>({
  name: 'hierarchy',
  description: 'Transformer vs DeepSets/FCN/CNN/ridge/plug-in across the functional hierarchy (moment, quadratic, attention, non-smooth) at matched parameter counts',
  defaults: {
    ...BASE_DEFAULTS,
    models: ['transformer', 'deepsets', 'fcn', 'cnn', 'ridge', 'plugin'],
    functionals: ['mean', 'smooth', 'variance', 'gini', 'kernel', 'teacher', 'median', { name: 'quantile', q: 0.9 }, 'entropy'],
    m: 256,
    n: 32,
  },
  quick: {
    family: { kind: 'gmix', components: 2 },
    functionals: ['smooth', 'variance', 'kernel', 'teacher', 'median', 'entropy'],
    m: 96, n: 24, seeds: [1], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN,
  },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const [m] = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    if (!Array.isArray(c.functionals) || c.functionals.length === 0) throw new BadOptionError('config.functionals: expected a non-empty list');
    const jobs: Job[] = [];
    for (const f of c.functionals) {
      const p = problemOf({ family: c.family, functional: f });
      for (const seed of c.seeds) for (const model of models) {
        jobs.push({
          key: `hier-${c.family.kind}-${fname(f)}-${model}-m${m}-n${n}-s${seed}-h${c.size.hidden}-st${c.train.steps}`,
          meta: { functional: p.functional.name, level: p.functional.level, model, m, n, seed },
          run: () => ({ ...fitAndScore(makeModel(model, p, c, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
        });
      }
    }
    const rows = await runJobs(ctx, 'hierarchy', jobs);
    const byFm = new Map<string, number[]>();
    for (const r of rows) {
      const k = `${r.functional}\u0000${r.model}`;
      byFm.set(k, [...(byFm.get(k) ?? []), Number(r.relTest)]);
    }
    const summaryRows: Row[] = [...byFm.entries()].map(([k, v]) => {
      const [functional, model] = k.split('\u0000');
      const lvl = rows.find((r) => r.functional === functional)?.level ?? null;
      return { functional, level: lvl, model, relTest: mean(v), params: rows.find((r) => r.functional === functional && r.model === model)?.params ?? null };
    });
    const wins = [...new Set(summaryRows.map((r) => String(r.functional)))].map((f) => {
      const learned = summaryRows.filter((r) => r.functional === f && r.model !== 'plugin');
      const best = learned.reduce((a, b) => (Number(b.relTest) < Number(a.relTest) ? b : a));
      return { functional: f, level: best.level, bestLearnedModel: best.model, relTest: best.relTest };
    });
    return {
      rows,
      summary: { relativeTestMse: summaryRows, bestLearned: wins },
      notes: ['relTest = test MSE / variance of the test labels (1 = predicting the mean). Parameter counts are matched to the Transformer’s (see the params column); ridge counts its D + 1 trained weights.'],
      sections: [{
        title: `Functional hierarchy on ${c.family.kind} (m = ${m}, n = ${n})`,
        text: 'Levels: moment (linear in μ through moments), quadratic (variance, Gini mean difference, kernel self-similarity), attention (a frozen random attention teacher), non-smooth (median, quantiles, entropy). The plug-in estimate knows f; the learners do not.',
        figures: [{ name: 'hierarchy', title: 'Relative test MSE by functional and model', spec: barSpec(summaryRows.map((r) => ({ cat: String(r.functional), series: String(r.model), v: Number(r.relTest) })), { catTitle: 'functional', vTitle: 'test MSE / Var(f)' }) }],
        tables: [table('best', 'Best learned model per functional', wins, ['functional', 'level', 'bestLearnedModel', 'relTest']), table('hierarchy', 'Mean relative test MSE', summaryRows, ['functional', 'level', 'model', 'params', 'relTest'])],
      }],
    };
  },
});

interface CapacityConfig extends BaseConfig {
  hidden: number[];
  m: number;
  n: number;
}

export const capacity = defineExperiment<CapacityConfig>({
  name: 'capacity',
  description: 'capacity scaling: test error and generalisation gap against model width (parameter count) at fixed m and n',
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'deepsets', 'cnn'], hidden: [4, 8, 16, 32, 64], m: 256, n: 32 },
  quick: { models: ['transformer', 'deepsets'], hidden: [4, 8, 16, 32], m: 96, n: 16, seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const hs = checkPositiveInts(c.hidden, 'hidden');
    const [m] = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const h of hs) {
      const cc = { ...c, size: { ...c.size, hidden: h, heads: h % c.size.heads === 0 ? c.size.heads : 1 } };
      jobs.push({
        key: `cap-${c.family.kind}-${p.functional.name}-${model}-h${h}-m${m}-n${n}-s${seed}-st${c.train.steps}`,
        meta: { model, hidden: h, m, n, seed },
        run: () => ({ ...fitAndScore(makeModel(model, p, cc, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
      });
    }
    const rows = await runJobs(ctx, 'capacity', jobs);
    return {
      rows,
      summary: {},
      sections: [{
        title: `Capacity scaling (m = ${m}, n = ${n}), ${p.family.name} / ${p.functional.name}`,
        figures: [
          { name: 'capacity-test', title: 'Test MSE against parameter count', spec: curveSpec(aggregate(rows, 'params', 'testMse', (r) => String(r.model)), { xTitle: 'trainable parameters', yTitle: 'test MSE' }) },
          { name: 'capacity-gap', title: 'Generalisation gap against parameter count', spec: curveSpec(aggregate(rows, 'params', 'gap', (r) => String(r.model)), { xTitle: 'trainable parameters', yTitle: 'test − train MSE', logY: false }) },
        ],
        tables: [table('capacity', 'All runs', rows, ['model', 'hidden', 'params', 'seed', 'trainMse', 'testMse', 'gap'])],
      }],
    };
  },
});

interface BudgetConfig extends BaseConfig {
  budget: number;
  m: number[];
}

export const tokenBudget = defineExperiment<BudgetConfig>({
  name: 'token-budget',
  description: 'token-budget scaling: m·n fixed, the split between distributions m and samples per distribution n varied',
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'ridge', 'plugin'], budget: 8192, m: [16, 32, 64, 128, 256, 512] },
  quick: { models: ['transformer', 'ridge', 'plugin'], budget: 2048, m: [16, 32, 64, 128, 256], seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ms = checkPositiveInts(c.m, 'm');
    const [budget] = checkPositiveInts(c.budget, 'budget');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const m of ms) {
      const n = Math.floor(budget / m);
      if (n < 1) throw new BadOptionError(`config.budget ${budget} is smaller than m = ${m}`);
      jobs.push({
        key: `budget-${c.family.kind}-${p.functional.name}-${model}-m${m}-n${n}-s${seed}-h${c.size.hidden}-st${c.train.steps}`,
        meta: { model, m, n, budget, seed },
        run: () => ({ ...fitAndScore(makeModel(model, p, c, seed), trainingSet(p, m, n, seed, c.noise), testSet(p, c.testM, n, seed)) }),
      });
    }
    const rows = await runJobs(ctx, 'token-budget', jobs);
    return {
      rows,
      summary: {},
      sections: [{
        title: `Token budget m·n = ${budget}, ${p.family.name} / ${p.functional.name}`,
        text: 'Test bags have the same n as training bags. Many short bags favour the first stage, few long bags the second; the minimum shows the efficient split.',
        figures: [{ name: 'budget', title: 'Test MSE against m at fixed m·n', spec: curveSpec(aggregate(rows, 'm', 'testMse', (r) => String(r.model)), { xTitle: 'm (n = budget / m)', yTitle: 'test MSE' }) }],
        tables: [table('budget', 'All runs', rows, ['model', 'm', 'n', 'seed', 'trainMse', 'testMse'])],
      }],
    };
  },
});
