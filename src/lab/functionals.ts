/**
 * Functionals of distributions with exact or high-accuracy ground truth, and their plug-in
 * estimates f(μ̂_n) on the empirical measure. The hierarchy (spec: distribution-regression.md):
 *   moment     – mean; smooth g(m1, m2) = sin(3 m1) + m2 (linear in μ through moments)
 *   quadratic  – variance; Gini mean difference E|X−X'|; kernel self-similarity E exp(−(X−X')²/2σ²)
 *   attention  – a frozen random attention teacher ∫ aᵀ tanh(Att_μ(x)) dμ(x)
 *   nonsmooth  – median; q-quantile; entropy (differential, or Shannon for discrete laws)
 * Scalar functionals act on the first coordinate's law; the teacher acts on μ on R^d.
 * Ground truths: closed forms where they exist (Beta/normal entropy), otherwise Gauss rules
 * (see laws.ts), Gini through E|X−X'| = 2∫F(1−F) dx, quantiles by bisection on the exact CDF.
 */
import { BadOptionError } from '../errors.js';
import { attentionOperator, uniformWeights, type Head } from './attention.js';
import type { GaussianMixtureParams, LabDistribution } from './families.js';
import type { ContinuousLaw, Law1D } from './laws.js';
import { Rng } from './rng.js';
import { bisect, compositeLegendre } from './special.js';

export type Level = 'moment' | 'quadratic' | 'attention' | 'nonsmooth';

export interface Functional {
  readonly name: string;
  readonly level: Level;
  truth(mu: LabDistribution): number;
  /** f(μ̂) for one bag x (n × d row-major); `discrete` says the family's law is discrete. */
  plugin(x: Float64Array, n: number, d: number, discrete: boolean): number;
}

export type FunctionalConfig =
  | string
  | { name: 'mean' | 'smooth' | 'variance' | 'gini' | 'median' | 'entropy' }
  | { name: 'kernel'; sigma?: number }
  | { name: 'quantile'; q?: number }
  | { name: 'teacher'; seed?: number; rank?: number; scale?: number };

/** E g(X) for the law of the first coordinate. */
function expect(law: Law1D, g: (x: number) => number): number {
  if (law.kind === 'discrete') {
    let s = 0;
    for (let i = 0; i < law.atoms.length; i++) s += law.probs[i] * g(law.atoms[i]);
    return s;
  }
  const r = law.rule();
  let s = 0;
  for (let i = 0; i < r.x.length; i++) s += r.w[i] * g(r.x[i]);
  return s;
}

/** ∫ g over [lo, hi] split at the law's breakpoints, cosine-graded Gauss-Legendre per segment. */
function integrateOverSupport(law: ContinuousLaw, g: (x: number) => number): number {
  const cuts = [law.lo, ...law.breakpoints.filter((b) => b > law.lo && b < law.hi), law.hi];
  const t = compositeLegendre(0, 1, 64, 8);
  let s = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k];
    const h = cuts[k + 1] - a;
    for (let i = 0; i < t.x.length; i++) {
      const x = a + (h * (1 - Math.cos(Math.PI * t.x[i]))) / 2;
      s += g(x) * ((h * Math.PI) / 2) * Math.sin(Math.PI * t.x[i]) * t.w[i];
    }
  }
  return s;
}

function pairSum(x: Float64Array, w: Float64Array, k: (a: number, b: number) => number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) s += w[i] * w[j] * k(x[i], x[j]);
  return s;
}

function firstCoord(x: Float64Array, n: number, d: number): Float64Array {
  if (d === 1) return x.slice(0, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i * d];
  return out;
}

function sampleMoment(x: Float64Array, n: number, d: number, p: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i * d] ** p;
  return s / n;
}

/** q-quantile inf{x : F(x) ≥ q}. */
function lawQuantile(law: Law1D, q: number): number {
  if (law.kind === 'discrete') {
    let c = 0;
    for (let i = 0; i < law.atoms.length; i++) {
      c += law.probs[i];
      if (c >= q - 1e-15) return law.atoms[i];
    }
    return law.atoms[law.atoms.length - 1];
  }
  return bisect(law.cdf, q, law.lo, law.hi, 1e-14);
}

/** Empirical q-quantile of the first coordinate, inverse ECDF: x_(⌈nq⌉). */
function sampleQuantile(x: Float64Array, n: number, d: number, q: number): number {
  const s = firstCoord(x, n, d).sort();
  return s[Math.min(n - 1, Math.max(0, Math.ceil(n * q) - 1))];
}

/**
 * Plug-in entropy. Discrete: Shannon entropy of the empirical frequencies. Continuous: Vasicek's
 * m-spacing estimator (Vasicek 1976) with m = round(√n), H = (1/n) Σ ln(n/(2m) (x_(i+m) − x_(i−m))),
 * order statistics clamped at the ends.
 */
function sampleEntropy(x: Float64Array, n: number, d: number, discrete: boolean): number {
  const s = firstCoord(x, n, d).sort();
  if (discrete) {
    let h = 0;
    let run = 1;
    for (let i = 1; i <= n; i++) {
      if (i < n && s[i] === s[i - 1]) run++;
      else {
        h -= (run / n) * Math.log(run / n);
        run = 1;
      }
    }
    return h;
  }
  const m = Math.max(1, Math.round(Math.sqrt(n)));
  let h = 0;
  for (let i = 0; i < n; i++) {
    const gap = s[Math.min(n - 1, i + m)] - s[Math.max(0, i - m)];
    h += Math.log(Math.max(gap, 1e-300) * (n / (2 * m)));
  }
  return h / n;
}

/** The frozen teacher T(μ) = ∫ aᵀ tanh(Att_μ(x) + c) dμ(x): one head (Q, K, V) plus readout a and
 * offset c (the offset keeps T from vanishing on symmetric μ, where Att_μ is odd). */
export interface Teacher {
  head: Head;
  a: Float64Array;
  c: Float64Array;
}

/** The teacher drawn from its seed: Q, K with entries N(0, scale²/d), V with N(0, 1/d), a with
 * N(0, 1/r), c with N(0, 1/4). */
export function teacherHead(d: number, seed = 7, rank = 4, scale = 1): Teacher {
  const rng = new Rng(seed);
  const mk = (sd: number): Float64Array => Float64Array.from({ length: rank * d }, () => sd * rng.normal());
  const head = { Q: mk(scale / Math.sqrt(d)), K: mk(scale / Math.sqrt(d)), V: mk(1 / Math.sqrt(d)), r: rank, d };
  const a = Float64Array.from({ length: rank }, () => rng.normal() / Math.sqrt(rank));
  const c = Float64Array.from({ length: rank }, () => 0.5 * rng.normal());
  return { head, a, c };
}

function readout(t: Teacher, att: Float64Array, weights: Float64Array): number {
  const r = t.head.r;
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    let v = 0;
    for (let k = 0; k < r; k++) v += t.a[k] * Math.tanh(att[i * r + k] + t.c[k]);
    s += weights[i] * v;
  }
  return s;
}

/** T(μ) for μ = Σ w_j δ_{p_j} (an empirical measure, or a quadrature rule for μ). */
export function teacherValue(t: Teacher, points: Float64Array, weights: Float64Array): number {
  return readout(t, attentionOperator(t.head, points, weights, points), weights);
}

/**
 * Att_μ(x) in closed form for a Gaussian mixture μ = Σ π_j N(m_j, Σ_j): with s = Kᵀ Q x, the
 * tilted measure e^{<s, y>} μ(dy) is again a Gaussian mixture with weights ∝ π_j exp(sᵀm_j +
 * ½ sᵀΣ_j s) and means m_j + Σ_j s, so Att_μ(x) = V Σ_j π̃_j (m_j + Σ_j s). Quadrature of the
 * exponential tilt would need many nodes far in the tails; this is exact.
 */
export function gaussianAttention(head: Head, g: GaussianMixtureParams, queries: Float64Array): Float64Array {
  const { r, d } = head;
  const k = g.weights.length;
  const nq = queries.length / d;
  const out = new Float64Array(nq * r);
  const s = new Float64Array(d);
  const qx = new Float64Array(r);
  const logw = new Float64Array(k);
  const mean = new Float64Array(d);
  for (let i = 0; i < nq; i++) {
    for (let a = 0; a < r; a++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += head.Q[a * d + j] * queries[i * d + j];
      qx[a] = v;
    }
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let a = 0; a < r; a++) v += head.K[a * d + j] * qx[a];
      s[j] = v;
    }
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let lin = 0;
      let quad = 0;
      for (let p = 0; p < d; p++) {
        lin += s[p] * g.means[c * d + p];
        for (let q = 0; q < d; q++) quad += s[p] * g.covs[c * d * d + p * d + q] * s[q];
      }
      logw[c] = Math.log(g.weights[c]) + lin + 0.5 * quad;
      mx = Math.max(mx, logw[c]);
    }
    let z = 0;
    mean.fill(0);
    for (let c = 0; c < k; c++) {
      const w = Math.exp(logw[c] - mx);
      z += w;
      for (let p = 0; p < d; p++) {
        let v = g.means[c * d + p];
        for (let q = 0; q < d; q++) v += g.covs[c * d * d + p * d + q] * s[q];
        mean[p] += w * v;
      }
    }
    for (let a = 0; a < r; a++) {
      let v = 0;
      for (let p = 0; p < d; p++) v += head.V[a * d + p] * (mean[p] / z);
      out[i * r + a] = v;
    }
  }
  return out;
}

/** T(μ): exact inner integral for Gaussian mixtures, quadrature rule otherwise. */
export function teacherTruth(t: Teacher, mu: LabDistribution): number {
  const rule = mu.rule();
  if (mu.gaussian) return readout(t, gaussianAttention(t.head, mu.gaussian, rule.points), rule.weights);
  return teacherValue(t, rule.points, rule.weights);
}

/** Builds a functional for distributions on R^dim. */
export function makeFunctional(config: FunctionalConfig, dim: number): Functional {
  const c = typeof config === 'string' ? ({ name: config } as { name: string }) : config;
  switch (c.name) {
    case 'mean':
      return { name: 'mean', level: 'moment', truth: (mu) => expect(mu.marginal, (x) => x), plugin: (x, n, d) => sampleMoment(x, n, d, 1) };
    case 'smooth':
      return {
        name: 'smooth',
        level: 'moment',
        truth: (mu) => Math.sin(3 * expect(mu.marginal, (x) => x)) + expect(mu.marginal, (x) => x * x),
        plugin: (x, n, d) => Math.sin(3 * sampleMoment(x, n, d, 1)) + sampleMoment(x, n, d, 2),
      };
    case 'variance':
      return {
        name: 'variance',
        level: 'quadratic',
        truth: (mu) => {
          const m = expect(mu.marginal, (x) => x);
          return expect(mu.marginal, (x) => (x - m) ** 2);
        },
        plugin: (x, n, d) => {
          const m = sampleMoment(x, n, d, 1);
          let s = 0;
          for (let i = 0; i < n; i++) s += (x[i * d] - m) ** 2;
          return s / n;
        },
      };
    case 'gini':
      return {
        name: 'gini',
        level: 'quadratic',
        truth: (mu) => {
          const law = mu.marginal;
          if (law.kind === 'discrete') return pairSum(law.atoms, law.probs, (p, q) => Math.abs(p - q));
          return 2 * integrateOverSupport(law, (x) => {
            const F = law.cdf(x);
            return F * (1 - F);
          });
        },
        // V-statistic (1/n²) Σ_ij |x_i − x_j| = (2/n²) Σ_i (2i − n + 1) x_(i), i 0-based.
        plugin: (x, n, d) => {
          const s = firstCoord(x, n, d).sort();
          let acc = 0;
          for (let i = 0; i < n; i++) acc += (2 * i - n + 1) * s[i];
          return (2 * acc) / (n * n);
        },
      };
    case 'kernel': {
      const sigma = (c as { sigma?: number }).sigma ?? 0.25;
      if (!(sigma > 0)) throw new BadOptionError(`functional kernel.sigma must be > 0, got ${sigma}`);
      const k = (p: number, q: number): number => Math.exp(-((p - q) ** 2) / (2 * sigma * sigma));
      return {
        name: 'kernel',
        level: 'quadratic',
        truth: (mu) => {
          const law = mu.marginal;
          if (law.kind === 'discrete') return pairSum(law.atoms, law.probs, k);
          if (law.components.every((q) => q.type === 'normal')) {
            // closed form for Gaussian mixtures: Σ w_j w_k σ/√v exp(−(m_j − m_k)²/2v), v = σ² + s_j² + s_k²
            let acc = 0;
            law.components.forEach((cj, j) => {
              law.components.forEach((ck, kk) => {
                const v = sigma * sigma + cj.params.sd ** 2 + ck.params.sd ** 2;
                acc += law.weights[j] * law.weights[kk] * (sigma / Math.sqrt(v)) * Math.exp(-((cj.params.mean - ck.params.mean) ** 2) / (2 * v));
              });
            });
            return acc;
          }
          // product Gauss rule (Beta: 384 graded nodes; uniform: 64); normal components mixed with
          // others use their 40-point Hermite rule, accurate to ~1e-6 only when σ is not much
          // smaller than their sd
          const r = law.rule();
          return pairSum(r.x, r.w, k);
        },
        plugin: (x, n, d) => pairSum(firstCoord(x, n, d), uniformWeights(n), k),
      };
    }
    case 'teacher': {
      const t = c as { seed?: number; rank?: number; scale?: number };
      const teacher = teacherHead(dim, t.seed, t.rank, t.scale);
      return {
        name: 'teacher',
        level: 'attention',
        truth: (mu) => teacherTruth(teacher, mu),
        plugin: (x, n) => teacherValue(teacher, x.subarray(0, n * dim), uniformWeights(n)),
      };
    }
    case 'median':
      return { name: 'median', level: 'nonsmooth', truth: (mu) => lawQuantile(mu.marginal, 0.5), plugin: (x, n, d) => sampleQuantile(x, n, d, 0.5) };
    case 'quantile': {
      const q = (c as { q?: number }).q ?? 0.9;
      if (!(q > 0 && q < 1)) throw new BadOptionError(`functional quantile.q must be in (0, 1), got ${q}`);
      return { name: `quantile${q}`, level: 'nonsmooth', truth: (mu) => lawQuantile(mu.marginal, q), plugin: (x, n, d) => sampleQuantile(x, n, d, q) };
    }
    case 'entropy':
      return {
        name: 'entropy',
        level: 'nonsmooth',
        truth: (mu) => {
          const law = mu.marginal;
          if (law.kind === 'discrete') return law.probs.reduce((h, p) => (p > 0 ? h - p * Math.log(p) : h), 0);
          if (law.entropy !== undefined) return law.entropy;
          return -integrateOverSupport(law, (x) => {
            const p = law.pdf(x);
            return p > 0 ? p * Math.log(p) : 0;
          });
        },
        plugin: (x, n, d, discrete) => sampleEntropy(x, n, d, discrete),
      };
    default:
      throw new BadOptionError(
        `unknown functional ${JSON.stringify(c.name)} (mean, smooth, variance, gini, kernel, teacher, median, quantile, entropy)`,
      );
  }
}

export const FUNCTIONAL_NAMES = ['mean', 'smooth', 'variance', 'gini', 'kernel', 'teacher', 'median', 'quantile', 'entropy'] as const;
