import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, createBackend, registerBackend, removeBackend, setBackend, singularValues } from '../../src/linalg/index.js';
import type { LinalgBackend, Matrix } from '../../src/linalg/types.js';
import { loadNativeAddon, type NativeAddon } from '../../src/linalg/native-addon.js';
import { NativeBackend } from '../../src/linalg/native.js';
import { productNorms } from '../../src/measures/product.js';
import { gemm, gemmBackend } from '../../src/nn/gemm.js';

/** A·B by the schoolbook sum, as the independent reference. */
function naiveProduct(a: Matrix, b: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < b.cols; j++) {
    let s = 0;
    for (let p = 0; p < a.cols; p++) s += a.data[i * a.cols + p] * b.data[p * b.cols + j];
    out.push(s);
  }
  return out;
}

const a: Matrix = { rows: 7, cols: 3, data: Float64Array.from({ length: 21 }, (_, i) => Math.sin(i + 1)) };
const b: Matrix = { rows: 3, cols: 5, data: Float64Array.from({ length: 15 }, (_, i) => Math.cos(2 * i + 1)) };

function checkNorms(): void {
  const c = naiveProduct(a, b);
  const pn = productNorms(a, b);
  const l11 = c.reduce((s, x) => s + Math.abs(x), 0);
  assert.ok(Math.abs(pn.norm11 - l11) <= 1e-13 * l11, `norm11 ${pn.norm11} vs ${l11}`);
  for (let j = 0; j < b.cols; j++) {
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += c[i * b.cols + j] ** 2;
    assert.ok(Math.abs(pn.columnNorms[j] - Math.sqrt(s)) <= 1e-13 * Math.sqrt(s));
  }
}

test('measures/product.ts honours --backend js: no OpenBLAS dgemm under js, dgemm under native', { skip: loadNativeAddon() ? false : 'no addon' }, () => {
  // The addon's exports are read-only, so the native entry is re-registered around a counting
  // wrapper of it; the next test shows that product.ts reaches BLAS only through the registry's backend.
  const addon = loadNativeAddon() as NativeAddon;
  const before = backend().name;
  let calls = 0;
  const counting = Object.create(addon, {
    dgemm: { value: (...args: Parameters<NativeAddon['dgemm']>) => (calls++, addon.dgemm(...args)) },
  }) as NativeAddon;
  registerBackend({ name: 'native', priority: 2, create: () => new NativeBackend(counting) });
  try {
    setBackend('js');
    checkNorms();
    assert.equal(calls, 0, 'the js backend must not call OpenBLAS');
    setBackend('native');
    checkNorms();
    assert.ok(calls > 0, 'the native backend runs dgemm');
  } finally {
    registerBackend({ name: 'native', priority: 2, create: () => new NativeBackend(addon) });
    setBackend(before);
  }
});

test('one registry: a registered backend, once set, serves linalg, measures and nn', () => {
  const before = backend().name;
  const js = createBackend('js');
  const seen = { sv: 0, gemm: 0 };
  const spy: LinalgBackend = {
    name: 'spy',
    singularValues: (m) => (seen.sv++, js.singularValues(m)),
    productSingularValues: (x, y) => js.productSingularValues(x, y),
    spectralNorm: (m) => js.spectralNorm(m),
    measureDense: (m, s) => js.measureDense(m, s),
    measureProduct: (x, y, s, l11) => js.measureProduct(x, y, s, l11),
    gemm: (...args) => (seen.gemm++, js.gemm(...args)),
    gemmBatched: (...args) => js.gemmBatched(...args),
    nnKernels: () => null,
  };
  registerBackend({ name: 'spy', priority: -1, create: () => spy });
  try {
    setBackend('spy');
    assert.equal(gemmBackend(), 'spy');
    const sv = singularValues(a);
    assert.equal(seen.sv, 1);
    assert.equal(sv.length, 3);
    checkNorms();
    assert.equal(seen.gemm, 1, 'productNorms ran on the spy backend');
    const c = new Float64Array(35);
    gemm(false, false, 7, 5, 3, 1, a.data, 0, 3, b.data, 0, 5, 0, c, 0, 5);
    assert.equal(seen.gemm, 2, 'nn gemm ran on the spy backend');
    naiveProduct(a, b).forEach((x, i) => assert.ok(Math.abs(c[i] - x) <= 1e-14));
    assert.throws(() => setBackend('cuda'), /unknown linear-algebra backend "cuda" \(expected native or js or spy\)/);
  } finally {
    removeBackend('spy');
    setBackend(before);
  }
});
