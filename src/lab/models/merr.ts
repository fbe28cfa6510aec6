/**
 * MERR: the two-stage distribution-regression estimator of Szabó, Sriperumbudur, Póczos & Gretton
 * (JMLR 2016), the field's standard method. Inputs are standardised per coordinate with training
 * statistics. Then
 *   first level   k(x, x') = exp(−|x − x'|² / 2σ₁²), mean embeddings compared through
 *                 ⟨μ̂_i, μ̂_j⟩ = (1/n²) Σ_a Σ_b k(x_ia, x_jb)  (exact, no random features);
 *   second level  K(μ̂_i, μ̂_j) = exp(−‖μ̂_i − μ̂_j‖² / 2σ₂²), ‖·‖² = G_ii + G_jj − 2G_ij;
 *   ridge         α = (K + mλI)⁻¹ (y − ȳ), f̂(μ) = ȳ + Σ_i α_i K(μ, μ̂_i).
 * σ₁ = c₁ · (median inter-sample distance), σ₂ = c₂ · (median embedding distance), and (c₁, c₂, λ)
 * are chosen by k-fold cross-validation on the training bags only (fold of bag i = i mod k).
 *
 * Cost, exact (m ≤ exactMax): |c₁| · m²n²d/2 kernel evaluations for the Gram matrices, and
 * |c₁||c₂| · k · |λ| Cholesky factorisations of ((k−1)m/k)² matrices, about m³/6 flops each;
 * memory m² doubles. Nyström (m > exactMax, r = landmarks bags at i = ⌊jm/r⌋): the embedding
 * Gram only against the landmarks (m·r·n²d), second level K ≈ C W⁻¹ Cᵀ with C = K(all, landmarks),
 * W = K(landmarks, landmarks), β = (CᵀC + mλW)⁻¹ Cᵀ(y − ȳ), f̂ = ȳ + K(μ, landmarks) β; each solve
 * is r × r. Everything in float64.
 */
import { BadOptionError } from '../../errors.js';
import type { Bags } from '../data.js';
import { cholesky, cholSolve, medianDistance } from './ridge.js';
import type { Regressor } from './types.js';

export interface MerrConfig {
  /** Embedding-kernel bandwidths as multiples of the median inter-sample distance. */
  sigma1: number[];
  /** Second-level bandwidths as multiples of the median embedding distance. */
  sigma2: number[];
  lambdas: number[];
  folds: number;
  /** Exact kernels up to this many training bags, Nyström beyond. */
  exactMax: number;
  /** Nyström landmark bags. */
  landmarks: number;
}

export const DEFAULT_MERR: MerrConfig = {
  sigma1: [0.5, 1, 2],
  sigma2: [0.5, 1, 2],
  lambdas: [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
  folds: 5,
  exactMax: 2000,
  landmarks: 400,
};

/** Standardised samples (same layout as Bags.x). */
function standardise(b: Bags, mean: Float64Array, sd: Float64Array): Float64Array {
  const z = new Float64Array(b.x.length);
  const { d } = b;
  for (let i = 0; i < b.x.length; i++) z[i] = (b.x[i] - mean[i % d]) / sd[i % d];
  return z;
}

/**
 * Embedding inner products ⟨μ̂_i, ν̂_j⟩ for bags i of `a` (ma bags) and j of `b` (all mb bags, or
 * the bags `cols`), one matrix per bandwidth; `sym` = a is b with all columns (only j ≤ i is
 * computed). Row-major ma × (cols or mb). One exponential per sample pair serves every bandwidth
 * whose (σ_max/σ)² is a small integer (the default grid ×½, ×1, ×2 gives 16, 4, 1): the other
 * kernels are integer powers of the widest one.
 */
export function embeddingGrams(a: Float64Array, ma: number, na: number, b: Float64Array, mb: number, nb: number, d: number, sigmas: readonly number[], sym: boolean, cols?: readonly number[]): Float64Array[] {
  const smax = Math.max(...sigmas);
  const g = 1 / (2 * smax * smax);
  const pow = sigmas.map((s) => (smax / s) ** 2);
  const intPow = pow.map((k) => (Math.abs(k - Math.round(k)) < 1e-12 && Math.round(k) <= 64 ? Math.round(k) : 0));
  const S = sigmas.length;
  const js = cols ?? Array.from({ length: mb }, (_, j) => j);
  const w = js.length;
  const outs = sigmas.map(() => new Float64Array(ma * w));
  const acc = new Float64Array(S);
  for (let i = 0; i < ma; i++) {
    const ai = i * na * d;
    for (let c = 0; c < w; c++) {
      const j = js[c];
      if (sym && cols === undefined && j > i) break;
      const bj = j * nb * d;
      acc.fill(0);
      for (let p = 0; p < na; p++) {
        const pa = ai + p * d;
        for (let q = 0; q < nb; q++) {
          const qb = bj + q * d;
          let r = 0;
          for (let k = 0; k < d; k++) {
            const t = a[pa + k] - b[qb + k];
            r += t * t;
          }
          const e = Math.exp(-g * r);
          for (let s = 0; s < S; s++) {
            const k = intPow[s];
            if (k === 1) acc[s] += e;
            else if (k > 1) {
              let v = 1;
              let base = e;
              for (let kk = k; kk > 0; kk >>= 1) {
                if (kk & 1) v *= base;
                base *= base;
              }
              acc[s] += v;
            } else acc[s] += Math.exp(-g * pow[s] * r);
          }
        }
      }
      for (let s = 0; s < S; s++) outs[s][i * w + c] = acc[s] / (na * nb);
    }
  }
  if (sym && cols === undefined) for (const out of outs) for (let i = 0; i < ma; i++) for (let j = i + 1; j < mb; j++) out[i * mb + j] = out[j * mb + i];
  return outs;
}

/** One bandwidth of `embeddingGrams`. */
export function embeddingGram(a: Float64Array, ma: number, na: number, b: Float64Array, mb: number, nb: number, d: number, sigma: number, sym: boolean, cols?: readonly number[]): Float64Array {
  return embeddingGrams(a, ma, na, b, mb, nb, d, [sigma], sym, cols)[0];
}

/** ⟨μ̂_i, μ̂_i⟩ for every bag. */
function selfGram(a: Float64Array, m: number, n: number, d: number, sigma: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = embeddingGram(a.subarray(i * n * d, (i + 1) * n * d), 1, n, a.subarray(i * n * d, (i + 1) * n * d), 1, n, d, sigma, false)[0];
  return out;
}

/** Median of the embedding distances between the first ≤ 300 rows (upper median, as medianDistance). */
function medianEmbeddingDistance(G: Float64Array, diagA: Float64Array, diagB: Float64Array, rows: number, cols: number, colIdx: readonly number[] | null): number {
  const k = Math.min(rows, 300);
  const ds: number[] = [];
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < cols; c++) {
      const j = colIdx ? colIdx[c] : c;
      if (j <= i || j >= k) continue;
      ds.push(Math.sqrt(Math.max(0, diagA[i] + diagB[j] - 2 * G[i * cols + c])));
    }
  }
  ds.sort((p, q) => p - q);
  const med = ds[Math.floor(ds.length / 2)] ?? 1;
  return med > 0 ? med : 1;
}

/** Second-level Gaussian kernel from embedding inner products (in place into a new array). */
function secondLevel(G: Float64Array, diagA: Float64Array, diagB: Float64Array, rows: number, cols: number, colIdx: readonly number[] | null, sigma2: number): Float64Array {
  const g = 1 / (2 * sigma2 * sigma2);
  const K = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const j = colIdx ? colIdx[c] : c;
      K[i * cols + c] = Math.exp(-g * Math.max(0, diagA[i] + diagB[j] - 2 * G[i * cols + c]));
    }
  }
  return K;
}

/** A ridge solve on kernel columns: exact (cols = all rows) or Nyström (cols = landmarks). */
interface Solver {
  /** Coefficients on the columns from rows `idx` of K with centred targets t. */
  solve(idx: readonly number[], t: Float64Array, lambda: number): Float64Array;
}

function exactSolver(K: Float64Array, m: number): Solver {
  return {
    solve(idx, t, lambda) {
      const s = idx.length;
      const A = new Float64Array(s * s);
      for (let a = 0; a < s; a++) for (let b = 0; b <= a; b++) A[a * s + b] = K[idx[a] * m + idx[b]];
      for (let a = 0; a < s; a++) A[a * s + a] += s * lambda;
      cholesky(A, s);
      const w = Float64Array.from(t);
      cholSolve(A, s, w);
      // expand to all m columns (zeros outside idx)
      const out = new Float64Array(m);
      idx.forEach((i, a) => (out[i] = w[a]));
      return out;
    },
  };
}

function nystromSolver(C: Float64Array, W: Float64Array, r: number): Solver {
  let tr = 0;
  for (let a = 0; a < r; a++) tr += W[a * r + a];
  const jitter = 1e-10 * (tr / r);
  return {
    solve(idx, t, lambda) {
      const s = idx.length;
      const A = new Float64Array(r * r);
      const rhs = new Float64Array(r);
      for (const [q, i] of idx.entries()) {
        const row = i * r;
        for (let a = 0; a < r; a++) {
          const ca = C[row + a];
          rhs[a] += ca * t[q];
          for (let b = 0; b <= a; b++) A[a * r + b] += ca * C[row + b];
        }
      }
      for (let a = 0; a < r; a++) for (let b = 0; b <= a; b++) A[a * r + b] += s * lambda * W[a * r + b] + (a === b ? s * lambda * jitter : 0);
      cholesky(A, r);
      cholSolve(A, r, rhs);
      return rhs;
    },
  };
}

export interface MerrChoice {
  sigma1: number;
  sigma2: number;
  lambda: number;
  cvMse: number;
}

export class MerrRegressor implements Regressor {
  readonly kind = 'merr' as const;
  paramCount = 0;
  /** Cross-validation MSE of every (c₁, c₂, λ), in loop order c₁, c₂, λ. */
  cv: { c1: number; c2: number; lambda: number; mse: number }[] = [];
  chosen: MerrChoice | null = null;
  /** Whether the fit used Nyström. */
  nystrom = false;
  private mean: Float64Array = new Float64Array(0);
  private sd: Float64Array = new Float64Array(0);
  private z: Float64Array = new Float64Array(0);
  private trainBags: Bags | null = null;
  private cols: number[] | null = null;
  private diag: Float64Array = new Float64Array(0);
  private coef: Float64Array = new Float64Array(0);
  private ybar = 0;

  constructor(readonly config: MerrConfig = DEFAULT_MERR) {
    for (const [k, v] of [['sigma1', config.sigma1], ['sigma2', config.sigma2], ['lambdas', config.lambdas]] as const) {
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(typeof x === 'number' && x > 0 && Number.isFinite(x)))) throw new BadOptionError(`config.merr.${k}: expected a non-empty list of positive numbers`);
    }
    if (!Number.isInteger(config.folds) || config.folds < 2) throw new BadOptionError('config.merr.folds: expected an integer ≥ 2');
    if (!Number.isInteger(config.landmarks) || config.landmarks < 2) throw new BadOptionError('config.merr.landmarks: expected an integer ≥ 2');
  }

  fit(train: Bags, y: Float64Array): number {
    const { m, n, d } = train;
    const k = Math.min(this.config.folds, m);
    if (m < 2 * k) throw new BadOptionError(`merr: ${m} training bags are too few for ${k}-fold cross-validation`);
    this.mean = new Float64Array(d);
    this.sd = new Float64Array(d);
    const N = m * n;
    for (let i = 0; i < N; i++) for (let c = 0; c < d; c++) this.mean[c] += train.x[i * d + c] / N;
    for (let i = 0; i < N; i++) for (let c = 0; c < d; c++) this.sd[c] += (train.x[i * d + c] - this.mean[c]) ** 2 / N;
    for (let c = 0; c < d; c++) this.sd[c] = Math.sqrt(this.sd[c]) || 1;
    const z = standardise(train, this.mean, this.sd);
    const s0 = medianDistance(z, N, d);
    this.nystrom = m > this.config.exactMax;
    const r = Math.min(m, this.config.landmarks);
    const cols = this.nystrom ? Array.from({ length: r }, (_, j) => Math.floor((j * m) / r)) : null;
    const width = cols ? r : m;
    const folds = Array.from({ length: k }, (_, f) => ({
      tr: Array.from({ length: m }, (_, i) => i).filter((i) => i % k !== f),
      va: Array.from({ length: m }, (_, i) => i).filter((i) => i % k === f),
    }));
    this.cv = [];
    let best: { c1: number; c2: number; lambda: number; mse: number; sigma2: number; G: Float64Array; diag: Float64Array } | null = null;
    const sig1 = this.config.sigma1.map((c1) => c1 * s0);
    const Gs = cols ? embeddingGrams(z, m, n, z, m, n, d, sig1, false, cols) : embeddingGrams(z, m, n, z, m, n, d, sig1, true);
    for (const [ci, c1] of this.config.sigma1.entries()) {
      const G = Gs[ci];
      const diag = cols ? selfGram(z, m, n, d, sig1[ci]) : Float64Array.from({ length: m }, (_, i) => G[i * m + i]);
      const e0 = medianEmbeddingDistance(G, diag, diag, m, width, cols);
      for (const c2 of this.config.sigma2) {
        const K = secondLevel(G, diag, diag, m, width, cols, c2 * e0);
        const solver = cols ? nystromSolver(K, pick(K, cols, width), r) : exactSolver(K, m);
        for (const lambda of this.config.lambdas) {
          let sse = 0;
          for (const { tr, va } of folds) {
            let yb = 0;
            for (const i of tr) yb += y[i] / tr.length;
            const coef = solver.solve(tr, Float64Array.from(tr, (i) => y[i] - yb), lambda);
            for (const i of va) {
              let p = yb;
              for (let c = 0; c < width; c++) p += K[i * width + c] * coef[c];
              sse += (p - y[i]) ** 2;
            }
          }
          const row = { c1, c2, lambda, mse: sse / m };
          this.cv.push(row);
          if (!best || row.mse < best.mse) best = { ...row, sigma2: c2 * e0, G, diag };
        }
      }
    }
    const b = best as NonNullable<typeof best>;
    // refit on all training bags with the chosen setting
    const sigma1 = b.c1 * s0;
    const { G, diag } = b;
    const K = secondLevel(G, diag, diag, m, width, cols, b.sigma2);
    const solver = cols ? nystromSolver(K, pick(K, cols, width), r) : exactSolver(K, m);
    const all = Array.from({ length: m }, (_, i) => i);
    let yb = 0;
    for (const v of y) yb += v / m;
    this.coef = solver.solve(all, Float64Array.from(y, (v) => v - yb), b.lambda);
    this.ybar = yb;
    this.chosen = { sigma1, sigma2: b.sigma2, lambda: b.lambda, cvMse: b.mse };
    this.z = cols ? gatherBags(z, cols, n, d) : z;
    this.trainBags = { ...train, m: width, x: this.z };
    this.cols = cols;
    this.diag = cols ? Float64Array.from(cols, (i) => diag[i]) : diag;
    this.paramCount = width;
    let s = 0;
    for (let i = 0; i < m; i++) {
      let p = yb;
      for (let c = 0; c < width; c++) p += K[i * width + c] * this.coef[c];
      s += (p - y[i]) ** 2;
    }
    return s / m;
  }

  predict(bags: Bags): Float64Array {
    const tb = this.trainBags;
    const ch = this.chosen;
    if (!tb || !ch) throw new Error('predict before fit');
    if (bags.d !== tb.d) throw new BadOptionError(`merr: bags have dimension ${bags.d}, the model was fitted on ${tb.d}`);
    const z = standardise(bags, this.mean, this.sd);
    const G = embeddingGram(z, bags.m, bags.n, tb.x, tb.m, tb.n, bags.d, ch.sigma1, false);
    const dq = selfGram(z, bags.m, bags.n, bags.d, ch.sigma1);
    const K = secondLevel(G, dq, this.diag, bags.m, tb.m, null, ch.sigma2);
    const out = new Float64Array(bags.m);
    for (let i = 0; i < bags.m; i++) {
      let p = this.ybar;
      for (let c = 0; c < tb.m; c++) p += K[i * tb.m + c] * this.coef[c];
      out[i] = p;
    }
    return out;
  }
}

/** Rows `cols` of an m × r matrix whose columns are the landmarks: W = K(landmarks, landmarks). */
function pick(K: Float64Array, cols: readonly number[], r: number): Float64Array {
  const W = new Float64Array(r * r);
  cols.forEach((i, a) => W.set(K.subarray(i * r, (i + 1) * r), a * r));
  return W;
}

function gatherBags(z: Float64Array, idx: readonly number[], n: number, d: number): Float64Array {
  const out = new Float64Array(idx.length * n * d);
  idx.forEach((i, a) => out.set(z.subarray(i * n * d, (i + 1) * n * d), a * n * d));
  return out;
}
