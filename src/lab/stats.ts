/**
 * Small statistics for the lab's reports: least-squares slopes on log-log axes with percentile
 * bootstrap intervals (Efron & Tibshirani 1993, §13.3), and Kendall's τ-b (Kendall 1945, ties
 * corrected).
 */
import { Rng } from './rng.js';

/** Least-squares slope and intercept of y on x. */
export function linearFit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}

export interface SlopeEstimate {
  slope: number;
  lo: number;
  hi: number;
}

/**
 * Slope of log(error) against log(size) through the per-size mean errors, with a 95% percentile
 * bootstrap interval from resampling the repeats (seeds) within each size.
 */
export function logLogSlope(groups: ReadonlyMap<number, readonly number[]>, reps = 1000, seed = 1): SlopeEstimate {
  const sizes = [...groups.keys()].filter((s) => (groups.get(s) ?? []).length > 0).sort((a, b) => a - b);
  const lx = sizes.map(Math.log);
  const meanOf = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const fit = (pick: (v: readonly number[]) => number): number => linearFit(lx, sizes.map((s) => Math.log(Math.max(pick(groups.get(s) ?? []), 1e-300)))).slope;
  const slope = fit(meanOf);
  if (sizes.length < 2) return { slope: NaN, lo: NaN, hi: NaN };
  const rng = new Rng(seed);
  const boot: number[] = [];
  for (let r = 0; r < reps; r++) {
    boot.push(fit((v) => meanOf(Array.from({ length: v.length }, () => v[rng.int(v.length)]))));
  }
  const [lo, hi] = percentileInterval(boot);
  return { slope, lo, hi };
}

/** Kendall's τ-b between two equally long sequences (NaN when either is constant). */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  let c = 0;
  let d = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const a = Math.sign(x[i] - x[j]);
      const b = Math.sign(y[i] - y[j]);
      if (a === 0 && b === 0) continue;
      if (a === 0) tx++;
      else if (b === 0) ty++;
      else if (a === b) c++;
      else d++;
    }
  }
  const den = Math.sqrt((c + d + tx) * (c + d + ty));
  return den > 0 ? (c - d) / den : NaN;
}

export function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

export function sd(v: readonly number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
}

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (then 1.96). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t975(df: number): number {
  return df < 1 ? NaN : df <= 30 ? T975[df - 1] : 1.96;
}

export type Verdict = 'better' | 'worse' | 'not distinguishable';

/** The wording of an interval for "a − b" of an error (lower is better for a). */
export function verdictOf(lo: number, hi: number): Verdict {
  return hi < 0 ? 'better' : lo > 0 ? 'worse' : 'not distinguishable';
}

export interface PairedComparison {
  /** Geometric mean of a_i / b_i over the pairs. */
  ratio: number;
  /** 95 % t-interval of the ratio (exp of the interval of the mean log ratio). */
  ci: [number, number];
  pairs: number;
  /** Pairs where a < b. */
  wins: number;
  /** a against b: "better" when the interval lies below 1. */
  verdict: Verdict;
}

/**
 * Paired comparison of two errors measured on the same bags (same seed): mean of log(a_i/b_i)
 * with a Student-t 95 % interval, reported as a ratio.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): PairedComparison {
  const d = a.map((v, i) => Math.log(Math.max(v, 1e-300) / Math.max(b[i], 1e-300)));
  const k = d.length;
  const m = mean(d);
  const h = k > 1 ? (t975(k - 1) * sd(d)) / Math.sqrt(k) : NaN;
  const lo = m - h;
  const hi = m + h;
  return { ratio: Math.exp(m), ci: [Math.exp(lo), Math.exp(hi)], pairs: k, wins: a.filter((v, i) => v < b[i]).length, verdict: k > 1 ? verdictOf(lo, hi) : 'not distinguishable' };
}

/**
 * Slope of log(mean error) against log(size), with a 95 % percentile bootstrap interval that
 * resamples whole seeds: one seed is one curve (its training sets are nested and its test set is
 * shared), so a seed is kept or dropped at every size at once. `curves` maps seed → size → error.
 */
export function seedSlope(curves: ReadonlyMap<number, ReadonlyMap<number, number>>, reps = 2000, seed = 1): SlopeEstimate & { seeds: number } {
  const seeds = [...curves.keys()];
  const sizes = [...new Set(seeds.flatMap((s) => [...(curves.get(s) as ReadonlyMap<number, number>).keys()]))].sort((a, b) => a - b);
  const fit = (pick: readonly number[]): number => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const x of sizes) {
      const v = pick.map((s) => curves.get(s)?.get(x)).filter((e): e is number => e !== undefined && Number.isFinite(e));
      if (v.length === 0) continue;
      xs.push(Math.log(x));
      ys.push(Math.log(Math.max(mean(v), 1e-300)));
    }
    return xs.length >= 2 ? linearFit(xs, ys).slope : NaN;
  };
  const slope = fit(seeds);
  if (sizes.length < 2 || seeds.length < 2) return { slope, lo: NaN, hi: NaN, seeds: seeds.length };
  const rng = new Rng(seed);
  const boot: number[] = [];
  for (let r = 0; r < reps; r++) boot.push(fit(seeds.map(() => seeds[rng.int(seeds.length)])));
  const [lo, hi] = percentileInterval(boot.filter(Number.isFinite));
  return { slope, lo, hi, seeds: seeds.length };
}

/** The 95 % percentile interval of bootstrap replicates (sorted in place); [NaN, NaN] when there are none. */
function percentileInterval(boot: number[]): [number, number] {
  if (boot.length === 0) return [NaN, NaN];
  boot.sort((p, q) => p - q);
  return [boot[Math.floor(0.025 * boot.length)], boot[Math.min(boot.length - 1, Math.floor(0.975 * boot.length))]];
}

/**
 * The 95 % percentile bootstrap interval of `stat` over `reps` resamples (with replacement) of `n`
 * items, given as index lists; non-finite replicates are dropped; [NaN, NaN] below 3 items.
 */
function itemBootstrap(n: number, reps: number, seed: number, stat: (idx: readonly number[]) => number): [number, number] {
  if (n < 3) return [NaN, NaN];
  const rng = new Rng(seed);
  const boot: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = stat(Array.from({ length: n }, () => rng.int(n)));
    if (Number.isFinite(t)) boot.push(t);
  }
  return percentileInterval(boot);
}

/** Kendall's τ-b with a 95 % percentile bootstrap interval over the items (models). */
/** The wording of an interval for a difference of τ with the gap (higher ranks the gaps better). */
export function tauVerdict(ci: readonly [number, number]): Verdict {
  return verdictOf(-ci[1], -ci[0]);
}

export function tauWithInterval(x: readonly number[], y: readonly number[], reps = 2000, seed = 1): { tau: number; ci: [number, number] } {
  const ci = itemBootstrap(x.length, reps, seed, (idx) => kendallTau(idx.map((i) => x[i]), idx.map((i) => y[i])));
  return { tau: kendallTau(x, y), ci };
}

/**
 * τ(x1, y) − τ(x2, y) with a 95 % percentile bootstrap interval that resamples the items (models)
 * once for both, so the comparison is paired.
 */
export function tauDifference(x1: readonly number[], x2: readonly number[], y: readonly number[], reps = 2000, seed = 2): { diff: number; ci: [number, number] } {
  const ci = itemBootstrap(y.length, reps, seed, (idx) => {
    const yy = idx.map((i) => y[i]);
    return kendallTau(idx.map((i) => x1[i]), yy) - kendallTau(idx.map((i) => x2[i]), yy);
  });
  return { diff: kendallTau(x1, y) - kendallTau(x2, y), ci };
}
