import type { SchattenConvention } from '../measures/schatten.js';

/**
 * The settings of one analysis, declared once. The CLI (src/cli/analyze-options.ts) and the
 * library API (src/api.ts) validate them at their edge with resolveSettings() (src/analysis/settings.ts,
 * which also holds DEFAULT_SETTINGS); everything inside
 * takes the `Pick<AnalysisSettings, ...>` it needs and trusts it. The result records them (with
 * the backend and the grid) in `AnalysisResult.settings` (src/types/analysis.ts).
 */
export interface AnalysisSettings {
  /** S(p) for p > 0: `consistent` (numerical zeros count as zero) or `reference` (every value of a full SVD). */
  convention: SchattenConvention;
  /** Lipschitz constant L_phi of the activation (GELU: 1.13). */
  lPhi: number;
  /** Numerical rank: sigma > rankTol * min(rows, cols) * max(sigma_1, 1). */
  rankTol: number;
  /** m of the Schatten grid {0, 1/m, ..., 2}; default ceil(L + ln N). */
  gridM?: number;
  /** Attention heads, where the model does not say. */
  heads?: number;
  /** Path of an initial checkpoint: analyse W - W0. */
  init?: string;
  /** For a LoRA adapter: the base model to merge it into. */
  mergeInto?: string;
  /** Keep every singular value in the result. */
  spectra: boolean;
  /**
   * Also the (1,1)-norm Σ|(A·B)ᵢⱼ| of every head product (QK_h, V_tilde_h): it needs every entry
   * of the N×N product, N²·d multiply-adds each (BERT-base, native: +0.7 CPU s, ~9 %; js backend: ~22 CPU s), and only the
   * (1,1)-norm proxies (norm11Sum, norm11Product) use it. Off by default: those proxies are then
   * null ("not computed") and each head product's norm11 is null. M_in/M_out always get theirs.
   */
  headL11: boolean;
  /**
   * Worker threads for the spectra: 'auto' (a pool of one worker per core, up to 8, each with
   * single-threaded OpenBLAS, once the model is wide enough to pay for it; in-process otherwise),
   * or a count (1 = in-process).
   */
  workers: number | 'auto';
}
