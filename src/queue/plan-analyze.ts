import { basename, resolve } from 'node:path';
import { isLoraPath } from '../analysis/lora.js';
import { mergeLayers } from '../analysis/merge.js';
import { UnsupportedError } from '../errors.js';
import { openSource } from '../io/open.js';
import { detectAdapter } from '../models/index.js';
import { defaultModelPath } from '../models/paths.js';
import type { AnalysisResult } from '../types/analysis.js';
import { contentKey, type DigestMemo } from './content-key.js';
import type { AnalyzeLayerPayload, AnalyzeLayerResult } from './kinds/analyze-layer.js';
import type { WireRunSettings } from './kinds/analyze-model.js';
import { modelReference, modelUnits } from './plan.js';
import type { Unit } from './units.js';

/** The units of one `analyze --queue` and the pure merge of their results. */
export interface AnalyzePlan {
  units: Unit[];
  /** Results in unit order -> the AnalysisResult a single-process run gives. */
  merge(results: readonly unknown[]): AnalysisResult;
  /** What one unit is, for the progress bar. */
  what: string;
}

/**
 * Plans `analyze --queue`: one job per layer of the checkpoint (the submitter reads only the
 * checkpoint's headers, to learn its depth). A LoRA adapter and a model in generic mode go as one
 * whole-model job. The merge is mergeLayers (src/analysis/merge.ts), the same function a
 * single-process run ends with.
 */
export async function planAnalyze(model: string | undefined, s: WireRunSettings, memo?: DigestMemo,
  notice: (line: string) => void = (l) => process.stderr.write(`genbound: ${l}\n`)): Promise<AnalyzePlan> {
  const modelPath = model ?? defaultModelPath();
  const meta = { name: model === undefined ? 'Universal Sentence Encoder lite (embedded default)' : basename(resolve(modelPath)), source: modelPath };
  const whole = async (): Promise<AnalyzePlan> => {
    const units = await modelUnits([model], [meta.name], s, memo);
    return { units, what: 'model', merge: ([r]) => ({ ...(r as AnalysisResult), model: { ...(r as AnalysisResult).model, source: modelPath } }) };
  };
  if (await isLoraPath(modelPath)) return whole();
  const src = await openSource(modelPath);
  let adapter;
  try {
    for (const key of ['quantized', 'unreadQuantized']) {
      const line = src.metadata?.[key];
      if (line) notice(`${modelPath}: ${line}`);
    }
    try {
      adapter = detectAdapter(src, { heads: s.heads });
    } catch (err) {
      if (!(err instanceof UnsupportedError) || s.init) throw err;
      return whole();
    }
  } finally {
    await src.close();
  }
  const { info, notes } = adapter;
  const format = src.format;
  const ref = await modelReference(model, memo);
  const init = s.init === undefined ? undefined : await modelReference(s.init, memo);
  const settings = { lPhi: s.lPhi, rankTol: s.rankTol, convention: s.convention, headL11: s.headL11 };
  const units: Unit[] = [];
  for (let layer = 0; layer < info.layers; layer++) {
    const payload: AnalyzeLayerPayload = { model: ref.ref, init: init?.ref ?? null, heads: s.heads ?? null, layer, settings };
    const key = contentKey('analyze-layer', { model: ref.digest, init: init?.digest ?? null, heads: s.heads ?? null, settings, unit: { layer } });
    units.push({ kind: 'analyze-layer', key, label: `${meta.name} layer ${layer}`, payload });
  }
  return {
    units,
    what: 'layers',
    merge(results) {
      const rs = results as AnalyzeLayerResult[];
      const backend = [...new Set(rs.map((r) => r.backend))].join(', ');
      const r = mergeLayers({ info, notes, backend, init: s.init !== undefined, extraSettings: s.init ? { initCheckpoint: s.init } : undefined }, s,
        rs.map((x) => x.result));
      return { ...r, model: { ...r.model, ...meta, format } };
    },
  };
}

