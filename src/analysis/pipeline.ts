import type { Matrix } from '../linalg/types.js';
import type { ModelAdapter, TheoryMatrix } from '../models/types.js';
import type { AnalysisResult } from '../types/analysis.js';
import { ModelError } from '../errors.js';
import { norm21FromColumnNorms } from '../measures/norms.js';
import type { ChainLink } from '../bounds/bartlett.js';
import { concatColumns, concatRows, difference, differenceOfProducts } from './factors.js';
import type { SpectralEngine } from './engine.js';
import { measureMatrix } from './measure.js';
import { checkSettings, type AnalysisSettings } from './settings.js';
import { mergeLayers, type LayerResult, type MeasuredMatrix } from './merge.js';

/**
 * The analysis pipeline: adapter (theory matrices, one layer at a time) -> measureMatrix (engine
 * singular values, norms, ranks) -> per-layer results -> mergeLayers (bounds) -> AnalysisResult.
 * Only one layer's tensors are held at a time; per matrix only its spectrum and norms are kept.
 *
 * A layer is the unit of work: analyzeLayer() numbers one layer of one checkpoint on its own and
 * returns a plain, JSON-serialisable LayerResult; mergeLayers() (merge.ts) is pure and gives the
 * same AnalysisResult from the layers in any order as analyzeModel() does in one run.
 */
export type PipelineSettings = Pick<AnalysisSettings, 'lPhi' | 'rankTol' | 'gridM' | 'convention' | 'spectra'> &
  Partial<Pick<AnalysisSettings, 'headL11'>>;

export interface AnalyzeOptions extends PipelineSettings {
  /** The initial model: analyse W − W0 (--init). Must have the same shapes. */
  init?: ModelAdapter;
  /** Called after each matrix. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Extra settings to record (e.g. source paths). */
  extraSettings?: Record<string, unknown>;
}

const PIPELINE_KEYS = ['lPhi', 'rankTol', 'gridM', 'convention', 'spectra', 'headL11'] as const;

export function matrixLabel(m: { layer: number; head: number; type: string }): string {
  return m.head >= 0 ? `layer ${m.layer} head ${m.head} ${m.type}` : `layer ${m.layer} ${m.type}`;
}

/** Shapes of the stored weights behind a theory matrix (factors or dense), for the parameter count. */
function storedShapes(m: TheoryMatrix): [number, number][] {
  if (m.factors) return m.factors.map((f) => [f.rows, f.cols] as [number, number]);
  return [[m.rows, m.cols]];
}

/** W − W0 for every matrix of a layer, matched by (type, head); factored products stay factored. */
function subtractInit(ms: TheoryMatrix[], m0s: TheoryMatrix[], layer: number): TheoryMatrix[] {
  return ms.map((m) => {
    const m0 = m0s.find((x) => x.type === m.type && x.head === m.head);
    const label = matrixLabel(m);
    if (!m0) throw new ModelError(`--init: the initial model has no ${label}`);
    if (m0.rows !== m.rows || m0.cols !== m.cols) {
      throw new ModelError(`--init: ${label} is ${m.rows}x${m.cols} but ${m0.rows}x${m0.cols} in the initial model`);
    }
    if (m.factors && m0.factors) {
      return { ...m, layer, factors: differenceOfProducts(m.factors[0], m.factors[1], m0.factors[0], m0.factors[1]), dense: undefined };
    }
    if (m.dense && m0.dense) return { ...m, layer, dense: difference(m.dense, m0.dense, label), denseT: undefined, factors: undefined };
    throw new ModelError(`--init: ${label} is stored differently in the initial model`);
  });
}

/** The layer's value-output map V_l = sum_h V_tilde_h = [A_1..A_H]·[B_1;..;B_H] (bartlett.ts chain). */
async function valueLink(engine: SpectralEngine, ms: TheoryMatrix[], layer: number): Promise<ChainLink> {
  const heads = ms.filter((m) => m.type === 'V_tilde' && m.factors).sort((x, y) => x.head - y.head);
  const name = `layer ${layer} V (sum of heads)`;
  if (heads.length === 0) throw new ModelError(`layer ${layer}: no factored V_tilde heads for the value map`);
  const a = concatColumns(heads.map((m) => (m.factors as readonly [Matrix, Matrix])[0]), name);
  const b = concatRows(heads.map((m) => (m.factors as readonly [Matrix, Matrix])[1]), name);
  // The chain needs σ₁ only (Lanczos, no full SVD), the column norms and the Frobenius norm.
  const r = await engine.measure(a, b, 'top');
  return { name, spectral: r.singularValues[0] ?? 0, norm21: norm21FromColumnNorms(r.columnNorms), frobenius: r.frobenius, rho: 1 };
}

/** Number of matrices analyzeModel reports progress over (QK and V_tilde per head, M_in, M_out per layer). */
export function matrixCount(info: { layers: number; heads: number }): number {
  return info.layers * (2 * info.heads + 2);
}

/**
 * One layer of one checkpoint: its theory matrices measured, and its three links of the
 * Bartlett chain (V sum of heads, M_in with rho L_phi, M_out). `onMatrix` is called after each
 * matrix. `init` analyses W − W0. `onDispatched` is called once every request of the layer has
 * been handed to the engine (analyzeModel then starts reading the next layer).
 *
 * Every request is handed to the engine at once (the value map, M_in and M_out, then the heads),
 * so that a pool's workers start on the long SVDs while the small calls fill the gaps, and no
 * worker waits for the value map; results keep the adapter's order. When several fail, the error
 * reported is the value map's, else the first failing matrix in the adapter's order, whatever order
 * they finished in.
 */
export async function analyzeLayer(adapter: ModelAdapter, engine: SpectralEngine, layer: number,
  s: Pick<AnalysisSettings, 'lPhi' | 'rankTol' | 'convention'> & Partial<Pick<AnalysisSettings, 'headL11'>>, init?: ModelAdapter, onMatrix?: (label: string) => void,
  onDispatched?: () => void): Promise<LayerResult> {
  let ms = await adapter.layerMatrices(layer);
  const shapes = ms.map(storedShapes);
  if (init) ms = subtractInit(ms, await init.layerMatrices(layer), layer);
  const measureOne = async (m: TheoryMatrix, i: number): Promise<MeasuredMatrix> => {
    const label = matrixLabel(m);
    const r = await measureMatrix(engine, m, s, label);
    if (r.rows !== m.rows || r.cols !== m.cols) throw new ModelError(`${label}: the adapter says ${m.rows}x${m.cols} but gave ${r.rows}x${r.cols}`);
    onMatrix?.(label);
    const { sv, shapes: _measured, ...norms } = r;
    return { layer: m.layer, head: m.head, type: m.type, ...norms, singularValues: Array.from(sv), shapes: shapes[i] };
  };
  const pending: Promise<MeasuredMatrix>[] = new Array<Promise<MeasuredMatrix>>(ms.length);
  const start = (i: number) => {
    pending[i] = measureOne(ms[i], i);
  };
  // The value map first: it is hidden × hidden, the size by which createEngine('auto') decides
  // between the pool and in-process (AUTO_POOL_MIN_DIM); then the long SVDs, then the heads.
  const vLink = valueLink(engine, ms, layer);
  ms.forEach((m, i) => !m.factors && (m.denseT ?? m.dense) && start(i));
  ms.forEach((m, i) => pending[i] === undefined && start(i));
  onDispatched?.();
  const [v, ...settled] = await Promise.allSettled([vLink, ...pending]);
  if (v.status === 'rejected') throw v.reason;
  const failed = settled.find((x) => x.status === 'rejected');
  if (failed) throw failed.reason;
  const matrices = settled.map((x) => (x as PromiseFulfilledResult<MeasuredMatrix>).value);
  const chain: ChainLink[] = [v.value];
  for (const type of ['M_in', 'M_out'] as const) {
    const r = matrices.find((x) => x.type === type);
    if (!r) throw new ModelError(`layer ${layer} has no ${type} matrix`);
    chain.push({ name: `layer ${layer} ${type}`, spectral: r.spectral, norm21: r.norm21, frobenius: r.frobenius, rho: type === 'M_in' ? s.lPhi : 1 });
  }
  return { layer, matrices, chain };
}

/**
 * Layers analysed at a time by analyzeModel: 2 (the next layer is read, and its long SVDs queued,
 * while the workers finish this one, so no worker waits at a layer's end) unless a layer holds
 * more than LAYER_OVERLAP_MAX weights, where holding two would double the memory (a 7B layer).
 */
export const LAYER_OVERLAP_MAX = 64 * 1024 * 1024;

function layerWindow(info: { hidden: number; intermediate?: number }): number {
  const n = info.hidden, f = info.intermediate || 4 * n;
  return 4 * n * n + 3 * n * f <= LAYER_OVERLAP_MAX ? 2 : 1;
}

/** Checks that two models can be subtracted (--init). */
function checkInit(adapter: ModelAdapter, init: ModelAdapter): void {
  const { layers: L, hidden: N } = adapter.info;
  const i0 = init.info;
  if (i0.layers !== L || i0.hidden !== N) {
    throw new ModelError(`--init: the initial model has ${i0.layers} layers of width ${i0.hidden}, the model ${L} of ${N}`);
  }
}

/** Runs the whole analysis of one model: analyzeLayer for each layer, then mergeLayers. */
export async function analyzeModel(adapter: ModelAdapter, engine: SpectralEngine, opts: AnalyzeOptions): Promise<AnalysisResult> {
  checkSettings(opts, PIPELINE_KEYS);
  const info = adapter.info;
  if (!(info.layers >= 1) || !(info.hidden >= 1)) throw new ModelError(`model reports ${info.layers} layers of width ${info.hidden}`);
  if (opts.init) checkInit(adapter, opts.init);
  const total = matrixCount(info);
  let done = 0;
  const window = layerWindow(info);
  const running: Promise<LayerResult>[] = [];
  for (let l = 0; l < info.layers; l++) {
    if (l >= window) await running[l - window];
    let dispatched: () => void = () => undefined;
    const ready = new Promise<void>((r) => (dispatched = r));
    const p = analyzeLayer(adapter, engine, l, opts, opts.init, (label) => opts.onProgress?.(++done, total, label), dispatched);
    p.catch(() => undefined); // awaited below; a failure while an earlier layer is awaited is not unhandled
    running.push(p);
    await Promise.race([ready, p]);
  }
  const layers = await Promise.all(running);
  return mergeLayers({ info, notes: adapter.notes, backend: engine.backend, init: opts.init !== undefined, extraSettings: opts.extraSettings }, opts, layers);
}
