/**
 * The spectral engine's public API. One backend is chosen once per process: setBackend(), else
 * the GENBOUND_BACKEND environment variable, else `native` when the OpenBLAS addon loads and `js`
 * otherwise (with ONE notice line on stderr). The CLI's `--backend` calls setBackend().
 */
import { BadOptionError } from '../errors.js';
import { JsBackend } from './js-backend.js';
import { NativeBackend } from './native.js';
import { loadNativeAddon, nativeLoadError } from './native-addon.js';
import type { BackendName, LinalgBackend, Matrix } from './types.js';

export type { BackendName, FloatArray, LinalgBackend, Matrix } from './types.js';
export { columnNorms, frobeniusNorm, productColumnNorms } from './norms.js';

let current: LinalgBackend | undefined;

/** Whether the native backend can be used in this process (the addon builds and loads). */
export function nativeAvailable(): boolean {
  return loadNativeAddon() !== null;
}

function parseName(name: string, source: string): BackendName {
  if (name === 'native' || name === 'js') return name;
  throw new BadOptionError(`${source}: unknown linear-algebra backend "${name}" (expected native or js)`);
}

/** Builds a backend by name; `native` throws BadOptionError when the addon is unavailable. */
export function createBackend(name: BackendName, source = 'backend'): LinalgBackend {
  if (name === 'js') return new JsBackend();
  const addon = loadNativeAddon();
  if (!addon) {
    throw new BadOptionError(`${source}: the native backend is unavailable: ${nativeLoadError() ?? 'unknown reason'}; use --backend js`);
  }
  return new NativeBackend(addon);
}

/** Selects the backend for the rest of the process. */
export function setBackend(name: BackendName): void {
  current = createBackend(parseName(name, '--backend'), '--backend');
}

/** The process's backend, chosen on first use. */
export function backend(): LinalgBackend {
  if (current) return current;
  const env = process.env.GENBOUND_BACKEND;
  if (env !== undefined && env !== '') {
    current = createBackend(parseName(env, 'GENBOUND_BACKEND'), 'GENBOUND_BACKEND');
  } else if (loadNativeAddon()) {
    current = createBackend('native');
  } else {
    process.stderr.write(`genbound: ${nativeLoadError() ?? 'the native addon is unavailable'}; using the pure TypeScript backend (slower)\n`);
    current = new JsBackend();
  }
  return current;
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
