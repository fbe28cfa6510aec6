import type { ModelInfo } from '../models/types.js';
import type { AnalysisResult, MatrixResult } from '../types/analysis.js';
import { esdFields } from '../measures/esd.js';
import type { SpectralEngine } from './engine.js';
import { measureMatrix, type MatrixInput } from './measure.js';
import type { AnalysisSettings } from './settings.js';

/**
 * Per-matrix analysis without the theory's structure: generic mode (2-D weights of an
 * architecture no adapter knows) and LoRA updates analysed alone. Every per-matrix quantity is
 * computed; the bound factors (alpha, gamma, pOpt, contribution) are null because they need to
 * know which matrices are a head's Q, K, V, O and which the feed-forward layers.
 */
export interface GenericItem extends MatrixInput {
  name: string;
  /** Layer index when the name has one, else -1. */
  layer: number;
  type: string;
}

export interface GenericOptions extends Pick<AnalysisSettings, 'rankTol' | 'spectra'> {
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
    // No head products here: a LoRA update B·A (rank r, one per target weight) gets its (1,1)-norm
    // always, at m·r·n multiply-adds, small beside its SVD's factor QRs.
    const m = await measureMatrix(engine, it, { convention: 'consistent', rankTol: opts.rankTol, headL11: true }, it.name);
    for (const [r, c] of m.shapes) params += r * c;
    l11Sum += m.norm11 ?? NaN;
    const r: MatrixResult = {
      layer: it.layer, head: -1, type: it.type, name: it.name, rows: m.rows, cols: m.cols,
      rank: m.rank, spectralNorm: m.spectral, frobeniusNorm: m.frobenius,
      nuclearNorm: m.nuclear, norm21: m.norm21, norm11: m.norm11, stableRank: m.stable,
      alpha: null, gamma: null, pOpt: null, contribution: null, ...esdFields(m.sv, opts.rankTol),
    };
    if (opts.spectra) r.singularValues = Array.from(m.sv);
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
