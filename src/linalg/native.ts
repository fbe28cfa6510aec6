import { NumericError } from '../errors.js';
import type { NativeAddon } from './native-addon.js';
import type { LinalgBackend, Matrix } from './types.js';
import { checkProductShapes, label, toFloat64Copy, transpose } from './validate.js';

/**
 * The LAPACK backend: OpenBLAS's dgesdd (divide and conquer, JOBZ='N': singular values only,
 * bidiagonal dqds inside) on a float64 copy; the product path uses dgelqf/dgemm.
 */
export class NativeBackend implements LinalgBackend {
  readonly name = 'native' as const;
  constructor(private readonly addon: NativeAddon) {}

  singularValues(a: Matrix): Float64Array {
    return this.singularValuesOwned(a.rows, a.cols, toFloat64Copy(a), label(a));
  }

  /** Singular values of a row-major float64 array this call may overwrite. */
  singularValuesOwned(m: number, n: number, work: Float64Array, what: string): Float64Array {
    try {
      return this.addon.dgesdd(m, n, work);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
  }

  productSingularValues(a: Matrix, b: Matrix): Float64Array {
    checkProductShapes(a, b);
    return this.productOwned(a.rows, a.cols, b.cols, toFloat64Copy(a, 'matrix A'), toFloat64Copy(b, 'matrix B'),
      `product ${label(a, 'A')}·${label(b, 'B')}`);
  }

  /**
   * σ(A·B) for A m×k, B k×n (row-major, overwritten). When k < min(m, n): A = Q_A·R_A (thin QR),
   * B = L_B·Q_B (thin LQ, the QR of Bᵀ), so σ(A·B) = σ(R_A·L_B), a k×k core: exactly k values,
   * no spurious numerical zeros. Otherwise the product is formed (it is no larger than the factors).
   */
  productOwned(m: number, k: number, n: number, a: Float64Array, b: Float64Array, what: string): Float64Array {
    const ad = this.addon;
    try {
      if (k < Math.min(m, n)) {
        // qrRcm reads column-major data in place: the row-major k×m Aᵀ is the column-major A, and
        // the row-major B is the column-major Bᵀ = Q_B·R_B, so L_B = R_Bᵀ. (No large allocation
        // inside the addon: malloc'ing per call measured 3× slower for 768×64 factors.)
        const ra = ad.qrRcm(m, k, transpose(m, k, a));
        const rbt = ad.qrRcm(n, k, b);
        const core = new Float64Array(k * k);
        ad.dgemm(false, true, k, k, k, 1, ra, k, rbt, k, 0, core, k); // R_A · (R_{Bᵀ})ᵀ
        return ad.dgesdd(k, k, core);
      }
      const c = new Float64Array(m * n);
      ad.dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      return ad.dgesdd(m, n, c);
    } catch (err) {
      throw new NumericError(`${what}: ${(err as Error).message}`);
    }
  }

  spectralNorm(a: Matrix): number {
    const s = this.singularValues(a);
    return s.length > 0 ? s[0] : 0;
  }
}
