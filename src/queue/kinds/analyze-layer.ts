import { createEngine } from '../../analysis/engine.js';
import { analyzeLayer } from '../../analysis/pipeline.js';
import type { LayerResult } from '../../analysis/merge.js';
import { resolveSettings } from '../../analysis/settings.js';
import { BadOptionError } from '../../errors.js';
import { openSource } from '../../io/open.js';
import type { TensorSource } from '../../io/types.js';
import { detectAdapter } from '../../models/index.js';
import { defaultModelPath } from '../../models/paths.js';
import type { UnitHandler } from '../units.js';

export interface AnalyzeLayerPayload {
  /** The model as workers name it (absolute path or hub id); null = the embedded default. */
  model: string | null;
  /** The initial model for --init (absolute path or hub id). */
  init: string | null;
  heads: number | null;
  layer: number;
  /** headL11: the head products' (1,1)-norms, as the submitter asked (part of the job key). */
  settings: { lPhi: number; rankTol: number; convention: 'consistent' | 'reference'; headL11: boolean };
}

export interface AnalyzeLayerResult {
  /** The engine that numbered the layer (the settings block records it). */
  backend: string;
  result: LayerResult;
}

function checkPayload(p: unknown): AnalyzeLayerPayload {
  const o = p as Partial<AnalyzeLayerPayload> | null;
  if (!o || typeof o !== 'object' || !(o.model === null || typeof o.model === 'string') || !(o.init === null || typeof o.init === 'string')
    || !Number.isInteger(o.layer) || (o.layer as number) < 0 || !o.settings || typeof o.settings.headL11 !== 'boolean') {
    throw new BadOptionError('analyze-layer job: malformed payload');
  }
  resolveSettings(o.settings, 'api');
  if (o.heads !== null) resolveSettings({ heads: o.heads }, 'api');
  return o as AnalyzeLayerPayload;
}

async function closing<T>(sources: (TensorSource | undefined)[], f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    for (const s of sources) await s?.close();
  }
}

/**
 * analyze's unit: one layer of one checkpoint. The worker opens the checkpoint (headers only:
 * tensors are read lazily) and reads just this layer's tensors, so its peak memory is one layer's.
 */
export const analyzeLayerUnit: UnitHandler = {
  kind: 'analyze-layer',
  async run(payload): Promise<AnalyzeLayerResult> {
    const p = checkPayload(payload);
    const src = await openSource(p.model ?? defaultModelPath());
    const src0 = p.init ? await openSource(p.init).catch(async (e: unknown) => {
      await src.close();
      throw e;
    }) : undefined;
    return closing([src, src0], async () => {
      const opt = p.heads === null ? {} : { heads: p.heads };
      const adapter = detectAdapter(src, opt);
      if (p.layer >= adapter.info.layers) throw new BadOptionError(`analyze-layer job: layer ${p.layer} of a ${adapter.info.layers}-layer model`);
      const init = src0 ? detectAdapter(src0, opt) : undefined;
      const engine = createEngine(1);
      try {
        return { backend: engine.backend, result: await analyzeLayer(adapter, engine, p.layer, p.settings, init) };
      } finally {
        await engine.close();
      }
    });
  },
};
