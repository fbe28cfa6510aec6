/**
 * Comparison and scaling experiments: Transformer against DeepSets/FCN/CNN/ridge/plug-in across
 * the functional hierarchy at matched parameter counts (Liu & Zhou's claim 3), capacity scaling
 * (width at fixed data) and token-budget scaling (m·n fixed, the split varied).
 */
import { BadOptionError } from '../../errors.js';
import type { FunctionalConfig } from '../functionals.js';
import { BASE_DEFAULTS, QUICK_MERR, QUICK_SIZE, QUICK_TRAIN, QUICK_TUNE, checkModels, checkPositiveInts, problemOf, type BaseConfig } from './common.js';
import { budgetRows, pairedRows, pairedSentences } from './paired.js';
import { runUnit, unitKey, type UnitSpec } from './unit.js';
import { defineExperiment, runJobs, type Job } from './experiment.js';
import { table, type Row } from './runner.js';
import { aggregate, barSpec, curveSpec } from './viz.js';
import { mean } from '../stats.js';


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
    models: ['transformer', 'deepsets', 'fcn', 'cnn', 'ridge', 'merr', 'plugin'],
    functionals: ['mean', 'smooth', 'variance', 'gini', 'kernel', 'teacher', 'median', { name: 'quantile', q: 0.9 }, 'entropy'],
    m: 256,
    n: 32,
  },
  quick: {
    family: { kind: 'gmix', components: 2 },
    functionals: ['smooth', 'variance', 'kernel', 'teacher', 'median', 'entropy'],
    m: 96, n: 24, seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE, merr: QUICK_MERR,
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
        const spec: UnitSpec = { config: { ...c, functional: f }, model, m, n, seed };
        jobs.push({
          key: unitKey(`hier-${fname(f)}`, spec),
          meta: { functional: p.functional.name, level: p.functional.level, model, m, n, seed },
          run: () => runUnit(spec),
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
    const paired = models.includes('transformer') ? pairedRows(rows, ['functional'], 'transformer') : [];
    const budget = budgetRows(rows);
    return {
      rows,
      summary: {
        relativeTestMse: summaryRows,
        bestLearned: wins,
        paired: paired.map((r) => ({ functional: r.functional, model: r.model, against: r.against, ratio: r.ratio, ci: [r.lo95, r.hi95], wins: r.wins, pairs: r.pairs, verdict: r.verdict })),
        budget,
      },
      notes: [
        'relTest = test MSE / variance of the test labels (1 = predicting the mean). Parameter counts are matched to the Transformer’s (see the params column); ridge counts its D + 1 trained weights, merr its m dual coefficients. The plug-in estimate knows f and is one classical estimator of it (for the entropy Vasicek’s m-spacing estimate, biased at small n), not a lower bound on the achievable error.',
        ...(ctx.quick ? ['Quick configuration: one tuning setting, short training, few seeds; not a basis for conclusions.'] : []),
        ...pairedSentences(paired, ['functional']),
      ],
      sections: [{
        title: `Functional hierarchy on ${c.family.kind} (m = ${m}, n = ${n})`,
        text: 'Levels: moment (linear in μ through moments), quadratic (variance, Gini mean difference, kernel self-similarity), attention (a frozen random attention teacher), non-smooth (median, quantiles, entropy). The plug-in estimate knows f; the learners do not.',
        figures: [{ name: 'hierarchy', title: 'Relative test MSE by functional and model', spec: barSpec(summaryRows.map((r) => ({ cat: String(r.functional), series: String(r.model), v: Number(r.relTest) })), { catTitle: 'functional', vTitle: 'test MSE / Var(f)' }) }],
        tables: [
          table('best', 'Best learned model per functional (means; see the paired table for whether the difference is distinguishable)', wins, ['functional', 'level', 'bestLearnedModel', 'relTest']),
          table('paired', 'Paired test-MSE ratios against the Transformer (same bags; 95 % t-interval over seeds)', paired, ['functional', 'model', 'ratio', 'lo95', 'hi95', 'wins', 'pairs', 'verdict']),
          table('budget', 'Budget actually used per learner (means over runs)', budget, ['model', 'runs', 'grid', 'stepsKept', 'bestStep', 'stepsTotal', 'earlyStopped', 'seconds', 'params']),
          table('hierarchy', 'Mean relative test MSE', summaryRows, ['functional', 'level', 'model', 'params', 'relTest']),
        ],
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
  quick: { models: ['transformer', 'deepsets'], hidden: [4, 8, 16, 32], m: 96, n: 16, seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const hs = checkPositiveInts(c.hidden, 'hidden');
    const [m] = checkPositiveInts(c.m, 'm');
    const [n] = checkPositiveInts(c.n, 'n');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const h of hs) {
      const cc = { ...c, size: { ...c.size, hidden: h, heads: h % c.size.heads === 0 ? c.size.heads : 1 } };
      const spec: UnitSpec = { config: cc, model, m, n, seed };
      jobs.push({ key: unitKey('cap', spec), meta: { model, hidden: h, m, n, seed }, run: () => runUnit(spec) });
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
  defaults: { ...BASE_DEFAULTS, models: ['transformer', 'ridge', 'merr', 'plugin'], budget: 8192, m: [16, 32, 64, 128, 256, 512] },
  quick: { models: ['transformer', 'ridge', 'merr', 'plugin'], budget: 2048, m: [16, 32, 64, 128, 256], seeds: [1, 2], testM: 100, size: QUICK_SIZE, train: QUICK_TRAIN, tune: QUICK_TUNE, merr: QUICK_MERR },
  async run(c, ctx) {
    const models = checkModels(c.models);
    const ms = checkPositiveInts(c.m, 'm');
    const [budget] = checkPositiveInts(c.budget, 'budget');
    const p = problemOf(c);
    const jobs: Job[] = [];
    for (const seed of c.seeds) for (const model of models) for (const m of ms) {
      const n = Math.floor(budget / m);
      if (n < 1) throw new BadOptionError(`config.budget ${budget} is smaller than m = ${m}`);
      const spec: UnitSpec = { config: c, model, m, n, seed };
      jobs.push({ key: unitKey('budget', spec), meta: { model, m, n, budget, seed }, run: () => runUnit(spec) });
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
