import type { ModelInfo } from '../models/types.js';
import type { AnalysisSettings } from './settings.js';

/**
 * The result of `genbound analyze` (also its --json output, camelCase keys) and of
 * `genbound compare`. Produced by src/cli/analyze.ts and src/cli/compare.ts; consumed by
 * src/report/. Extra keys may be added; none of these may be renamed.
 */
export interface MatrixResult {
  layer: number;
  /** -1 for layerwise matrices. */
  head: number;
  /** "QK" | "V_tilde" | "M_in" | "M_out", or a raw tensor kind in generic mode. */
  type: string;
  /** Tensor name(s) the matrix came from, for generic mode and messages. */
  name?: string;
  rows: number;
  cols: number;
  rank: number;
  spectralNorm: number;
  frobeniusNorm: number;
  nuclearNorm: number;
  norm21: number;
  /**
   * Σ|wᵢⱼ|. Null for a head product (QK, V_tilde) analysed without --head-l11 (settings.headL11
   * false): not computed, because it needs every entry of the N×N product. Always a number for
   * M_in, M_out and in generic mode.
   */
  norm11: number | null;
  stableRank: number;
  /** Bound factors (spec: alpha_l, gamma, optimal Schatten index, min_p T(p)). Null in generic mode. */
  alpha: number | null;
  gamma: number | null;
  pOpt: number | null;
  contribution: number | null;
  /** T(p) on the grid P_m, for the T(p)/T(0) figure. */
  tCurve?: { p: number[]; t: number[] };
  /**
   * Power-law fit of the ESD (eigenvalues σ² of WᵀW; src/measures/esd.ts): WeightWatcher's alpha,
   * alpha·log10(λ_max), the fit's KS distance and tail size. Null with fewer than 10 nonzero σ.
   */
  esdAlpha?: number | null;
  esdAlphaWeighted?: number | null;
  esdKs?: number | null;
  esdTail?: number | null;
  /** Descending; present with --spectra (and always kept in memory for reports). */
  singularValues?: number[];
}

/** The settings a result was computed with (AnalysisSettings, src/types/settings.ts) as recorded in it. */
export interface ResultSettings extends Pick<AnalysisSettings, 'lPhi' | 'rankTol' | 'convention'> {
  /** The grid's m actually used (the default resolved). */
  gridM: number;
  /** The linear-algebra backend ("native", "js", "native (2 workers)"). */
  backend: string;
  [key: string]: unknown;
}

export interface AnalysisResult {
  model: ModelInfo & { name?: string; source?: string; format?: string };
  settings: ResultSettings;
  matrices: MatrixResult[];
  /**
   * spectrumAdaptive, edelman, and every baseline, by name. Null: not computed — norm11Sum and
   * norm11Product without --head-l11 (they need every head product's (1,1)-norm); the key is
   * there so that readers can say so. (In the JSON file a bound that overflows a double is also
   * null, but its boundsLog10 is a finite number; a bound not computed has null there too.)
   */
  bounds: Record<string, number | null>;
  /** log10 of each bound, finite even where the value overflows a double (added by analyze); null where the bound is not computed. */
  boundsLog10?: Record<string, number | null>;
  /** Adaptations and caveats to show in reports (e.g. "biases and LayerNorm left out"). */
  notes?: string[];
}

/** One model's bound in the growth view of `compare`. */
export interface GrowthRow {
  model: string;
  bound: string;
  layers: number;
  hidden: number;
  value: number;
  /** value / value at the smallest width with the same depth (null when there is none). */
  byWidth: number | null;
  /** value / value at the smallest depth with the same width. */
  byDepth: number | null;
}

/** Fitted log-log slope of a bound against depth (at fixed width) or width (at fixed depth). */
export interface GrowthSlope {
  bound: string;
  against: 'depth' | 'width';
  /** The width (for against=depth) or depth (for against=width) held fixed. */
  fixed: number;
  slope: number;
  points: number;
}

export interface CompareResult {
  models: AnalysisResult[];
  growth: GrowthRow[];
  slopes: GrowthSlope[];
}
