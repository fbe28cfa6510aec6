/**
 * The analysis of an opened checkpoint, platform-neutral (the CLI's run.ts and the browser page,
 * src/web/, both end here): the architecture adapter's theory matrices, or generic mode over every
 * 2-D tensor when no adapter knows the architecture.
 */
import { UnsupportedError } from '../errors.js';
import type { TensorSource } from '../io/types.js';
import { detectAdapter, GENERIC_NOTE, rawMatrices, rawMatrixNames } from '../models/index.js';
import type { AnalysisResult } from '../types/analysis.js';
import type { AnalysisSettings } from './settings.js';
import type { SpectralEngine } from './engine.js';
import { analyzeGeneric, layerOf, type GenericItem } from './generic.js';
import { analyzeModel } from './pipeline.js';

/** The settings of one opened-source analysis, with its callbacks (notices are required here). */
export type OpenedSettings = Omit<AnalysisSettings, 'workers' | 'init'> & {
  onProgress?: (done: number, total: number, label: string) => void;
  notice: (line: string) => void;
};

/** The initial checkpoint of --init, opened by the caller. */
export interface InitCheckpoint {
  source: TensorSource;
  path: string;
}

export async function analyzeOpened(src: TensorSource, engine: SpectralEngine, s: OpenedSettings,
  meta: { name: string; source: string }, init?: InitCheckpoint): Promise<AnalysisResult> {
  const { notice, ...opts } = s;
  for (const key of ['quantized', 'unreadQuantized']) {
    const line = src.metadata?.[key];
    if (line) notice(`${meta.source}: ${line}`);
  }
  let adapter;
  try {
    adapter = detectAdapter(src, { heads: s.heads });
  } catch (err) {
    if (!(err instanceof UnsupportedError) || init) throw err;
    notice(`${meta.source}: ${GENERIC_NOTE}`);
    const names = rawMatrixNames(src);
    async function* items(): AsyncIterable<GenericItem> {
      for await (const m of rawMatrices(src)) yield { name: m.name, layer: layerOf(m.name), type: 'raw', dense: m.matrix };
    }
    const info = { architecture: 'generic', layers: 0, hidden: 0, heads: 0, headDim: 0, intermediate: 0 };
    const r = await analyzeGeneric(items(), names.length, engine, s, info, [GENERIC_NOTE]);
    return { ...r, model: { ...r.model, ...meta, format: src.format } };
  }
  const r = init
    ? await analyzeModel(adapter, engine, { ...opts, init: detectAdapter(init.source, { heads: s.heads }), extraSettings: { initCheckpoint: init.path } })
    : await analyzeModel(adapter, engine, opts);
  return { ...r, model: { ...r.model, ...meta, format: src.format } };
}
