/**
 * One-dimensional laws with exact densities, CDFs and high-accuracy quadrature rules: the
 * building blocks of the lab's distribution families (../../docs/lab.md, "Families").
 * A `Law1D` is either continuous (density, CDF, effective support, breakpoints where the density
 * is not smooth) or discrete (atoms with probabilities). Continuous laws are finite mixtures of
 * components (Beta on [0,1], normal, uniform), each with its own quadrature rule.
 */
import type { Rng } from './rng.js';
import { betaInc, compositeLegendre, gaussHermiteNormal, lgamma, normalCdf, type Rule } from './special.js';

export interface Component {
  readonly type: 'beta' | 'normal' | 'uniform';
  readonly params: Readonly<Record<string, number>>;
  pdf(x: number): number;
  cdf(x: number): number;
  draw(rng: Rng): number;
  /** Effective support (beyond it the mass is below 1e-20 for normals). */
  readonly lo: number;
  readonly hi: number;
  /** A rule with Σ w g(x) ≈ E g(X) for smooth g. */
  rule(): Rule;
}

/** Beta(a, b) on [0, 1]. Rule: x = s(t) with the smoothstep s(t) = t⁴(35 − 84t + 70t² − 20t³)
 * (s' = 140 t³(1 − t)³), then composite Gauss-Legendre in t: the substitution turns the
 * x^(a−1) (1−x)^(b−1) edge singularities into t^(4a−1), (1−t)^(4b−1). */
export function betaComponent(a: number, b: number): Component {
  const lnB = lgamma(a) + lgamma(b) - lgamma(a + b);
  const pdf = (x: number): number =>
    x <= 0 || x >= 1 ? 0 : Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) - lnB);
  return {
    type: 'beta',
    params: { a, b },
    pdf,
    cdf: (x) => betaInc(x, a, b),
    draw: (rng) => rng.beta(a, b),
    lo: 0,
    hi: 1,
    rule: () => {
      const t = compositeLegendre(0, 1, 48, 8);
      const x = new Float64Array(t.x.length);
      const w = new Float64Array(t.x.length);
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        const u = t.x[i];
        const v = 1 - u;
        // evaluate x and 1 − x symmetrically so neither loses digits near its edge
        const lo = u * u * u * u * (35 - 84 * u + 70 * u * u - 20 * u * u * u);
        const hi = v * v * v * v * (35 - 84 * v + 70 * v * v - 20 * v * v * v);
        x[i] = u < 0.5 ? lo : 1 - hi;
        const dens = Math.exp((a - 1) * Math.log(lo) + (b - 1) * Math.log(hi) - lnB);
        w[i] = (lo > 0 && hi > 0 ? dens : 0) * 140 * (u * v) ** 3 * t.w[i];
        s += w[i];
      }
      for (let i = 0; i < w.length; i++) w[i] /= s;
      return { x, w };
    },
  };
}

/** Normal(mean, sd²). Rule: 40-point Gauss-Hermite (exact for polynomials of degree ≤ 79). */
export function normalComponent(mean: number, sd: number): Component {
  return {
    type: 'normal',
    params: { mean, sd },
    pdf: (x) => Math.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI)),
    cdf: (x) => normalCdf((x - mean) / sd),
    draw: (rng) => mean + sd * rng.normal(),
    lo: mean - 9.5 * sd,
    hi: mean + 9.5 * sd,
    rule: () => {
      const r = gaussHermiteNormal(40);
      return { x: r.x.map((z) => mean + sd * z), w: r.w };
    },
  };
}

/** Uniform on [lo, hi]. Rule: 64-point Gauss-Legendre. */
export function uniformComponent(lo: number, hi: number): Component {
  return {
    type: 'uniform',
    params: { lo, hi },
    pdf: (x) => (x >= lo && x <= hi ? 1 / (hi - lo) : 0),
    cdf: (x) => (x <= lo ? 0 : x >= hi ? 1 : (x - lo) / (hi - lo)),
    draw: (rng) => rng.range(lo, hi),
    lo,
    hi,
    rule: () => {
      const r = compositeLegendre(lo, hi, 8, 8);
      return { x: r.x, w: r.w.map((v) => v / (hi - lo)) };
    },
  };
}

export interface ContinuousLaw {
  readonly kind: 'continuous';
  readonly components: readonly Component[];
  readonly weights: readonly number[];
  pdf(x: number): number;
  cdf(x: number): number;
  readonly lo: number;
  readonly hi: number;
  /** Points where the density may be non-smooth (component support ends), sorted. */
  readonly breakpoints: readonly number[];
  rule(): Rule;
  /** Closed-form differential entropy when known (single Beta or normal component). */
  readonly entropy?: number;
}

export interface DiscreteLaw {
  readonly kind: 'discrete';
  readonly atoms: Float64Array;
  readonly probs: Float64Array;
}

export type Law1D = ContinuousLaw | DiscreteLaw;

/** A finite mixture Σ w_j component_j (weights normalised here). */
export function mixtureLaw(components: readonly Component[], weights?: readonly number[], entropy?: number): ContinuousLaw {
  const raw = weights ?? components.map(() => 1);
  const s = raw.reduce((p, q) => p + q, 0);
  const w = raw.map((v) => v / s);
  const bps = new Set<number>();
  for (const c of components) {
    bps.add(c.lo);
    bps.add(c.hi);
  }
  return {
    kind: 'continuous',
    components,
    weights: w,
    pdf: (x) => components.reduce((acc, c, j) => acc + w[j] * c.pdf(x), 0),
    cdf: (x) => components.reduce((acc, c, j) => acc + w[j] * c.cdf(x), 0),
    lo: Math.min(...components.map((c) => c.lo)),
    hi: Math.max(...components.map((c) => c.hi)),
    breakpoints: [...bps].sort((p, q) => p - q),
    rule: () => {
      const rules = components.map((c) => c.rule());
      const n = rules.reduce((acc, r) => acc + r.x.length, 0);
      const x = new Float64Array(n);
      const ww = new Float64Array(n);
      let k = 0;
      rules.forEach((r, j) => {
        for (let i = 0; i < r.x.length; i++, k++) {
          x[k] = r.x[i];
          ww[k] = w[j] * r.w[i];
        }
      });
      return { x, w: ww };
    },
    entropy,
  };
}

/** Draw one value from a mixture: pick the component, then draw from it. */
export function drawMixture(law: ContinuousLaw, rng: Rng): number {
  const j = law.components.length === 1 ? 0 : rng.categorical(law.weights);
  return law.components[j].draw(rng);
}
