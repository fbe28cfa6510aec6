import { basename, resolve } from 'node:path';
import { openSource } from '../io/open.js';
import type { TensorSource } from '../io/types.js';
import { detectAdapter } from '../models/index.js';
import { defaultModelPath } from '../models/paths.js';
import type { AnalysisResult } from '../types/analysis.js';
import type { AnalysisSettings } from './settings.js';
import type { SpectralEngine } from './engine.js';
import { analyzeGeneric, type GenericItem } from './generic.js';
import { isLoraPath, mergedSource, openLora } from './lora.js';
import { analyzeModel } from './pipeline.js';
import { analyzeOpened } from './source.js';

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
 * mode when no adapter knows the architecture (source.ts, shared with the browser page). `meta`
 * names it in the result; `init` (a path) is opened here.
 */
export async function analyzeSource(src: TensorSource, engine: SpectralEngine, s: RunSettings,
  meta: { name: string; source: string }): Promise<AnalysisResult> {
  const { init: initPath, ...rest } = s;
  const settings = { ...rest, notice: s.notice ?? ((l: string) => process.stderr.write(`genbound: ${l}\n`)) };
  if (initPath === undefined) return analyzeOpened(src, engine, settings, meta);
  return withSource(await openSource(initPath), (src0) => analyzeOpened(src, engine, settings, meta, { source: src0, path: initPath }));
}
