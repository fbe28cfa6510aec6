import { BadOptionError } from '../errors.js';
import { schattenSums, type SchattenConvention } from '../measures/schatten.js';
import type { AnalysisSettings } from '../types/settings.js';
import { gammaOf, logAlphas, logSumExp, type LayerSummary } from './layer-summary.js';

/**
 * The spectrum-adaptive generalization-bound proxy ("ours"), Sakai & Imaizumi (2026), Sec. 6 and
 * App. E, as fixed in ../shared/spec/spectrum-adaptive-bound.md:
 *
 *     B_ours = sum over matrices of  min_{p in P_m} T(p)  +  sqrt(L)
 *     T(p)   = S(p)^(1/(p+2)) * (gamma * alpha_l * L)^(p/(p+2)) * N^((p+1)/(p+2))
 *     P_m    = {0, 1/m, ..., 2},  m = ceil(L + ln N)  (natural log);  first minimum on ties.
 *
 * N is the hidden size for all four matrix types; L the depth. alpha_l and gamma are in
 * layer-summary.ts. T is evaluated in log space; the scale gamma*alpha_l*L is clamped from below
 * at SCALE_FLOOR before the power, as the reference implementation does.
 */

/** The smallest positive normal double, numpy's finfo(float64).tiny: the clamp on the scale. */
export const SCALE_FLOOR = 2.2250738585072014e-308;
export const DEFAULT_LPHI = 1.13;

/** m = ceil(L + ln N). */
export function defaultGridM(depth: number, hidden: number): number {
  return Math.ceil(depth + Math.log(hidden));
}

/** P_m = {i/m : i = 0..2m}. */
export function schattenGrid(m: number): number[] {
  if (!Number.isInteger(m) || m < 1) throw new BadOptionError(`--grid-m must be a positive integer (got ${m})`);
  const g: number[] = [];
  for (let i = 0; i <= 2 * m; i++) g.push(i / m);
  return g;
}

export interface TCurve {
  p: number[];
  /** T(p) at each grid point (may be Infinity if it overflows a double; see logT). */
  t: number[];
  logT: number[];
  /** First grid index attaining the minimum. */
  argmin: number;
}

/**
 * T(p) on a grid, for one matrix.
 * @param logScale ln(gamma * alpha_l * L) before the clamp.
 */
export function tCurve(sv: ArrayLike<number>, rank: number, logScale: number, hidden: number,
  grid: readonly number[], convention: SchattenConvention): TCurve {
  const ls = Math.max(logScale, Math.log(SCALE_FLOOR));
  const lnN = Math.log(hidden);
  const logT: number[] = [];
  const sums = schattenSums(sv, grid, rank, convention);
  let argmin = 0;
  for (let i = 0; i < grid.length; i++) {
    const p = grid[i];
    const lt = Math.log(sums[i]) / (p + 2) + (p / (p + 2)) * ls + ((p + 1) / (p + 2)) * lnN;
    logT.push(lt);
    if (lt < logT[argmin]) argmin = i;
  }
  return { p: [...grid], t: logT.map(Math.exp), logT, argmin };
}

export interface SpectrumAdaptiveMatrix {
  layer: number;
  head: number;
  type: string;
  /** Descending singular values (for `reference`, every value of a full SVD). */
  singularValues: ArrayLike<number>;
  rank: number;
}

export interface SpectrumAdaptiveOptions extends Pick<AnalysisSettings, 'lPhi' | 'gridM' | 'convention'> {
  /** N, the hidden size. */
  hidden: number;
}

export interface SpectrumAdaptiveTerm {
  alpha: number;
  gamma: number;
  pOpt: number;
  /** min_p T(p). */
  contribution: number;
  logContribution: number;
  curve: TCurve;
}

export interface SpectrumAdaptiveResult {
  value: number;
  /** ln B_ours (finite even when the value overflows). */
  log: number;
  gridM: number;
  terms: SpectrumAdaptiveTerm[];
}

/** B_ours for the given matrices (one term each, in order) and the layers' spectral norms. */
export function spectrumAdaptiveBound(matrices: readonly SpectrumAdaptiveMatrix[], layers: readonly LayerSummary[],
  opts: SpectrumAdaptiveOptions): SpectrumAdaptiveResult {
  const L = layers.length;
  const m = opts.gridM ?? defaultGridM(L, opts.hidden);
  const grid = schattenGrid(m);
  const la = logAlphas(layers, opts.lPhi);
  const terms = matrices.map((mat) => {
    const gamma = gammaOf(mat.type, layers[mat.layer], mat.head);
    const logScale = Math.log(gamma) + la[mat.layer] + Math.log(L);
    const curve = tCurve(mat.singularValues, mat.rank, logScale, opts.hidden, grid, opts.convention);
    const lc = curve.logT[curve.argmin];
    return { alpha: Math.exp(la[mat.layer]), gamma, pOpt: grid[curve.argmin], contribution: Math.exp(lc), logContribution: lc, curve };
  });
  const log = logSumExp([...terms.map((t) => t.logContribution), 0.5 * Math.log(L)]);
  return { value: Math.exp(log), log, gridM: m, terms };
}
