/**
 * genbound's public API (the package's main export; docs/api.md). Settings are validated here,
 * at the edge, by the same validator as the CLI's flags (src/analysis/settings.ts).
 */
import { basename, resolve } from 'node:path';
import { createEngine } from './analysis/engine.js';
import { analyzePath, analyzeSource, type RunHooks } from './analysis/run.js';
import { growthView } from './analysis/compare.js';
import { resolveSettings } from './analysis/settings.js';
import { openSource, type OpenOptions } from './io/open.js';
import type { TensorSource } from './io/types.js';
import type { AnalysisSettings } from './types/settings.js';
import type { AnalysisResult, CompareResult } from './types/analysis.js';
import { BadOptionError } from './errors.js';

export type { AnalysisSettings } from './types/settings.js';
export type { AnalysisResult, CompareResult, MatrixResult, ResultSettings, GrowthRow, GrowthSlope } from './types/analysis.js';
export type { TensorSource, Tensor, TensorInfo } from './io/types.js';
export type { ModelInfo } from './models/types.js';
export type { Matrix } from './linalg/types.js';
export type { OpenOptions } from './io/open.js';
export { DEFAULT_SETTINGS, resolveSettings } from './analysis/settings.js';
export { GenboundError, BadFileError, BadOptionError, UnsupportedError, NumericError, ModelError, NetworkError, ShapeError } from './errors.js';
export { toJson } from './report/json.js';

/** Settings of analyze() and compare(): any AnalysisSettings (defaults fill the rest) and callbacks. */
export type AnalyzeSettings = Partial<AnalysisSettings> & RunHooks;

/** A path (file, folder or Hugging Face hub id), an opened checkpoint, or undefined for the embedded default model. */
export type ModelSource = string | TensorSource | undefined;

/**
 * Analyses one model: every per-matrix quantity and every bound (the JSON contract,
 * src/types/analysis.ts). An opened TensorSource is left open for the caller to close.
 */
export async function analyze(source?: ModelSource, settings: AnalyzeSettings = {}): Promise<AnalysisResult> {
  const { onProgress, notice, ...rest } = settings;
  const s = resolveSettings(rest, 'api');
  const engine = createEngine(s.workers);
  try {
    const { workers: _w, ...run } = s;
    if (typeof source === 'object') {
      if (s.mergeInto) throw new BadOptionError('mergeInto needs the LoRA adapter as a path');
      return await analyzeSource(source, engine, { ...run, onProgress, notice }, { name: basename(source.path), source: source.path });
    }
    return await analyzePath(source, engine, { ...run, onProgress, notice });
  } finally {
    await engine.close();
  }
}

/**
 * Analyses a family of models one after the other and tabulates how each bound grows with depth
 * and width (the paper's growth view). Names default to the paths' base names.
 */
export async function compare(sources: readonly string[], settings: AnalyzeSettings = {}, names?: readonly string[]): Promise<CompareResult> {
  if (sources.length === 0) throw new BadOptionError('compare needs at least one model');
  if (names && names.length !== sources.length) throw new BadOptionError(`compare: ${names.length} names for ${sources.length} models`);
  if (settings.init || settings.mergeInto) throw new BadOptionError('compare does not take init or mergeInto (analyze each model)');
  const results: AnalysisResult[] = [];
  for (const src of sources) results.push(await analyze(src, settings));
  return growthView(names ?? sources.map((p) => basename(resolve(p))), results);
}

/** Opens a checkpoint (safetensors, sharded, ONNX, GGUF, tfjs, PyTorch .bin/.pt, or a hub id) behind the one gate. */
export function openCheckpoint(pathOrId: string, opts: OpenOptions = {}): Promise<TensorSource> {
  return openSource(pathOrId, opts);
}

export { analyzeLayer, analyzeModel, matrixCount } from './analysis/pipeline.js';
export { mergeLayers, type LayerResult, type MeasuredMatrix, type MergeContext } from './analysis/merge.js';
export { measureMatrix, type MatrixInput, type MatrixMeasures } from './analysis/measure.js';
export { createEngine, type SpectralEngine } from './analysis/engine.js';
export { detectAdapter } from './models/index.js';
export type { ModelAdapter, TheoryMatrix } from './models/types.js';
export { growthView } from './analysis/compare.js';
export * from './bounds/index.js';

export type { ExperimentRun } from './lab/experiments/index.js';
export type { ExperimentOutput, Progress, Row } from './lab/experiments/runner.js';

/**
 * Runs a lab experiment by name (`genbound lab list`; docs/lab.md) into `out`, checkpointed and
 * resumable. The lab (and src/nn) is loaded on first call only.
 */
export async function runExperiment(name: string, opts: { out: string; config?: Record<string, unknown>; quick?: boolean;
  progress?: import('./lab/experiments/runner.js').Progress }): Promise<import('./lab/experiments/index.js').ExperimentRun> {
  const lab = await import('./lab/experiments/index.js');
  return lab.runExperiment(name, opts);
}

/** The lab's experiment names and one-line descriptions. */
export async function listExperiments(): Promise<{ name: string; description: string }[]> {
  const lab = await import('./lab/experiments/index.js');
  return lab.EXPERIMENTS.map((e) => ({ name: e.name, description: e.description }));
}
