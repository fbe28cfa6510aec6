/**
 * What every experiment shares: the base config (family, functional, models, sizes, training),
 * config merging and validation, dataset caching, and `fitAndScore`, which trains one model on
 * one training set and scores it on fresh distributions against the noiseless f(μ).
 */
import { BadOptionError } from '../../errors.js';
import { headOf, mse, sampleDataset, variance, type Bags, type Dataset } from '../data.js';
import { makeFamily, type Family, type FamilyConfig } from '../families.js';
import { makeFunctional, type Functional, type FunctionalConfig } from '../functionals.js';
import { NeuralRegressor, paramCountOf } from '../models/neural.js';
import { PluginEstimator } from '../models/plugin.js';
import { DEFAULT_MERR, MerrRegressor, type MerrConfig } from '../models/merr.js';
import { DEFAULT_RIDGE, RidgeRegressor } from '../models/ridge.js';
import { MODEL_KINDS, type ModelKind, type Regressor, type SizeConfig, type TrainConfig } from '../models/types.js';

export interface BaseConfig {
  family: FamilyConfig;
  functional: FunctionalConfig;
  models: ModelKind[];
  seeds: number[];
  /** Label noise sd in the first stage. */
  noise: number;
  /** Number of fresh test distributions. */
  testM: number;
  size: SizeConfig;
  train: Omit<TrainConfig, 'seed'>;
  /** features: a count, or "match" = the Transformer's parameter count − 1 (capped at 1024). */
  ridge: { features: number | 'match'; sigma: number | null; lambdas: number[] };
  /** Szabó et al.'s two-stage estimator: bandwidth multipliers and λ grid, chosen by k-fold CV. */
  merr: MerrConfig;
  /**
   * The tuning grid every neural learner gets (the same for all): learning rates × parameter-budget
   * scales (1 = the Transformer's count); the setting with the lowest validation MSE is kept.
   */
  tune: { lr: number[]; paramScale: number[] };
}

export const BASE_DEFAULTS: BaseConfig = {
  family: { kind: 'beta' },
  functional: 'variance',
  models: ['transformer', 'deepsets', 'ridge', 'merr', 'plugin'],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  noise: 0,
  testM: 200,
  size: { hidden: 16, heads: 2, layers: 1, ffnMult: 2 },
  train: { steps: 2000, batch: 32, lr: 3e-3, weightDecay: 0, valFraction: 0.2, evalEvery: 50, patience: 6 },
  ridge: { features: 'match', sigma: null, lambdas: [...DEFAULT_RIDGE.lambdas] },
  merr: { ...DEFAULT_MERR },
  tune: { lr: [1e-3, 3e-3], paramScale: [1] },
};

/** The quick configs' training: a short early-stopped run and a one-point tuning grid. */
export const QUICK_TRAIN = { steps: 300, batch: 16, lr: 5e-3, weightDecay: 0, valFraction: 0.2, evalEvery: 25, patience: 4 };
export const QUICK_TUNE = { lr: [5e-3], paramScale: [1] };
export const QUICK_SIZE = { hidden: 8, heads: 2, layers: 1, ffnMult: 2 };
export const QUICK_MERR: MerrConfig = { ...DEFAULT_MERR, sigma1: [1], sigma2: [0.5, 1], lambdas: [1e-5, 1e-3, 1e-1], folds: 3 };

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * defaults ← overrides, recursively for plain objects; arrays and scalars replace. Keys unknown
 * to the defaults are rejected (a typo should not be silently ignored), except inside the
 * family and functional configs, which their own parsers check.
 */
export function mergeConfig<T>(defaults: T, override: unknown, path = 'config'): T {
  if (override === undefined) return defaults;
  if (!isPlain(defaults) || !isPlain(override)) return override as T;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(override)) {
    if (!(k in defaults)) throw new BadOptionError(`${path}: unknown key "${k}" (known: ${Object.keys(defaults).join(', ')})`);
    out[k] = k === 'family' || k === 'functional' ? v : mergeConfig((defaults as Record<string, unknown>)[k], v, `${path}.${k}`);
  }
  return out as T;
}

export function checkModels(models: unknown): ModelKind[] {
  if (!Array.isArray(models) || models.some((m) => !MODEL_KINDS.includes(m as ModelKind))) {
    throw new BadOptionError(`config.models: expected a list from ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(models)}`);
  }
  return models as ModelKind[];
}

export function checkPositiveInts(v: unknown, what: string): number[] {
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 0 || arr.some((x) => !Number.isInteger(x) || (x as number) < 1)) {
    throw new BadOptionError(`config.${what}: expected positive integers, got ${JSON.stringify(v)}`);
  }
  return arr as number[];
}

/** Family + functional of a config, built once. */
export interface Problem {
  family: Family;
  functional: Functional;
}

export function problemOf(c: { family: FamilyConfig; functional: FunctionalConfig }): Problem {
  const family = makeFamily(c.family);
  return { family, functional: makeFunctional(c.functional, family.dim) };
}

const dataCache = new Map<string, Dataset>();

/** Training data for seed s: the first m of a nested sequence of distributions. */
export function trainingSet(p: Problem, m: number, n: number, seed: number, noise: number): Dataset {
  const key = JSON.stringify([p.family.config, p.functional.name, 'train', n, seed, noise]);
  let ds = dataCache.get(key);
  if (!ds || ds.bags.m < m) {
    ds = sampleDataset(p.family, p.functional, { m: Math.max(m, ds?.bags.m ?? 0), n, seed, noise });
    dataCache.set(key, ds);
  }
  return headOf(ds, m);
}

/** Fresh test distributions (disjoint stream range), bags of n samples, noiseless labels. */
export function testSet(p: Problem, m: number, n: number, seed: number): Dataset {
  const key = JSON.stringify([p.family.config, p.functional.name, 'test', n, seed, m]);
  let ds = dataCache.get(key);
  if (!ds) {
    ds = sampleDataset(p.family, p.functional, { m, n, seed: seed + 1000003, offset: 1 << 24 });
    dataCache.set(key, ds);
  }
  return ds;
}

export function clearDataCache(): void {
  dataCache.clear();
}

export function makeModel(kind: ModelKind, p: Problem, c: Pick<BaseConfig, 'size' | 'train' | 'ridge' | 'merr'>, seed: number, tuned: { lr?: number; paramScale?: number } = {}): Regressor {
  if (kind === 'ridge') {
    const f = c.ridge.features;
    const features = f === 'match' ? Math.min(1024, paramCountOf('transformer', p.family.dim, c.size.hidden, c.size) - 1) : f;
    if (!Number.isInteger(features) || features < 1) throw new BadOptionError(`config.ridge.features: expected a positive integer or "match", got ${JSON.stringify(f)}`);
    return new RidgeRegressor({ ...c.ridge, features, seed: seed + 17 });
  }
  if (kind === 'plugin') return new PluginEstimator(p.functional);
  if (kind === 'merr') return new MerrRegressor(c.merr);
  return new NeuralRegressor(kind, p.family.dim, c.size, { ...c.train, lr: tuned.lr ?? c.train.lr, seed }, tuned.paramScale ?? 1);
}

export interface Score {
  trainMse: number;
  testMse: number;
  /** Test MSE / variance of the test labels. */
  relTest: number;
  /**
   * Generalisation gap, like with like: expected test MSE against noisy labels (test MSE against
   * the noiseless f(μ) + noise², exact in expectation for independent zero-mean noise) − training
   * MSE against the noisy training labels. Without label noise: test MSE − training MSE.
   */
  gap: number;
  params: number;
  seconds: number;
}

/** Fits `model` on `train`, scores on `test` (bags may have another n than training); `noise` = label-noise sd of `train`. */
export function fitAndScore(model: Regressor, train: Dataset, test: { bags: Bags; truth: Float64Array }, noise = 0): Score {
  const t0 = performance.now();
  const trainMse = model.fit(train.bags, train.y as Float64Array);
  const testMse = mse(model.predict(test.bags), test.truth);
  return {
    trainMse,
    testMse,
    relTest: testMse / Math.max(variance(test.truth), 1e-300),
    gap: testMse + noise * noise - trainMse,
    params: model.paramCount,
    seconds: (performance.now() - t0) / 1000,
  };
}
