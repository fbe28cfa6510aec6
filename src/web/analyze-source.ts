/**
 * The analysis of an already opened source, as the CLI's analyzePath does it for a model file
 * (src/analysis/run.ts) minus what needs a file system (LoRA folders, --init): the architecture
 * adapter when one applies, else generic mode over every 2-D tensor.
 */
import { analyzeGeneric, layerOf, type GenericItem } from '../analysis/generic.js';
import type { SpectralEngine } from '../analysis/engine.js';
import { analyzeModel } from '../analysis/pipeline.js';
import { UnsupportedError } from '../errors.js';
import type { TensorSource } from '../io/types.js';
import { detectAdapter, GENERIC_NOTE, rawMatrices, rawMatrixNames } from '../models/index.js';
import type { SchattenConvention } from '../measures/schatten.js';
import type { AnalysisResult } from '../types/analysis.js';

export interface SourceSettings {
  convention: SchattenConvention;
  lPhi: number;
  rankTol: number;
  gridM?: number;
  heads?: number;
  spectra: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
  notice: (line: string) => void;
}

export async function analyzeOpenSource(src: TensorSource, engine: SpectralEngine, s: SourceSettings,
  meta: { name: string; source: string }): Promise<AnalysisResult> {
  for (const key of ['quantized', 'unreadQuantized']) {
    const line = src.metadata?.[key];
    if (line) s.notice(`${meta.source}: ${line}`);
  }
  let adapter;
  try {
    adapter = detectAdapter(src, { heads: s.heads });
  } catch (err) {
    if (!(err instanceof UnsupportedError)) throw err;
    s.notice(`${meta.source}: ${GENERIC_NOTE}`);
    const names = rawMatrixNames(src);
    async function* items(): AsyncIterable<GenericItem> {
      for await (const m of rawMatrices(src)) yield { name: m.name, layer: layerOf(m.name), type: 'raw', dense: m.matrix };
    }
    const info = { architecture: 'generic', layers: 0, hidden: 0, heads: 0, headDim: 0, intermediate: 0 };
    const r = await analyzeGeneric(items(), names.length, engine, { rankTol: s.rankTol, spectra: s.spectra, onProgress: s.onProgress }, info, [GENERIC_NOTE]);
    return { ...r, model: { ...r.model, ...meta, format: src.format } };
  }
  const r = await analyzeModel(adapter, engine, {
    lPhi: s.lPhi, rankTol: s.rankTol, gridM: s.gridM, convention: s.convention, spectra: s.spectra, onProgress: s.onProgress,
  });
  return { ...r, model: { ...r.model, ...meta, format: src.format } };
}
