/**
 * Distribution families for two-stage sampling (first stage: draw a distribution μ_i from a
 * family; second stage: draw n samples from μ_i). Each distribution knows its exact law of the
 * first coordinate (for scalar functionals) and a high-accuracy quadrature rule on R^d (for the
 * attention teacher and kernel functionals). Families: Beta, rotated 2-D Gaussians (Szabo et al.
 * JMLR 2016 entropy benchmark), topic distributions over a token vocabulary, Gaussian mixtures, and
 * user-defined 1-D mixtures from a JSON config.
 */
import { BadOptionError } from '../errors.js';
import { betaComponent, drawMixture, mixtureLaw, normalComponent, uniformComponent, type Component, type Law1D } from './laws.js';
import { Rng } from './rng.js';
import { digamma, gaussHermiteNormal, lgamma } from './special.js';

export interface WeightedPoints {
  /** N points in R^dim, row-major. */
  points: Float64Array;
  weights: Float64Array;
}

export interface LabDistribution {
  readonly family: string;
  readonly dim: number;
  /** The first-stage latent parameters, for reports. */
  readonly latent: Readonly<Record<string, number | readonly number[]>>;
  /** n i.i.d. samples, row-major n × dim. */
  sample(rng: Rng, n: number): Float64Array;
  /** Quadrature rule for μ on R^dim (exact for discrete laws). */
  rule(): WeightedPoints;
  /** The law of the first coordinate, on which the scalar functionals act. */
  readonly marginal: Law1D;
  /** Set when μ is a Gaussian mixture: weights, means (k × dim), covariances (k × dim × dim). */
  readonly gaussian?: GaussianMixtureParams;
}

export interface GaussianMixtureParams {
  weights: Float64Array;
  means: Float64Array;
  covs: Float64Array;
}

export interface Family {
  readonly name: string;
  readonly dim: number;
  readonly config: FamilyConfig;
  draw(rng: Rng): LabDistribution;
}

type Range = [number, number];
export type ComponentSpec =
  | { type: 'beta'; a: Range | number; b: Range | number }
  | { type: 'normal'; mean: Range | number; sd: Range | number }
  | { type: 'uniform'; lo: Range | number; hi: Range | number };

export type FamilyConfig =
  | { kind: 'beta'; a?: Range; b?: Range }
  | { kind: 'rotgauss'; lambda?: Range; angle?: Range }
  | { kind: 'topic'; vocab?: number; topics?: number; dim?: number; alpha?: number; beta?: number; seed?: number }
  | { kind: 'gmix'; components?: number; mean?: Range; sd?: Range }
  | { kind: 'custom'; components: ComponentSpec[]; weights?: 'dirichlet' | 'equal' | number[]; alpha?: number };

/** A 1-D distribution from a mixture law (Beta, Gaussian mixture, custom). */
function scalarDistribution(family: string, law: Law1D & { kind: 'continuous' }, latent: Record<string, number | number[]>): LabDistribution {
  const gaussian = law.components.every((c) => c.type === 'normal')
    ? {
        weights: Float64Array.from(law.weights),
        means: Float64Array.from(law.components, (c) => c.params.mean),
        covs: Float64Array.from(law.components, (c) => c.params.sd ** 2),
      }
    : undefined;
  return {
    family,
    gaussian,
    dim: 1,
    latent,
    marginal: law,
    sample: (rng, n) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = drawMixture(law, rng);
      return out;
    },
    rule: () => {
      const r = law.rule();
      return { points: r.x, weights: r.w };
    },
  };
}

/** The Beta(a, b) distribution on [0, 1]. */
export function betaDistribution(a: number, b: number): LabDistribution {
  return scalarDistribution('beta', mixtureLaw([betaComponent(a, b)], [1], betaEntropy(a, b)), { a, b });
}

/** The 1-D Gaussian mixture Σ w_j N(means_j, sds_j²). */
export function gaussianMixture(w: readonly number[], means: readonly number[], sds: readonly number[]): LabDistribution {
  const comps = means.map((m, j) => normalComponent(m, sds[j]));
  const ent = w.length === 1 ? normalEntropy(sds[0]) : undefined;
  return scalarDistribution('gmix', mixtureLaw(comps, w, ent), { weights: [...w], means: [...means], sds: [...sds] });
}

/** A distribution from explicit components (e.g. N(0,1) against U(−√3, √3)). */
export function componentDistribution(family: string, comps: Component[], w?: number[]): LabDistribution {
  return scalarDistribution(family, mixtureLaw(comps, w), {});
}

/** Beta entropy: ln B(a,b) − (a−1)ψ(a) − (b−1)ψ(b) + (a+b−2)ψ(a+b). */
export function betaEntropy(a: number, b: number): number {
  const lnB = lgamma(a) + lgamma(b) - lgamma(a + b);
  return lnB - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b);
}

/** Normal entropy ½ ln(2πe σ²). */
export function normalEntropy(sd: number): number {
  return 0.5 * Math.log(2 * Math.PI * Math.E * sd * sd);
}

function checkRange(r: Range | undefined, def: Range, what: string, positive = false): Range {
  const v = r ?? def;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isFinite(x)) || v[0] > v[1]) {
    throw new BadOptionError(`family ${what}: expected [lo, hi] with lo <= hi, got ${JSON.stringify(r)}`);
  }
  if (positive && v[0] <= 0) throw new BadOptionError(`family ${what}: must be > 0, got ${JSON.stringify(v)}`);
  return v;
}

function pick(rng: Rng, r: Range): number {
  return r[0] === r[1] ? r[0] : rng.range(r[0], r[1]);
}

/** Builds a family from its config; throws BadOptionError naming the bad field. */
export function makeFamily(config: FamilyConfig): Family {
  switch (config.kind) {
    case 'beta': {
      const ar = checkRange(config.a, [1, 5], 'beta.a', true);
      const br = checkRange(config.b, [1, 5], 'beta.b', true);
      return {
        name: 'beta',
        dim: 1,
        config,
        draw: (rng) => {
          const a = pick(rng, ar);
          const b = pick(rng, br);
          return betaDistribution(a, b);
        },
      };
    }
    case 'rotgauss':
      return rotatedGaussianFamily(config);
    case 'topic':
      return topicFamily(config);
    case 'gmix': {
      const k = config.components ?? 3;
      if (!Number.isInteger(k) || k < 1) throw new BadOptionError(`family gmix.components: expected a positive integer, got ${k}`);
      const mr = checkRange(config.mean, [-2, 2], 'gmix.mean');
      const sr = checkRange(config.sd, [0.2, 1], 'gmix.sd', true);
      return {
        name: 'gmix',
        dim: 1,
        config,
        draw: (rng) => {
          const w = rng.dirichlet(new Array<number>(k).fill(1));
          const means = w.map(() => pick(rng, mr));
          const sds = w.map(() => pick(rng, sr));
          return gaussianMixture(w, means, sds);
        },
      };
    }
    case 'custom':
      return customFamily(config);
    default:
      throw new BadOptionError(`unknown family kind ${JSON.stringify((config as { kind: unknown }).kind)} (beta, rotgauss, topic, gmix, custom)`);
  }
}

/**
 * Rotated 2-D Gaussians: μ_θ = N(0, R(θ) diag(λ1, λ2) R(θ)ᵀ), θ uniform in `angle` (default
 * [0, π]). The classic label is the entropy of the first coordinate, ½ ln(2πe Σ11) with
 * Σ11 = λ1 cos²θ + λ2 sin²θ (Szabo et al. 2016, §6.2). Rule: 24×24 Gauss-Hermite product.
 */
function rotatedGaussianFamily(config: { kind: 'rotgauss'; lambda?: Range; angle?: Range }): Family {
  const lam = checkRange(config.lambda, [1, 9], 'rotgauss.lambda', true);
  const ang = checkRange(config.angle, [0, Math.PI], 'rotgauss.angle');
  return {
    name: 'rotgauss',
    dim: 2,
    config,
    draw: (rng) => rotatedGaussian(pick(rng, ang), lam[0], lam[1]),
  };
}

/** N(0, R(θ) diag(λ1, λ2) R(θ)ᵀ). */
export function rotatedGaussian(th: number, lam1: number, lam2: number): LabDistribution {
  const lam = [lam1, lam2];
  const c = Math.cos(th);
  const s = Math.sin(th);
  const l1 = Math.sqrt(lam[0]);
  const l2 = Math.sqrt(lam[1]);
  // x = R diag(√λ) z, R = [[c, −s], [s, c]]
  const L = [c * l1, -s * l2, s * l1, c * l2];
  const sd1 = Math.sqrt(lam[0] * c * c + lam[1] * s * s);
  // Σ = L Lᵀ
  const S = [L[0] * L[0] + L[1] * L[1], L[0] * L[2] + L[1] * L[3], L[0] * L[2] + L[1] * L[3], L[2] * L[2] + L[3] * L[3]];
  return {
    family: 'rotgauss',
    dim: 2,
    latent: { angle: th },
    gaussian: { weights: Float64Array.of(1), means: new Float64Array(2), covs: Float64Array.from(S) },
    marginal: mixtureLaw([normalComponent(0, sd1)], [1], normalEntropy(sd1)),
    sample: (r, n) => {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const z1 = r.normal();
        const z2 = r.normal();
        out[2 * i] = L[0] * z1 + L[1] * z2;
        out[2 * i + 1] = L[2] * z1 + L[3] * z2;
      }
      return out;
    },
    rule: () => {
      const gh = gaussHermiteNormal(24);
      const k = gh.x.length;
      const points = new Float64Array(2 * k * k);
      const weights = new Float64Array(k * k);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const p = i * k + j;
          points[2 * p] = L[0] * gh.x[i] + L[1] * gh.x[j];
          points[2 * p + 1] = L[2] * gh.x[i] + L[3] * gh.x[j];
          weights[p] = gh.w[i] * gh.w[j];
        }
      }
      return { points, weights };
    },
  };
}

/**
 * Topic distributions over a vocabulary of V tokens (the language analogy: a text is a bag of
 * tokens from a latent distribution). K topics φ_k ~ Dirichlet(β) over tokens are fixed by the
 * family seed; each text draws a mixture θ ~ Dirichlet(α) and its token law is p = Σ θ_k φ_k.
 * Token v is embedded as e_v ∈ R^dim with first coordinate v/(V−1) (so scalar functionals act on
 * the token's position) and the other coordinates fixed N(0,1) draws from the family seed.
 */
function topicFamily(config: { kind: 'topic'; vocab?: number; topics?: number; dim?: number; alpha?: number; beta?: number; seed?: number }): Family {
  const V = config.vocab ?? 8;
  const K = config.topics ?? 3;
  const d = config.dim ?? 4;
  const alpha = config.alpha ?? 0.5;
  const beta = config.beta ?? 0.5;
  for (const [name, v] of [['vocab', V], ['topics', K], ['dim', d]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new BadOptionError(`family topic.${name}: expected a positive integer, got ${v}`);
  }
  if (V < 2) throw new BadOptionError('family topic.vocab: needs at least 2 tokens');
  if (!(alpha > 0) || !(beta > 0)) throw new BadOptionError('family topic.alpha and topic.beta must be > 0');
  const frng = new Rng(config.seed ?? 12345);
  const topics = Array.from({ length: K }, () => frng.dirichlet(new Array<number>(V).fill(beta)));
  const emb = new Float64Array(V * d);
  for (let v = 0; v < V; v++) {
    emb[v * d] = v / (V - 1);
    for (let j = 1; j < d; j++) emb[v * d + j] = frng.normal();
  }
  return {
    name: 'topic',
    dim: d,
    config,
    draw: (rng) => {
      const theta = rng.dirichlet(new Array<number>(K).fill(alpha));
      const p = new Float64Array(V);
      for (let k = 0; k < K; k++) for (let v = 0; v < V; v++) p[v] += theta[k] * topics[k][v];
      return tokenDistribution(p, emb, d, { theta });
    },
  };
}

function specValue(rng: Rng, v: Range | number, what: string): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BadOptionError(`family custom ${what}: not a finite number`);
    return v;
  }
  return pick(rng, checkRange(v, v, `custom ${what}`));
}

/**
 * User-defined 1-D families: a mixture of Beta / normal / uniform components whose parameters are
 * drawn uniformly from the given [lo, hi] ranges (a number fixes a parameter), with weights
 * Dirichlet(alpha), equal, or fixed.
 */
function customFamily(config: { kind: 'custom'; components: ComponentSpec[]; weights?: 'dirichlet' | 'equal' | number[]; alpha?: number }): Family {
  if (!Array.isArray(config.components) || config.components.length === 0) {
    throw new BadOptionError('family custom.components: expected a non-empty list of {type: beta|normal|uniform, ...}');
  }
  const wspec = config.weights ?? 'dirichlet';
  if (Array.isArray(wspec) && (wspec.length !== config.components.length || wspec.some((w) => !(w >= 0)))) {
    throw new BadOptionError('family custom.weights: expected one non-negative weight per component');
  }
  const draw = (rng: Rng): LabDistribution => {
    const comps: Component[] = config.components.map((c, j) => {
      const at = `components[${j}]`;
      if (c.type === 'beta') {
        const a = specValue(rng, c.a, `${at}.a`);
        const b = specValue(rng, c.b, `${at}.b`);
        if (!(a > 0 && b > 0)) throw new BadOptionError(`family custom ${at}: Beta parameters must be > 0`);
        return betaComponent(a, b);
      }
      if (c.type === 'normal') {
        const sd = specValue(rng, c.sd, `${at}.sd`);
        if (!(sd > 0)) throw new BadOptionError(`family custom ${at}.sd must be > 0`);
        return normalComponent(specValue(rng, c.mean, `${at}.mean`), sd);
      }
      if (c.type === 'uniform') {
        const lo = specValue(rng, c.lo, `${at}.lo`);
        const hi = specValue(rng, c.hi, `${at}.hi`);
        if (!(hi > lo)) throw new BadOptionError(`family custom ${at}: uniform needs hi > lo`);
        return uniformComponent(lo, hi);
      }
      throw new BadOptionError(`family custom ${at}.type: expected beta, normal or uniform, got ${JSON.stringify((c as { type: unknown }).type)}`);
    });
    const w =
      wspec === 'equal' ? comps.map(() => 1) : wspec === 'dirichlet' ? rng.dirichlet(comps.map(() => config.alpha ?? 1)) : wspec;
    const latent: Record<string, number | number[]> = { weights: [...w] };
    comps.forEach((c, j) => {
      for (const [k, v] of Object.entries(c.params)) latent[`c${j}.${k}`] = v;
    });
    return scalarDistribution('custom', mixtureLaw(comps, w), latent);
  };
  return { name: 'custom', dim: 1, config, draw };
}

/**
 * A law on V tokens with probabilities p, token v embedded as emb[v] ∈ R^d (first coordinate
 * increasing in v: the scalar functionals act on it).
 */
export function tokenDistribution(p: Float64Array, emb: Float64Array, d: number, latent: Record<string, number | number[]> = {}): LabDistribution {
  const V = p.length;
  const atoms = Float64Array.from({ length: V }, (_, v) => emb[v * d]);
  return {
    family: 'topic',
    dim: d,
    latent,
    marginal: { kind: 'discrete', atoms, probs: p },
    sample: (r, n) => {
      const out = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const v = r.categorical(p);
        out.set(emb.subarray(v * d, v * d + d), i * d);
      }
      return out;
    },
    rule: () => ({ points: emb.slice(), weights: p.slice() }),
  };
}
