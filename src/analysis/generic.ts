import type { Matrix } from '../linalg/types.js';
import type { ModelInfo } from '../models/types.js';
import type { AnalysisResult, MatrixResult } from '../types/analysis.js';
import { NumericError } from '../errors.js';
import { numericalRank } from '../measures/rank.js';
import { esdFields } from '../measures/esd.js';
import { columnNormsOf, frobeniusFromSpectrum, norm11, norm21FromColumnNorms, nuclearNorm, stableRank } from '../measures/norms.js';
import { productNorms } from '../measures/product.js';
import type { SpectralEngine } from './engine.js';

/**
 * Per-matrix analysis without the theory's structure: generic mode (2-D weights of an
 * architecture no adapter knows) and LoRA updates analysed alone. Every per-matrix quantity is
 * computed; the bound factors (alpha, gamma, pOpt, contribution) are null because they need to
 * know which matrices are a head's Q, K, V, O and which the feed-forward layers.
 */
export interface GenericItem {
  name: string;
  /** Layer index when the name has one, else -1. */
  layer: number;
  type: string;
  factors?: readonly [Matrix, Matrix];
  dense?: Matrix;
}

export interface GenericOptions {
  rankTol: number;
  spectra: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** First ".<digits>." component of a tensor name, or -1. */
export function layerOf(name: string): number {
  const m = /(?:^|\.)(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
}

export async function analyzeGeneric(items: AsyncIterable<GenericItem> | Iterable<GenericItem>, total: number, engine: SpectralEngine,
  opts: GenericOptions, info: ModelInfo, notes: string[]): Promise<AnalysisResult> {
  const matrices: MatrixResult[] = [];
  let params = 0;
  let l11Sum = 0;
  for await (const it of items) {
    let sv: Float64Array, cn: Float64Array, l11: number, rows: number, cols: number;
    if (it.factors) {
      const [a, b] = it.factors;
      const pn = productNorms(a, b);
      sv = await engine.productSingularValues(a, b);
      cn = pn.columnNorms;
      l11 = pn.norm11;
      rows = a.rows;
      cols = b.cols;
      params += a.rows * a.cols + b.rows * b.cols;
    } else if (it.dense) {
      sv = await engine.singularValues(it.dense);
      cn = columnNormsOf(it.dense);
      l11 = norm11(it.dense);
      rows = it.dense.rows;
      cols = it.dense.cols;
      params += rows * cols;
    } else {
      continue;
    }
    if (!Number.isFinite(l11)) throw new NumericError(`${it.name}: the matrix contains NaN or Inf`);
    l11Sum += l11;
    const r: MatrixResult = {
      layer: it.layer, head: -1, type: it.type, name: it.name, rows, cols,
      rank: numericalRank(sv, rows, cols, opts.rankTol), spectralNorm: sv[0] ?? 0, frobeniusNorm: frobeniusFromSpectrum(sv),
      nuclearNorm: nuclearNorm(sv), norm21: norm21FromColumnNorms(cn), norm11: l11, stableRank: stableRank(sv),
      alpha: null, gamma: null, pOpt: null, contribution: null, ...esdFields(sv, opts.rankTol),
    };
    if (opts.spectra) r.singularValues = Array.from(sv);
    matrices.push(r);
    opts.onProgress?.(matrices.length, total, it.name);
  }
  return {
    model: info,
    settings: { lPhi: NaN, rankTol: opts.rankTol, gridM: 0, convention: 'consistent', backend: engine.backend, mode: 'generic' },
    matrices,
    bounds: { paramCount: params, norm11Sum: l11Sum },
    boundsLog10: { paramCount: Math.log10(params), norm11Sum: Math.log10(l11Sum) },
    notes,
  };
}
