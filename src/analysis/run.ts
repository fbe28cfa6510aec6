import { basename, resolve } from 'node:path';
import { UnsupportedError } from '../errors.js';
import { openSource } from '../io/open.js';
import type { TensorSource } from '../io/types.js';
import { defaultModelPath, detectAdapter, GENERIC_NOTE, rawMatrices, rawMatrixNames } from '../models/index.js';
import type { AnalysisResult } from '../types/analysis.js';
import type { AnalysisSettings } from './settings.js';
import type { SpectralEngine } from './engine.js';
import { analyzeGeneric, layerOf, type GenericItem } from './generic.js';
import { isLoraPath, mergedSource, openLora } from './lora.js';
import { analyzeModel } from './pipeline.js';

/** Callbacks of one run. */
export interface RunHooks {
  onProgress?: (done: number, total: number, label: string) => void;
  /** One-line notices (generic mode, ...) go here; default stderr. */
  notice?: (line: string) => void;
}

/** Everything one `analyze` run needs besides the model path and the engine (which owns `workers`). */
export type RunSettings = Omit<AnalysisSettings, 'workers'> & RunHooks;

async function withSource<T>(src: TensorSource, f: (s: TensorSource) => Promise<T>): Promise<T> {
  try {
    return await f(src);
  } finally {
    await src.close();
  }
}

/** Analyses one model (or LoRA adapter); `path` undefined means the embedded default model. */
export async function analyzePath(path: string | undefined, engine: SpectralEngine, s: RunSettings): Promise<AnalysisResult> {
  const modelPath = path ?? defaultModelPath();
  const { init: _initPath, ...opts } = s; // analyzeModel's init is the opened initial model
  const name = path === undefined ? 'Universal Sentence Encoder lite (embedded default)' : basename(resolve(modelPath));
  const meta = { name, source: modelPath };

  if (await isLoraPath(modelPath)) {
    const lora = await openLora(modelPath);
    const loraSettings = { loraR: lora.config.r, loraAlpha: lora.config.loraAlpha, loraScale: lora.config.scale };
    if (s.mergeInto) {
      const merged = await mergedSource(await openSource(s.mergeInto), lora);
      return withSource(merged, async (src) => {
        const r = await analyzeModel(detectAdapter(src, { heads: s.heads }), engine, { ...opts, extraSettings: { ...loraSettings, mergedInto: s.mergeInto } });
        r.notes?.push(`LoRA adapter ${modelPath} merged into ${s.mergeInto}: W + (lora_alpha/r)·B·A on ${lora.modules.length} weights.`);
        return { ...r, model: { ...r.model, ...meta, format: 'lora+' + src.format } };
      });
    }
    return withSource(lora.source, async () => {
      async function* items(): AsyncIterable<GenericItem> {
        for (const mod of lora.modules) {
          const p = await lora.pair(mod);
          yield { name: mod, layer: p.layer, type: `lora:${mod.split('.').at(-1) ?? mod}`, factors: p.factors };
        }
      }
      const info = { architecture: 'lora', layers: 0, hidden: 0, heads: 0, headDim: 0, intermediate: 0, ...loraSettings, targetModules: lora.config.targetModules };
      const r = await analyzeGeneric(items(), lora.modules.length, engine, s, info,
        [`LoRA update (lora_alpha/r)·B·A of each target weight, analysed alone through its factors (exact, rank <= ${lora.config.r}); use --merge-into BASE for the bounds of the merged model.`]);
      return { ...r, model: { ...r.model, ...meta, format: 'lora' }, settings: { ...r.settings, ...loraSettings } };
    });
  }

  return withSource(await openSource(modelPath), (src) => analyzeSource(src, engine, s, meta));
}

/**
 * Analyses an opened checkpoint (the caller closes it): the adapter's theory matrices, or generic
 * mode when no adapter knows the architecture. `meta` names it in the result; `init` (a path) is
 * opened here.
 */
export async function analyzeSource(src: TensorSource, engine: SpectralEngine, s: RunSettings,
  meta: { name: string; source: string }): Promise<AnalysisResult> {
  const notice = s.notice ?? ((l: string) => process.stderr.write(`genbound: ${l}\n`));
  const { init: _initPath, ...opts } = s; // analyzeModel's init is the opened initial model
  const modelPath = meta.source;
  for (const key of ['quantized', 'unreadQuantized']) {
    const line = src.metadata?.[key];
    if (line) notice(`${modelPath}: ${line}`);
  }
  let adapter;
  try {
    adapter = detectAdapter(src, { heads: s.heads });
  } catch (err) {
    if (!(err instanceof UnsupportedError) || s.init) throw err;
    notice(`${modelPath}: ${GENERIC_NOTE}`);
    const names = rawMatrixNames(src);
    async function* items(): AsyncIterable<GenericItem> {
      for await (const m of rawMatrices(src)) yield { name: m.name, layer: layerOf(m.name), type: 'raw', dense: m.matrix };
    }
    const info = { architecture: 'generic', layers: 0, hidden: 0, heads: 0, headDim: 0, intermediate: 0 };
    const r = await analyzeGeneric(items(), names.length, engine, s, info, [GENERIC_NOTE]);
    return { ...r, model: { ...r.model, ...meta, format: src.format } };
  }
  if (s.init) {
    const initPath = s.init;
    return withSource(await openSource(initPath), async (src0) => {
      const r = await analyzeModel(adapter, engine, { ...opts, init: detectAdapter(src0, { heads: s.heads }), extraSettings: { initCheckpoint: initPath } });
      return { ...r, model: { ...r.model, ...meta, format: src.format } };
    });
  }
  const r = await analyzeModel(adapter, engine, opts);
  return { ...r, model: { ...r.model, ...meta, format: src.format } };
}
