/**
 * The spectral engine's public API. The backend is chosen once per process in registry.ts
 * (setBackend(), else GENBOUND_BACKEND, else `native` when the OpenBLAS addon loads and `js`
 * otherwise); the CLI's `--backend` calls setBackend().
 */
import { loadNativeAddon } from './native-addon.js';
import { backend } from './registry.js';
import type { Matrix } from './types.js';

export type { BackendName, FloatArray, LinalgBackend, Matrix, NnKernels } from './types.js';
export { backend, createBackend, registerBackend, registeredBackends, removeBackend, setBackend, type BackendEntry } from './registry.js';
export { columnNorms, frobeniusNorm, productColumnNorms } from './norms.js';

/** Whether the native backend can be used in this process (the addon builds and loads). */
export function nativeAvailable(): boolean {
  return loadNativeAddon() !== null;
}

/** All min(m, n) singular values of A, descending, float64. NaN/Inf → NumericError naming A. */
export function singularValues(a: Matrix): Float64Array {
  return backend().singularValues(a);
}

/**
 * Singular values of A·B (A: m×k, B: k×n) through thin QR/LQ of the factors and the k×k core when
 * k < min(m, n): exactly min(m, k, n) values, descending, without forming the product.
 */
export function productSingularValues(a: Matrix, b: Matrix): Float64Array {
  return backend().productSingularValues(a, b);
}

/** The largest singular value ‖A‖₂ (0 for an empty matrix). */
export function spectralNorm(a: Matrix): number {
  return backend().spectralNorm(a);
}
