import type { Matrix } from '../linalg/types.js';
import type { ModelAdapter, TheoryMatrix } from '../models/types.js';
import type { AnalysisResult, MatrixResult } from '../types/analysis.js';
import { NumericError, ModelError, BadOptionError } from '../errors.js';
import type { SchattenConvention } from '../measures/schatten.js';
import { numericalRank } from '../measures/rank.js';
import { esdFields } from '../measures/esd.js';
import { columnNormsOf, frobeniusFromSpectrum, norm11, norm21FromColumnNorms, nuclearNorm, stableRank } from '../measures/norms.js';
import { denseProduct, productNorms } from '../measures/product.js';
import { buildLayerSummaries, type NormedMatrix } from '../bounds/layer-summary.js';
import { spectrumAdaptiveBound } from '../bounds/spectrum-adaptive.js';
import { edelmanBound } from '../bounds/edelman.js';
import { bartlettBound, type ChainLink } from '../bounds/bartlett.js';
import { frobeniusProductBound } from '../bounds/frobenius.js';
import { parameterCount } from '../bounds/param-count.js';
import { norm11Quantities } from '../bounds/l11.js';
import { concatColumns, concatRows, difference, differenceOfProducts } from './factors.js';
import type { SpectralEngine } from './engine.js';

/**
 * The analysis pipeline: adapter (theory matrices, one layer at a time) -> engine (singular
 * values) -> measures (norms, ranks) -> bounds -> AnalysisResult. Only one layer's tensors are
 * held at a time; per matrix only its spectrum and norms are kept.
 */
export interface AnalyzeOptions {
  lPhi: number;
  rankTol: number;
  /** m of the Schatten grid; default ceil(L + ln N). */
  gridM?: number;
  convention: SchattenConvention;
  /** Put singular values into the result's matrices (--spectra). */
  spectra: boolean;
  /** The initial model: analyse W − W0 (--init). Must have the same shapes. */
  init?: ModelAdapter;
  /** Called after each matrix. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Extra settings to record (e.g. source paths). */
  extraSettings?: Record<string, unknown>;
}

interface Analysed extends NormedMatrix {
  rows: number;
  cols: number;
  sv: Float64Array;
  rank: number;
  nuclear: number;
  stable: number;
  shapes: [number, number][];
  name?: string;
}

export function matrixLabel(m: { layer: number; head: number; type: string }): string {
  return m.head >= 0 ? `layer ${m.layer} head ${m.head} ${m.type}` : `layer ${m.layer} ${m.type}`;
}

function finiteOrThrow(x: number, label: string): void {
  if (!Number.isFinite(x)) throw new NumericError(`${label}: the matrix contains NaN or Inf`);
}

/** Norms and spectrum of one matrix, dense or factored. */
async function analyseMatrix(engine: SpectralEngine, m: TheoryMatrix, opts: AnalyzeOptions, label: string,
  paramShapes?: [number, number][]): Promise<Analysed> {
  let sv: Float64Array;
  let cn: Float64Array;
  let l11: number;
  let shapes: [number, number][];
  if (m.factors) {
    const [a, b] = m.factors;
    const pn = productNorms(a, b);
    finiteOrThrow(pn.norm11, label);
    cn = pn.columnNorms;
    l11 = pn.norm11;
    sv = opts.convention === 'reference'
      ? await engine.singularValues(denseProduct(a, b, label)) // every value of a full SVD, as the reference code
      : await engine.productSingularValues(a, b);
    shapes = [[a.rows, a.cols], [b.rows, b.cols]];
  } else if (m.dense) {
    l11 = norm11(m.dense);
    finiteOrThrow(l11, label);
    cn = columnNormsOf(m.dense);
    sv = await engine.singularValues(m.dense);
    shapes = [[m.dense.rows, m.dense.cols]];
  } else {
    throw new ModelError(`${label}: the adapter gave neither factors nor a dense matrix`);
  }
  return {
    layer: m.layer, head: m.head, type: m.type, rows: m.rows, cols: m.cols, sv,
    rank: numericalRank(sv, m.rows, m.cols, opts.rankTol),
    spectral: sv.length > 0 ? sv[0] : 0,
    frobenius: frobeniusFromSpectrum(sv),
    nuclear: nuclearNorm(sv),
    stable: stableRank(sv),
    norm21: norm21FromColumnNorms(cn),
    norm11: l11,
    shapes: paramShapes ?? shapes,
  };
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
    if (m.dense && m0.dense) return { ...m, layer, dense: difference(m.dense, m0.dense, label), factors: undefined };
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
  const pn = productNorms(a, b);
  const sv = await engine.productSingularValues(a, b);
  return { name, spectral: sv[0] ?? 0, norm21: norm21FromColumnNorms(pn.columnNorms), frobenius: pn.frobenius, rho: 1 };
}

function validate(opts: AnalyzeOptions): void {
  if (!(opts.lPhi > 0) || !Number.isFinite(opts.lPhi)) throw new BadOptionError(`--lphi must be a positive number (got ${opts.lPhi})`);
  if (!(opts.rankTol >= 0) || !Number.isFinite(opts.rankTol)) throw new BadOptionError(`--rank-tol must be a non-negative number (got ${opts.rankTol})`);
  if (opts.gridM !== undefined && (!Number.isInteger(opts.gridM) || opts.gridM < 1)) {
    throw new BadOptionError(`--grid-m must be a positive integer (got ${opts.gridM})`);
  }
  if (opts.convention !== 'consistent' && opts.convention !== 'reference') {
    throw new BadOptionError(`--convention must be consistent or reference (got ${String(opts.convention)})`);
  }
}

/** Runs the whole analysis of one model. */
export async function analyzeModel(adapter: ModelAdapter, engine: SpectralEngine, opts: AnalyzeOptions): Promise<AnalysisResult> {
  validate(opts);
  const info = adapter.info;
  const L = info.layers;
  const N = info.hidden;
  if (!(L >= 1) || !(N >= 1)) throw new ModelError(`model reports ${L} layers of width ${N}`);
  if (opts.init) {
    const i0 = opts.init.info;
    if (i0.layers !== L || i0.hidden !== N) {
      throw new ModelError(`--init: the initial model has ${i0.layers} layers of width ${i0.hidden}, the model ${L} of ${N}`);
    }
  }
  const total = L * (2 * info.heads + 2);
  let done = 0;
  const analysed: Analysed[] = [];
  const chain: ChainLink[] = [];
  for (let l = 0; l < L; l++) {
    let ms = await adapter.layerMatrices(l);
    const shapes = ms.map(storedShapes);
    if (opts.init) ms = subtractInit(ms, await opts.init.layerMatrices(l), l);
    chain.push(await valueLink(engine, ms, l));
    const results = await Promise.all(ms.map(async (m, i) => {
      const label = matrixLabel(m);
      const r = await analyseMatrix(engine, m, opts, label, shapes[i]);
      done++;
      opts.onProgress?.(done, total, label);
      return r;
    }));
    for (const type of ['M_in', 'M_out'] as const) {
      const r = results.find((x) => x.type === type);
      if (!r) throw new ModelError(`layer ${l} has no ${type} matrix`);
      chain.push({ name: `layer ${l} ${type}`, spectral: r.spectral, norm21: r.norm21, frobenius: r.frobenius, rho: type === 'M_in' ? opts.lPhi : 1 });
    }
    analysed.push(...results);
  }
  return assemble(adapter, engine, opts, analysed, chain);
}

function assemble(adapter: ModelAdapter, engine: SpectralEngine, opts: AnalyzeOptions, analysed: Analysed[], chain: ChainLink[]): AnalysisResult {
  const info = adapter.info;
  const L = info.layers;
  const N = info.hidden;
  const layers = buildLayerSummaries(analysed, L);
  const sa = spectrumAdaptiveBound(analysed.map((a) => ({ ...a, singularValues: a.sv })), layers,
    { lPhi: opts.lPhi, gridM: opts.gridM, convention: opts.convention, hidden: N });
  const ed = edelmanBound(layers, opts.lPhi);
  const bft = bartlettBound(chain);
  const fro = frobeniusProductBound(chain);
  const q11 = norm11Quantities(layers, opts.lPhi);
  const params = parameterCount(analysed.map((a) => ({ shapes: a.shapes })));
  const matrices: MatrixResult[] = analysed.map((a, i) => {
    const t = sa.terms[i];
    const r: MatrixResult = {
      layer: a.layer, head: a.head, type: a.type, rows: a.rows, cols: a.cols, rank: a.rank,
      spectralNorm: a.spectral, frobeniusNorm: a.frobenius, nuclearNorm: a.nuclear, norm21: a.norm21, norm11: a.norm11,
      stableRank: a.stable, alpha: t.alpha, gamma: t.gamma, pOpt: t.pOpt, contribution: t.contribution,
      tCurve: { p: t.curve.p, t: t.curve.t }, ...esdFields(a.sv, opts.rankTol),
    };
    if (opts.spectra) r.singularValues = Array.from(a.sv);
    return r;
  });
  const ln10 = Math.LN10;
  const bounds: Record<string, number> = {
    spectrumAdaptive: sa.value, edelman: ed.value, bartlett: bft.value, frobeniusProduct: fro.value,
    paramCount: params, norm11Sum: q11.sum, norm11Product: q11.product,
  };
  const boundsLog10: Record<string, number> = {
    spectrumAdaptive: sa.log / ln10, edelman: ed.log / ln10, bartlett: bft.log / ln10, frobeniusProduct: fro.log / ln10,
    paramCount: Math.log10(params), norm11Sum: Math.log10(q11.sum), norm11Product: q11.logProduct / ln10,
  };
  const notes = [
    ...adapter.notes,
    'Biases, LayerNorm gains, the 1/sqrt(d_head) logit scale, embeddings and pooler are left out of every proxy, as in the reference.',
    'Bartlett-Foster-Telgarsky and the Frobenius product run over the chain V_l = sum_h V_tilde_h (rho 1), M_in (rho L_phi), M_out (rho 1) per layer; the attention pattern is treated as fixed.',
    'norm11Product is the alpha-type layer product with every spectral norm replaced by its (1,1)-norm upper bound.',
  ];
  if (opts.convention === 'reference') {
    notes.push('Convention "reference": S(p) sums every value of a full dense SVD, numerical zeros included, so small-p terms depend on the SVD routine\'s rounding noise (a rank-64 768x768 head gains about 0.14 per zero at p = 1/19).');
  }
  if (opts.init) notes.push('Every matrix is the update W - W0 from the initial checkpoint (--init); head products as [A, -A0]·[B; B0].');
  return {
    model: { ...info },
    settings: {
      lPhi: opts.lPhi, rankTol: opts.rankTol, gridM: sa.gridM, convention: opts.convention, backend: engine.backend,
      grid: sa.terms[0]?.curve.p ?? [], init: opts.init ? true : false, ...opts.extraSettings,
    },
    matrices,
    bounds,
    boundsLog10,
    notes,
  };
}
