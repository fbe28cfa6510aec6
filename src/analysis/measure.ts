import type { Matrix } from '../linalg/types.js';
import { ModelError, NumericError } from '../errors.js';
import { numericalRank } from '../measures/rank.js';
import { frobeniusFromSpectrum, norm21FromColumnNorms, nuclearNorm, stableRank } from '../measures/norms.js';
import { denseProduct, productNorms } from '../measures/product.js';
import type { AnalysisSettings } from './settings.js';
import type { SpectralEngine } from './engine.js';

/**
 * The one per-matrix measurement of genbound: every adapter path (theory matrices, --init updates,
 * merged LoRA) and the generic mode (raw 2-D weights, LoRA updates alone) go through it.
 *
 * Error policy, the same everywhere: a matrix given neither as factors nor dense is a ModelError;
 * NaN or Inf in it is a NumericError naming it (the backend's check, before any SVD runs, names
 * the factor, row and column); a failing SVD is the engine's NumericError.
 */
export interface MatrixInput {
  /** A·B, analysed without forming it where the convention allows. */
  factors?: readonly [Matrix, Matrix];
  dense?: Matrix;
  /** The dense matrix's transpose (TheoryMatrix.denseT); used instead of `dense` when given. */
  denseT?: Matrix;
}

export interface MatrixMeasures {
  rows: number;
  cols: number;
  /** Descending singular values. */
  sv: Float64Array;
  rank: number;
  spectral: number;
  frobenius: number;
  nuclear: number;
  stable: number;
  norm21: number;
  /**
   * Σ|wᵢⱼ|. Null for a factored product measured without `headL11` (it needs every entry of the
   * product: as many multiply-adds as forming it). Dense matrices always have it (free in their pass).
   */
  norm11: number | null;
  /** Shapes of the stored factors (or the dense matrix): the parameter count. */
  shapes: [number, number][];
}

/**
 * Numbers one matrix: spectrum, ranks and norms. `label` names it in errors. `headL11`: also the
 * (1,1)-norm of a factored product (dense matrices always get theirs).
 */
export async function measureMatrix(engine: SpectralEngine, m: MatrixInput,
  s: Pick<AnalysisSettings, 'convention' | 'rankTol'> & Partial<Pick<AnalysisSettings, 'headL11'>>, label: string): Promise<MatrixMeasures> {
  let sv: Float64Array, cn: Float64Array, l11: number | null, rows: number, cols: number;
  let shapes: [number, number][];
  if (m.factors) {
    const [a, b] = m.factors;
    if (s.convention === 'reference') {
      // Every value of a full SVD of the formed product, as the reference code.
      const pn = productNorms(a, b);
      finiteOrThrow(pn.norm11, label);
      cn = pn.columnNorms;
      l11 = s.headL11 === true ? pn.norm11 : null; // reported under the same setting as on the factored path
      sv = await engine.singularValues(denseProduct(a, b, label));
    } else {
      // From the factors: σ from the k×k core, column norms from R_A·B, (1,1) tile by tile if asked.
      ({ singularValues: sv, columnNorms: cn, norm11: l11 } = await engine.measure(a, b, 'all', s.headL11 === true));
      l11 = s.headL11 === true ? finiteOrThrow(l11, label) : null;
    }
    rows = a.rows;
    cols = b.cols;
    shapes = [[a.rows, a.cols], [b.rows, b.cols]];
  } else if (m.denseT) {
    // Wᵀ as stored: the same σ, (1,1) and Frobenius norm; W's column norms are Wᵀ's row norms,
    // summed here while the engine works (in the order the column sums of W would be: same bits).
    const t = m.denseT;
    const pending = engine.measure(t);
    const rowNorms = rowNormsF32(t, label);
    ({ singularValues: sv, norm11: l11 } = await pending);
    cn = rowNorms;
    l11 = finiteOrThrow(l11, label);
    rows = t.cols;
    cols = t.rows;
    shapes = [[rows, cols]];
  } else if (m.dense) {
    // One pass: values checked, column norms, (1,1), and the SVD on the backend's own copy.
    ({ singularValues: sv, columnNorms: cn, norm11: l11 } = await engine.measure(m.dense));
    l11 = finiteOrThrow(l11, label);
    rows = m.dense.rows;
    cols = m.dense.cols;
    shapes = [[rows, cols]];
  } else {
    throw new ModelError(`${label}: neither factors nor a dense matrix were given`);
  }
  return {
    rows, cols, sv,
    rank: numericalRank(sv, rows, cols, s.rankTol),
    spectral: sv.length > 0 ? sv[0] : 0,
    frobenius: frobeniusFromSpectrum(sv),
    nuclear: nuclearNorm(sv),
    stable: stableRank(sv),
    norm21: norm21FromColumnNorms(cn),
    norm11: l11,
    shapes,
  };
}

/**
 * Row norms of a float32 matrix (squares of float32 values cannot overflow a double). Four rows at
 * a time: each row's sum is still one chain in column order (the same bits), but four independent
 * chains hide the add latency (3072×768: 3.2 → 2.0 ms).
 */
function rowNormsF32(t: Matrix, label: string): Float64Array {
  const d = t.data;
  if (!(d instanceof Float32Array)) throw new ModelError(`${label}: a stored transpose must be float32`);
  const rows = t.rows, cols = t.cols;
  const out = new Float64Array(rows);
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < cols; j++) {
      const a = d[o0 + j], b = d[o1 + j], c = d[o2 + j], e = d[o3 + j];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += e * e;
    }
    out[i] = Math.sqrt(s0);
    out[i + 1] = Math.sqrt(s1);
    out[i + 2] = Math.sqrt(s2);
    out[i + 3] = Math.sqrt(s3);
  }
  for (; i < rows; i++) {
    let s = 0;
    for (let j = i * cols, e = j + cols; j < e; j++) s += d[j] * d[j];
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** x, checked finite (a measurement asked for its (1,1)-norm must have it: null there is the engine's fault). */
function finiteOrThrow(x: number | null, label: string): number {
  if (x === null) throw new NumericError(`${label}: the engine gave no (1,1)-norm`);
  if (!Number.isFinite(x)) throw new NumericError(`${label}: the matrix contains NaN or Inf`);
  return x;
}
