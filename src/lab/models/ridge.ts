/**
 * Kernel mean-embedding ridge regression with random Fourier features, the classic
 * distribution-regression estimator (Szabo, Sriperumbudur, Poczos & Gretton, JMLR 2016):
 *   φ(x) = √(2/D) cos(ωᵀx + b), ω ~ N(0, σ⁻² I), b ~ U[0, 2π]   (Rahimi & Recht 2007: E φ(x)ᵀφ(x')
 *   ≈ exp(−|x − x'|²/2σ²)), mean embedding z_i = (1/n) Σ_j φ(x_ij), and
 *   w = argmin (1/m) Σ (y_i − ȳ − (z_i − z̄)ᵀw)² + λ|w|²,   i.e. (ZcᵀZc + mλI) w = Zcᵀ(y − ȳ),
 * solved in float64 by Cholesky. λ is chosen from a grid by exact leave-one-out error
 * (e_i / (1 − H_ii)). σ defaults to the median pairwise distance of training samples.
 * Written by hand: the solve is 40 lines and no npm package offers a float64 Cholesky we trust
 * more than this (ml-matrix works, but is a dependency for one call).
 */
import { NumericError } from '../../errors.js';
import type { Bags } from '../data.js';
import { Rng } from '../rng.js';
import type { Regressor } from './types.js';

export interface RidgeConfig {
  features: number;
  /** Kernel bandwidth; null = median heuristic. */
  sigma: number | null;
  lambdas: readonly number[];
  seed: number;
}

export const DEFAULT_RIDGE: RidgeConfig = { features: 128, sigma: null, lambdas: [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], seed: 3 };

/** In-place Cholesky A = LLᵀ of an s × s SPD matrix (lower triangle); throws if not SPD. */
export function cholesky(A: Float64Array, s: number): void {
  for (let j = 0; j < s; j++) {
    let d = A[j * s + j];
    for (let k = 0; k < j; k++) d -= A[j * s + k] ** 2;
    if (!(d > 0)) throw new NumericError(`ridge: normal-equations matrix is not positive definite at column ${j}`);
    const ljj = Math.sqrt(d);
    A[j * s + j] = ljj;
    for (let i = j + 1; i < s; i++) {
      let v = A[i * s + j];
      for (let k = 0; k < j; k++) v -= A[i * s + k] * A[j * s + k];
      A[i * s + j] = v / ljj;
    }
  }
}

/** Solves LLᵀ x = b in place (L from `cholesky`). */
export function cholSolve(L: Float64Array, s: number, b: Float64Array): void {
  for (let i = 0; i < s; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= L[i * s + k] * b[k];
    b[i] = v / L[i * s + i];
  }
  for (let i = s - 1; i >= 0; i--) {
    let v = b[i];
    for (let k = i + 1; k < s; k++) v -= L[k * s + i] * b[k];
    b[i] = v / L[i * s + i];
  }
}

/** Median pairwise distance of up to 300 samples (the median heuristic). */
export function medianDistance(x: Float64Array, count: number, d: number): number {
  const k = Math.min(count, 300);
  const step = Math.max(1, Math.floor(count / k));
  const ds: number[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[a * step * d + j] - x[b * step * d + j]) ** 2;
      ds.push(Math.sqrt(s));
    }
  }
  ds.sort((p, q) => p - q);
  const med = ds[Math.floor(ds.length / 2)] ?? 1;
  return med > 0 ? med : 1;
}

export class RidgeRegressor implements Regressor {
  readonly kind = 'ridge' as const;
  readonly paramCount: number;
  private omega = new Float64Array(0);
  private phase = new Float64Array(0);
  private w = new Float64Array(0);
  private bias = 0;
  private zbar = new Float64Array(0);
  /** The λ picked by leave-one-out. */
  lambda = NaN;

  constructor(readonly config: RidgeConfig = DEFAULT_RIDGE) {
    this.paramCount = config.features + 1;
  }

  /** Mean embeddings Z (m × D). */
  embed(bags: Bags): Float64Array {
    const D = this.config.features;
    const { m, n, d, x } = bags;
    const z = new Float64Array(m * D);
    const c = Math.sqrt(2 / D);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const off = (i * n + j) * d;
        for (let f = 0; f < D; f++) {
          let t = this.phase[f];
          for (let k = 0; k < d; k++) t += this.omega[f * d + k] * x[off + k];
          z[i * D + f] += Math.cos(t);
        }
      }
      for (let f = 0; f < D; f++) z[i * D + f] *= c / n;
    }
    return z;
  }

  fit(train: Bags, y: Float64Array): number {
    const D = this.config.features;
    const { m, d } = train;
    const rng = new Rng(this.config.seed);
    const sigma = this.config.sigma ?? medianDistance(train.x, m * train.n, d);
    this.omega = Float64Array.from({ length: D * d }, () => rng.normal() / sigma);
    this.phase = Float64Array.from({ length: D }, () => rng.range(0, 2 * Math.PI));
    const Z = this.embed(train);
    this.zbar = new Float64Array(D);
    for (let i = 0; i < m; i++) for (let f = 0; f < D; f++) this.zbar[f] += Z[i * D + f] / m;
    let ybar = 0;
    for (let i = 0; i < m; i++) ybar += y[i] / m;
    for (let i = 0; i < m; i++) for (let f = 0; f < D; f++) Z[i * D + f] -= this.zbar[f];
    const G = new Float64Array(D * D);
    const rhs = new Float64Array(D);
    for (let i = 0; i < m; i++) {
      const yi = y[i] - ybar;
      for (let a = 0; a < D; a++) {
        const za = Z[i * D + a];
        rhs[a] += za * yi;
        for (let b = 0; b <= a; b++) G[a * D + b] += za * Z[i * D + b];
      }
    }
    let best = { loo: Infinity, lambda: NaN, w: new Float64Array(D) };
    const zi = new Float64Array(D);
    for (const lam of this.config.lambdas) {
      const L = G.slice();
      for (let a = 0; a < D; a++) L[a * D + a] += m * lam;
      cholesky(L, D);
      const w = rhs.slice();
      cholSolve(L, D, w);
      let loo = 0;
      for (let i = 0; i < m; i++) {
        let pred = 0;
        for (let f = 0; f < D; f++) pred += Z[i * D + f] * w[f];
        zi.set(Z.subarray(i * D, i * D + D));
        cholSolve(L, D, zi);
        let h = 1 / m; // the intercept's share of the hat matrix
        for (let f = 0; f < D; f++) h += Z[i * D + f] * zi[f];
        loo += ((y[i] - ybar - pred) / Math.max(1 - h, 1e-12)) ** 2;
      }
      if (loo < best.loo) best = { loo, lambda: lam, w };
    }
    this.w = best.w;
    this.lambda = best.lambda;
    this.bias = ybar;
    let s = 0;
    for (let i = 0; i < m; i++) {
      let pred = ybar;
      for (let f = 0; f < D; f++) pred += Z[i * D + f] * this.w[f];
      s += (pred - y[i]) ** 2;
    }
    return s / m;
  }

  predict(bags: Bags): Float64Array {
    const D = this.config.features;
    const Z = this.embed(bags);
    const out = new Float64Array(bags.m);
    for (let i = 0; i < bags.m; i++) {
      let p = this.bias;
      for (let f = 0; f < D; f++) p += (Z[i * D + f] - this.zbar[f]) * this.w[f];
      out[i] = p;
    }
    return out;
  }
}
