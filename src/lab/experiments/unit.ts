/**
 * One training run of the lab, as a pure unit: a JSON-serialisable spec in (the experiment's base
 * config + which model on which cell), one result row out. Experiments only build specs and
 * aggregate rows; a job queue can run the same specs elsewhere.
 *
 * A neural learner is tuned on the grid `config.tune` (learning rate × parameter-budget scale, the
 * same grid for every neural learner): each setting is trained with early stopping on the
 * validation split of the training bags, and the one with the lowest validation MSE is scored.
 * The row reports the steps and seconds actually used (summed over the grid, and for the kept
 * setting). ridge and merr choose their hyperparameters on the training bags (leave-one-out,
 * k-fold CV); the plug-in has none.
 */
import { createHash } from 'node:crypto';
import { BadOptionError } from '../../errors.js';
import { MerrRegressor } from '../models/merr.js';
import { NeuralRegressor } from '../models/neural.js';
import type { ModelKind } from '../models/types.js';
import { fitAndScore, makeModel, problemOf, testSet, trainingSet, type BaseConfig, type Problem } from './common.js';
import type { Row } from './runner.js';

export interface UnitSpec {
  config: BaseConfig;
  model: ModelKind;
  m: number;
  n: number;
  seed: number;
}

const problems = new Map<string, Problem>();

function problemFor(c: BaseConfig): Problem {
  const key = JSON.stringify([c.family, c.functional]);
  let p = problems.get(key);
  if (!p) {
    p = problemOf(c);
    problems.set(key, p);
  }
  return p;
}

/** The tuning grid of a neural learner, validated. */
export function tuningGrid(c: BaseConfig): { lr: number; paramScale: number }[] {
  const lrs = c.tune.lr.length > 0 ? c.tune.lr : [c.train.lr];
  const scales = c.tune.paramScale.length > 0 ? c.tune.paramScale : [1];
  for (const v of [...lrs, ...scales]) if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new BadOptionError(`config.tune: expected positive numbers, got ${JSON.stringify(c.tune)}`);
  const grid = lrs.flatMap((lr) => scales.map((paramScale) => ({ lr, paramScale })));
  if (grid.length > 1 && !((c.train.valFraction ?? 0) > 0)) throw new BadOptionError('config.tune: a grid of more than one setting needs a validation split (config.train.valFraction > 0)');
  return grid;
}

/** Trains (and for neural learners tunes) one model on one cell and scores it. */
export function runUnit(spec: UnitSpec): Row {
  const { config: c, model, m, n, seed } = spec;
  const p = problemFor(c);
  const train = trainingSet(p, m, n, seed, c.noise);
  const test = testSet(p, c.testM, n, seed);
  const t0 = performance.now();
  if (model === 'transformer' || model === 'deepsets' || model === 'fcn' || model === 'cnn') {
    let best: { row: Row; val: number } | null = null;
    let stepsTotal = 0;
    const grid = tuningGrid(c);
    for (const g of grid) {
      const r = makeModel(model, p, c, seed, g) as NeuralRegressor;
      const s = fitAndScore(r, train, test, c.noise);
      const rep = r.report;
      stepsTotal += rep?.stepsRun ?? 0;
      const val = rep && Number.isFinite(rep.valMse) ? rep.valMse : s.trainMse;
      if (!best || val < best.val) {
        best = { val, row: { ...s, lr: g.lr, paramScale: g.paramScale, width: r.width, steps: rep?.stepsRun ?? null, bestStep: rep?.bestStep ?? null, stopped: rep?.stopped ? 1 : 0, valMse: rep?.valMse ?? null } };
      }
    }
    const b = best as { row: Row; val: number };
    return { ...b.row, grid: grid.length, stepsTotal, secondsKept: b.row.seconds, seconds: (performance.now() - t0) / 1000 };
  }
  const r = makeModel(model, p, c, seed);
  const s = fitAndScore(r, train, test, c.noise);
  if (r instanceof MerrRegressor && r.chosen) {
    return { ...s, merrSigma1: r.chosen.sigma1, merrSigma2: r.chosen.sigma2, merrLambda: r.chosen.lambda, merrCvMse: r.chosen.cvMse, merrNystrom: r.nystrom ? 1 : 0, grid: r.cv.length };
  }
  return { ...s };
}

/** The checkpoint key of a unit: a readable head and a hash of everything that determines its result. */
export function unitKey(prefix: string, spec: UnitSpec): string {
  const c = spec.config;
  const neural = spec.model !== 'ridge' && spec.model !== 'merr' && spec.model !== 'plugin';
  const what = neural ? [c.size, c.train, c.tune] : spec.model === 'merr' ? c.merr : spec.model === 'ridge' ? [c.ridge, c.size] : null;
  const h = createHash('sha256').update(JSON.stringify([c.family, c.functional, c.noise, c.testM, what])).digest('hex').slice(0, 12);
  return `${prefix}-${c.family.kind}-${spec.model}-m${spec.m}-n${spec.n}-s${spec.seed}-${h}`;
}
