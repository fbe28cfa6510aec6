import type { ModelInfo } from '../models/types.js';
import type { AnalysisResult, MatrixResult } from '../types/analysis.js';
import { ModelError } from '../errors.js';
import { esdFields } from '../measures/esd.js';
import { buildLayerSummaries } from '../bounds/layer-summary.js';
import { spectrumAdaptiveBound } from '../bounds/spectrum-adaptive.js';
import { edelmanBound } from '../bounds/edelman.js';
import { bartlettBound, type ChainLink } from '../bounds/bartlett.js';
import { frobeniusProductBound } from '../bounds/frobenius.js';
import { parameterCount } from '../bounds/param-count.js';
import { L11_HINT, norm11Quantities } from '../bounds/l11.js';
import type { MatrixMeasures } from './measure.js';
import type { AnalysisSettings } from './settings.js';

/**
 * The pure half of the pipeline: per-layer results (pipeline.ts analyzeLayer, possibly computed
 * on other threads, processes or machines) -> bounds -> AnalysisResult. Deterministic: the layers
 * may come in any order; they are sorted by index and every layer 0..L-1 must be there once.
 */

/** One measured theory matrix, JSON-serialisable (singular values as a plain array). */
export interface MeasuredMatrix extends Omit<MatrixMeasures, 'sv'> {
  layer: number;
  head: number;
  type: string;
  singularValues: number[];
}

/** Everything one layer contributes to the result. */
export interface LayerResult {
  layer: number;
  /** In the adapter's order. */
  matrices: MeasuredMatrix[];
  /** The layer's links of the Bartlett chain: V (sum of heads), M_in, M_out. */
  chain: ChainLink[];
}

/** What the merge needs to know of the model and the run besides the layers. */
export interface MergeContext {
  info: ModelInfo;
  /** The adapter's notes. */
  notes: readonly string[];
  /** Engine name for the settings block. */
  backend: string;
  /** Whether the matrices are updates W − W0. */
  init: boolean;
  extraSettings?: Record<string, unknown>;
}

function ordered(layers: readonly LayerResult[], depth: number): LayerResult[] {
  const out = [...layers].sort((a, b) => a.layer - b.layer);
  if (out.length !== depth || out.some((r, i) => r.layer !== i)) {
    throw new ModelError(`merge: expected layers 0..${depth - 1} once each, got [${layers.map((r) => r.layer).join(', ')}]`);
  }
  return out;
}

export function mergeLayers(ctx: MergeContext, s: Pick<AnalysisSettings, 'lPhi' | 'rankTol' | 'gridM' | 'convention' | 'spectra'> &
  Partial<Pick<AnalysisSettings, 'headL11'>>,
  layerResults: readonly LayerResult[]): AnalysisResult {
  const { info } = ctx;
  const L = info.layers;
  const N = info.hidden;
  const sorted = ordered(layerResults, L);
  const analysed = sorted.flatMap((r) => r.matrices);
  const chain = sorted.flatMap((r) => r.chain);
  const layers = buildLayerSummaries(analysed, L);
  const sa = spectrumAdaptiveBound(analysed, layers, { lPhi: s.lPhi, gridM: s.gridM, convention: s.convention, hidden: N });
  const ed = edelmanBound(layers, s.lPhi);
  const bft = bartlettBound(chain);
  const fro = frobeniusProductBound(chain);
  const q11 = norm11Quantities(layers, s.lPhi);
  const params = parameterCount(analysed);
  const matrices: MatrixResult[] = analysed.map((a, i) => {
    const t = sa.terms[i];
    const r: MatrixResult = {
      layer: a.layer, head: a.head, type: a.type, rows: a.rows, cols: a.cols, rank: a.rank,
      spectralNorm: a.spectral, frobeniusNorm: a.frobenius, nuclearNorm: a.nuclear, norm21: a.norm21, norm11: a.norm11,
      stableRank: a.stable, alpha: t.alpha, gamma: t.gamma, pOpt: t.pOpt, contribution: t.contribution,
      tCurve: { p: t.curve.p, t: t.curve.t }, ...esdFields(a.singularValues, s.rankTol),
    };
    if (s.spectra) r.singularValues = [...a.singularValues];
    return r;
  });
  const ln10 = Math.LN10;
  // The (1,1)-norm proxies only when every head product has its (1,1)-norm (--head-l11): null, not a partial sum.
  const bounds: Record<string, number | null> = {
    spectrumAdaptive: sa.value, edelman: ed.value, bartlett: bft.value, frobeniusProduct: fro.value,
    paramCount: params, norm11Sum: q11?.sum ?? null, norm11Product: q11?.product ?? null,
  };
  const boundsLog10: Record<string, number | null> = {
    spectrumAdaptive: sa.log / ln10, edelman: ed.log / ln10, bartlett: bft.log / ln10, frobeniusProduct: fro.log / ln10,
    paramCount: Math.log10(params), norm11Sum: q11 ? Math.log10(q11.sum) : null, norm11Product: q11 ? q11.logProduct / ln10 : null,
  };
  const notes = [
    ...ctx.notes,
    'Biases, LayerNorm gains, the 1/sqrt(d_head) logit scale, embeddings and pooler are left out of every proxy, as in the reference.',
    'Bartlett-Foster-Telgarsky and the Frobenius product run over the chain V_l = sum_h V_tilde_h (rho 1), M_in (rho L_phi), M_out (rho 1) per layer; the attention pattern is treated as fixed.',
    q11 ? 'norm11Product is the alpha-type layer product with every spectral norm replaced by its (1,1)-norm upper bound.'
      : `norm11Sum and norm11Product are not computed (${L11_HINT}): they need the (1,1)-norm of every N×N head product, N²·d multiply-adds each; the head products' norm11 is null.`,
  ];
  if (s.convention === 'reference') {
    notes.push('Convention "reference": S(p) sums every value of a full dense SVD, numerical zeros included, so small-p terms depend on the SVD routine\'s rounding noise (a rank-64 768x768 head gains about 0.14 per zero at p = 1/19).');
  }
  if (ctx.init) notes.push('Every matrix is the update W - W0 from the initial checkpoint (--init); head products as [A, -A0]·[B; B0].');
  return {
    model: { ...info },
    settings: {
      lPhi: s.lPhi, rankTol: s.rankTol, gridM: sa.gridM, convention: s.convention, headL11: q11 !== null, backend: ctx.backend,
      grid: sa.terms[0]?.curve.p ?? [], init: ctx.init, ...ctx.extraSettings,
    },
    matrices,
    bounds,
    boundsLog10,
    notes,
  };
}
