/**
 * Two-stage sampling (spec: distribution-regression.md): first stage, m distributions μ_i from a
 * family with labels y_i = f(μ_i) + ε_i (ε ~ N(0, noise²)); second stage, n samples from each μ_i.
 * Each distribution i uses its own forked stream, so bag i is the same whatever m or n is used
 * elsewhere (a larger m extends a smaller one: nested learning curves).
 */
import type { Family, LabDistribution } from './families.js';
import type { Functional } from './functionals.js';
import { Rng } from './rng.js';

/** m bags of n samples in R^d, row-major m × n × d. */
export interface Bags {
  m: number;
  n: number;
  d: number;
  x: Float64Array;
  /** Whether the family's law is discrete (for plug-in entropy). */
  discrete: boolean;
}

export interface Dataset {
  bags: Bags;
  /** Noisy training labels (equal to truth for test sets). */
  y: Float64Array;
  /** Noiseless f(μ_i). */
  truth: Float64Array;
  dists: LabDistribution[];
}

export interface SampleOptions {
  m: number;
  n: number;
  seed: number;
  noise?: number;
  /** Offset of the first distribution's stream index (train and test use disjoint ranges). */
  offset?: number;
}

/** Draws μ_1..μ_m, their labels and their bags. */
export function sampleDataset(family: Family, functional: Functional, o: SampleOptions): Dataset {
  const root = new Rng(o.seed);
  const d = family.dim;
  const x = new Float64Array(o.m * o.n * d);
  const y = new Float64Array(o.m);
  const truth = new Float64Array(o.m);
  const dists: LabDistribution[] = [];
  const noise = o.noise ?? 0;
  for (let i = 0; i < o.m; i++) {
    const r = root.fork((o.offset ?? 0) + i);
    const mu = family.draw(r.fork(0));
    dists.push(mu);
    truth[i] = functional.truth(mu);
    y[i] = truth[i] + (noise > 0 ? noise * r.fork(1).normal() : 0);
    x.set(mu.sample(r.fork(2), o.n), i * o.n * d);
  }
  const discrete = dists.length > 0 && dists[0].marginal.kind === 'discrete';
  return { bags: { m: o.m, n: o.n, d, x, discrete }, y, truth, dists };
}

/** New bags of n samples from the same distributions (fresh second stage). */
export function resampleBags(ds: Dataset, n: number, seed: number): Bags {
  const d = ds.bags.d;
  const x = new Float64Array(ds.dists.length * n * d);
  const root = new Rng(seed);
  ds.dists.forEach((mu, i) => x.set(mu.sample(root.fork(i), n), i * n * d));
  return { m: ds.dists.length, n, d, x, discrete: ds.bags.discrete };
}

/** The first k bags/labels of a dataset (nested subsets for learning curves in m). */
export function headOf(ds: Dataset, k: number): Dataset {
  const { n, d } = ds.bags;
  return {
    bags: { ...ds.bags, m: k, x: ds.bags.x.subarray(0, k * n * d) },
    y: ds.y.subarray(0, k),
    truth: ds.truth.subarray(0, k),
    dists: ds.dists.slice(0, k),
  };
}

/** Mean squared error. */
export function mse(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (pred[i] - target[i]) ** 2;
  return s / target.length;
}

/** Variance of the targets (the error of predicting their mean): to report relative errors. */
export function variance(y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i];
  m /= y.length;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - m) ** 2;
  return s / y.length;
}
