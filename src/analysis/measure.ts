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
  norm11: number;
  /** Shapes of the stored factors (or the dense matrix): the parameter count. */
  shapes: [number, number][];
}

/** Numbers one matrix: spectrum, ranks and norms. `label` names it in errors. */
export async function measureMatrix(engine: SpectralEngine, m: MatrixInput, s: Pick<AnalysisSettings, 'convention' | 'rankTol'>,
  label: string): Promise<MatrixMeasures> {
  let sv: Float64Array, cn: Float64Array, l11: number, rows: number, cols: number;
  let shapes: [number, number][];
  if (m.factors) {
    const [a, b] = m.factors;
    if (s.convention === 'reference') {
      // Every value of a full SVD of the formed product, as the reference code.
      const pn = productNorms(a, b);
      finiteOrThrow(pn.norm11, label);
      cn = pn.columnNorms;
      l11 = pn.norm11;
      sv = await engine.singularValues(denseProduct(a, b, label));
    } else {
      // From the factors: σ from the k×k core, column norms from R_A·B, (1,1) tile by tile.
      ({ singularValues: sv, columnNorms: cn, norm11: l11 } = await engine.measure(a, b));
      finiteOrThrow(l11, label);
    }
    rows = a.rows;
    cols = b.cols;
    shapes = [[a.rows, a.cols], [b.rows, b.cols]];
  } else if (m.dense) {
    // One pass: values checked, column norms, (1,1), and the SVD on the backend's own copy.
    ({ singularValues: sv, columnNorms: cn, norm11: l11 } = await engine.measure(m.dense));
    finiteOrThrow(l11, label);
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

function finiteOrThrow(x: number, label: string): void {
  if (!Number.isFinite(x)) throw new NumericError(`${label}: the matrix contains NaN or Inf`);
}
