import { NumericError } from '../errors.js';
import type { NativeAddon } from './native-addon.js';
import type { FloatArray, LinalgBackend, Matrix, MatrixMeasures, NnKernels, SpectrumWanted } from './types.js';
import { spectralNormVia, type GramOperator } from './lanczos.js';
import { noteFormedProduct } from './formed.js';
import { checkProductShapes, checkShape, float64View, label, nonFinite, toFloat64Copy } from './validate.js';

/** Aspect ratio from which spectralNorm forms the small Gram matrix first (see spectralNorm). */
const GRAM_FIRST_RATIO = 2;

/**
 * The LAPACK backend: OpenBLAS's dgesdd (divide and conquer, JOBZ='N': singular values only,
 * bidiagonal dqds inside) on a float64 copy; the product path is one addon call (productSvals).
 */
export class NativeBackend implements LinalgBackend {
  readonly name = 'native' as const;
  private readonly nn: NnKernels | null;
  constructor(private readonly addon: NativeAddon) {
    this.nn = typeof addon.attnForward === 'function' && typeof addon.vecAdd === 'function' ? (addon as NnKernels) : null;
  }

  /** OpenBLAS sgemm/dgemm (row-major views at the offsets). */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, aOff: number, lda: number, b: FloatArray, bOff: number, ldb: number,
    beta: number, c: FloatArray, cOff: number, ldc: number): void {
    if (m === 0 || n === 0) return;
    if (c instanceof Float32Array) {
      this.addon.sgemm(transA, transB, m, n, k, alpha, view32(a, aOff), lda, view32(b, bOff), ldb, beta, c.subarray(cOff), ldc);
    } else {
      this.addon.dgemm(transA, transB, m, n, k, alpha, view64(a, aOff), lda, view64(b, bOff), ldb, beta, c.subarray(cOff), ldc);
    }
  }

  /** float32: one addon call (sgemmBatched); float64: one dgemm per product. */
  gemmBatched(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, aOff: number, lda: number, strideA: number, b: FloatArray, bOff: number, ldb: number, strideB: number,
    beta: number, c: FloatArray, cOff: number, ldc: number, strideC: number, batch: number): void {
    if (c instanceof Float32Array) {
      this.addon.sgemmBatched(transA, transB, m, n, k, alpha, view32(a, aOff), lda, strideA,
        view32(b, bOff), ldb, strideB, beta, c.subarray(cOff), ldc, strideC, batch);
      return;
    }
    for (let i = 0; i < batch; i++) {
      this.gemm(transA, transB, m, n, k, alpha, a, aOff + i * strideA, lda, b, bOff + i * strideB, ldb, beta, c, cOff + i * strideC, ldc);
    }
  }

  nnKernels(): NnKernels | null {
    return this.nn;
  }

  /**
   * One addon call on the caller's array (float32 or float64): the float64 copy LAPACK overwrites
   * is made in C, laid out tall so that dgesdd takes its QR-first path, with the padded stride.
   */
  singularValues(a: Matrix): Float64Array {
    checkShape(a);
    const sv = new Float64Array(Math.min(a.rows, a.cols));
    this.dense(a, sv, null);
    return sv;
  }

  /** addon.denseMeasures with the errors named after `a`; returns [Σ|aᵢⱼ|, ‖A‖_F]. */
  private dense(a: Matrix, sv: Float64Array | null, cn: Float64Array | null): [number, number] {
    const stats = new Float64Array(3);
    try {
      this.addon.denseMeasures(a.rows, a.cols, a.data, sv, cn, stats);
    } catch (err) {
      throw new NumericError(`${label(a)}: ${(err as Error).message}`);
    }
    if (stats[2] >= 0) throw nonFinite(a, stats[2]);
    return [stats[0], stats[1]];
  }

  measureDense(a: Matrix, spectrum: SpectrumWanted = 'all'): MatrixMeasures {
    checkShape(a);
    const columnNorms = new Float64Array(a.cols);
    const all = spectrum === 'all';
    const sv = new Float64Array(all ? Math.min(a.rows, a.cols) : Math.min(1, a.rows, a.cols));
    const [norm11, frobenius] = this.dense(a, all ? sv : null, columnNorms);
    if (!all && sv.length > 0) sv[0] = this.spectralNorm(a);
    return { singularValues: sv, columnNorms, norm11, frobenius };
  }

  /**
   * Thin factors: one addon call (productMeasures) on the caller's arrays; its (1,1) tile loop runs
   * only with `norm11`. Otherwise the product
   * is formed by dgemm (it is no larger than its factors) and measured as a dense matrix.
   */
  measureProduct(a: Matrix, b: Matrix, spectrum: SpectrumWanted = 'all', norm11 = false): MatrixMeasures {
    checkProductShapes(a, b);
    const m = a.rows, k = a.cols, n = b.cols;
    const what = `product ${label(a, 'A')}·${label(b, 'B')}`;
    if (k >= Math.min(m, n)) return this.measureFormed(a, b, spectrum, what);
    const columnNorms = new Float64Array(n), stats = new Float64Array(3);
    let sv: Float64Array;
    try {
      sv = this.addon.productMeasures(m, k, n, a.data, b.data, columnNorms, stats, norm11);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
    if (stats[1] >= 0) throw nonFinite(a, stats[1], 'matrix A');
    if (stats[2] >= 0) throw nonFinite(b, stats[2], 'matrix B');
    let f = 0;
    for (let i = 0; i < sv.length; i++) f += sv[i] * sv[i];
    return { singularValues: spectrum === 'all' ? sv : sv.slice(0, 1), columnNorms, norm11: norm11 ? stats[0] : null, frobenius: Math.sqrt(f) };
  }

  /**
   * A product no smaller than its factors (a layer's value map W_V·W_O): formed by one addon call
   * (formedProduct: the float32 factors widened in C, dgemm, column norms, (1,1), Frobenius and
   * max|cᵢⱼ| in one pass), then σ₁ by Lanczos scaled by that maximum, or every σ by dgesdd.
   */
  private measureFormed(a: Matrix, b: Matrix, spectrum: SpectrumWanted, what: string): MatrixMeasures {
    const m = a.rows, k = a.cols, n = b.cols;
    const c = new Float64Array(m * n), columnNorms = new Float64Array(n), stats = new Float64Array(5);
    noteFormedProduct(m, k, n);
    try {
      this.addon.formedProduct(m, k, n, a.data, b.data, c, columnNorms, stats);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
    if (stats[3] >= 0) throw nonFinite(a, stats[3], 'matrix A');
    if (stats[4] >= 0) throw nonFinite(b, stats[4], 'matrix B');
    const formed = { rows: m, cols: n, data: c, name: what };
    let sv: Float64Array;
    if (spectrum === 'all') {
      sv = new Float64Array(Math.min(m, n));
      this.dense(formed, sv, null);
    } else {
      sv = new Float64Array(Math.min(1, m, n));
      if (sv.length > 0) sv[0] = this.lanczosNorm(formed, undefined, stats[2]);
    }
    return { singularValues: sv, columnNorms, norm11: stats[0], frobenius: stats[1] };
  }

  /** Singular values of a row-major float64 array (row stride ld) this call may overwrite. */
  singularValuesOwned(m: number, n: number, work: Float64Array, what: string, ld = n): Float64Array {
    try {
      return this.addon.dgesdd(m, n, work, ld);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
  }

  productSingularValues(a: Matrix, b: Matrix): Float64Array {
    checkProductShapes(a, b);
    // The factored path leaves its inputs alone, so float64 data need not be copied (only checked).
    const k = a.cols;
    const factored = k < Math.min(a.rows, b.cols);
    return this.productOwned(a.rows, k, b.cols, factored ? float64View(a, 'matrix A') : toFloat64Copy(a, 'matrix A'),
      factored ? float64View(b, 'matrix B') : toFloat64Copy(b, 'matrix B'), `product ${label(a, 'A')}·${label(b, 'B')}`);
  }

  /**
   * σ(A·B) for A m×k, B k×n (row-major). When k < min(m, n): the addon's productSvals (thin QRs of
   * A and Bᵀ, k×k core, one call; the inputs are not modified), exactly k values with no spurious
   * numerical zeros. Otherwise the product is formed (it is no larger than the factors) and `a`,
   * `b` may be overwritten.
   */
  productOwned(m: number, k: number, n: number, a: Float64Array, b: Float64Array, what: string): Float64Array {
    const ad = this.addon;
    try {
      if (k < Math.min(m, n)) return ad.productSvals(m, k, n, a, b);
      const c = new Float64Array(m * n);
      noteFormedProduct(m, k, n);
      ad.dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      return ad.dgesdd(m, n, c);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
  }

  /**
   * Lanczos (src/linalg/lanczos.ts), the full SVD when it does not converge. Square-ish A: the
   * addon's one-pass gramApply (x ↦ c²AᵀA·x). When one side is ≥ GRAM_FIRST_RATIO times the other,
   * the k×k Gram matrix c²·A·Aᵀ or c²·AᵀA is formed first by dsyrk (level 3) and the passes stream
   * k² values instead of m·n (768×3072 Gaussian: 214 → 51 ms, vs 130 ms for the full SVD). Forming
   * it rounds like the one-pass product does (sums of max(m, n) terms), and σ₁² is G's
   * best-conditioned eigenvalue. Only for moderate magnitudes: dsyrk applies c² after the products.
   */
  spectralNorm(a: Matrix, opts: { lanczosMinDim?: number } = {}): number {
    return this.lanczosNorm(a, opts.lanczosMinDim);
  }

  /** spectralNorm, with max|aᵢⱼ| when the caller already has it (formedProduct). */
  private lanczosNorm(a: Matrix, lanczosMinDim?: number, maxAbs?: number): number {
    const data = float64View(a);
    const m = a.rows, n = a.cols, ad = this.addon;
    const k = Math.min(m, n);
    const gram = (c: number, maxAbs: number): GramOperator => {
      if (Math.max(m, n) >= GRAM_FIRST_RATIO * k && maxAbs < 1e140 && maxAbs > 1e-140) {
        const g = ad.gramMatrix(m, n, data, c * c);
        return { dim: k, apply: (x, out) => ad.dgemm(false, false, k, 1, k, 1, g, k, x, 1, 0, out, 1) };
      }
      return { dim: n, apply: (x, out, s) => ad.gramApply(m, n, data, x, out, s) };
    };
    return spectralNormVia(m, n, data, gram, () => {
      const s = this.singularValues(a);
      return s.length > 0 ? s[0] : 0;
    }, lanczosMinDim, maxAbs);
  }
}

function view32(x: FloatArray, off: number): Float32Array {
  if (!(x instanceof Float32Array)) throw new TypeError('gemm: mixed float32/float64 operands');
  return off === 0 ? x : x.subarray(off);
}

function view64(x: FloatArray, off: number): Float64Array {
  if (!(x instanceof Float64Array)) throw new TypeError('gemm: mixed float32/float64 operands');
  return off === 0 ? x : x.subarray(off);
}
