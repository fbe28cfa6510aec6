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
  boot.sort((a, b) => a - b);
  return { slope, lo: boot[Math.floor(0.025 * reps)], hi: boot[Math.min(reps - 1, Math.floor(0.975 * reps))] };
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
