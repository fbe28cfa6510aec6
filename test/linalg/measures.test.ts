import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NumericError } from '../../src/errors.js';
import { createBackend, nativeAvailable } from '../../src/linalg/index.js';
import { formedProducts, l11Passes } from '../../src/linalg/formed.js';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';
import { SpectralPool } from '../../src/linalg/pool.js';
import type { LinalgBackend, Matrix, MatrixMeasures } from '../../src/linalg/types.js';
import { assertClose } from './helpers.js';

/** Fixtures from scripts/golden/linalg_measures.py: numpy on the formed matrix. */
interface Arr { rows: number; cols: number; dtype: string; offset: number }
interface Case { name: string; a: Arr; b?: Arr; sv: number[]; columnNorms: number[]; norm11: number; frobenius: number }
const dir = new URL('../fixtures/linalg/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('measures_cases.json', dir), 'utf8')) as { cases: Case[] };
const blob = readFileSync(new URL('measures_cases.bin', dir));

function matrix(x: Arr, name: string): Matrix {
  const n = x.rows * x.cols;
  const copy = new Uint8Array(blob.subarray(x.offset, x.offset + n * (x.dtype === 'float32' ? 4 : 8))).buffer;
  return { rows: x.rows, cols: x.cols, data: x.dtype === 'float32' ? new Float32Array(copy) : new Float64Array(copy), name };
}

function rel(got: number, ref: number): number {
  return Math.abs(got - ref) / Math.abs(ref);
}

function check(r: MatrixMeasures, c: Case, what: string, top = false): void {
  if (top) {
    assert.equal(r.singularValues.length, 1, `${what}: σ₁ only`);
    assert.ok(rel(r.singularValues[0], c.sv[0]) <= 1e-12, `${what}: σ₁ ${r.singularValues[0]} vs ${c.sv[0]}`);
  } else {
    assertClose(r.singularValues, c.sv, what);
  }
  assert.equal(r.columnNorms.length, c.columnNorms.length, `${what}: column count`);
  c.columnNorms.forEach((x, j) => assert.ok(rel(r.columnNorms[j], x) <= 1e-12, `${what}: column ${j} norm ${r.columnNorms[j]} vs ${x}`));
  assert.ok(r.norm11 !== null && rel(r.norm11, c.norm11) <= 1e-12, `${what}: (1,1) ${r.norm11} vs ${c.norm11}`);
  assert.ok(rel(r.frobenius, c.frobenius) <= 1e-12, `${what}: Frobenius ${r.frobenius} vs ${c.frobenius}`);
}

const backends: LinalgBackend[] = [createBackend('js')];
if (nativeAvailable()) backends.push(createBackend('native'));

/** Thin products whose (1,1) pass over every entry ran in this thread (js) or this process (native: the addon's count). */
function l11Count(be: LinalgBackend): number {
  return be.name === 'native' ? (loadNativeAddon()?.productL11Count() ?? NaN) : l11Passes.js;
}

for (const be of backends) {
  test(`${be.name}: measureDense / measureProduct equal numpy on the formed matrix (every spectrum, norm, (1,1))`, () => {
    for (const c of meta.cases) {
      const a = matrix(c.a, `${c.name} A`);
      const before = Array.from(a.data);
      const b = c.b ? matrix(c.b, `${c.name} B`) : undefined;
      check(b ? be.measureProduct(a, b, 'all', true) : be.measureDense(a), c, `${be.name} ${c.name}`);
      check(b ? be.measureProduct(a, b, 'top', true) : be.measureDense(a, 'top'), c, `${be.name} ${c.name} (top)`, true);
      assert.deepEqual(Array.from(a.data), before, `${c.name}: the input is not modified`);
    }
  });

  test(`${be.name}: thin products are measured without forming them; NaN/Inf named`, () => {
    const c = meta.cases[0];
    const a = matrix(c.a, 'A'), b = matrix(c.b as Arr, 'B');
    const before = formedProducts.thin;
    be.measureProduct(a, b);
    assert.equal(formedProducts.thin, before, 'no m×n array for a thin product');
    be.productSingularValues({ ...a, data: a.data.slice() }, b);
    assert.equal(formedProducts.thin, before);
    const bad = { ...b, data: b.data.slice(), name: 'layer 2 head 3 W_K' };
    bad.data[7] = Infinity;
    assert.throws(() => be.measureProduct(a, bad), (e: Error) => e instanceof NumericError && /layer 2 head 3 W_K.*\+Inf at row 0, column 7/.test(e.message));
    const d = { rows: 3, cols: 4, data: new Float32Array(12), name: 'M_in' };
    d.data[5] = NaN;
    assert.throws(() => be.measureDense(d), (e: Error) => e instanceof NumericError && /M_in.*NaN at row 1, column 1/.test(e.message));
  });

  test(`${be.name}: a thin product's (1,1) pass runs only when asked; everything else is the same without it`, () => {
    for (const c of meta.cases.filter((x) => x.b && x.a.cols < Math.min(x.a.rows, (x.b as Arr).cols))) {
      const a = matrix(c.a, 'A'), b = matrix(c.b as Arr, 'B');
      const n0 = l11Count(be);
      const off = be.measureProduct(a, b);
      assert.equal(off.norm11, null, `${c.name}: no (1,1)-norm by default`);
      assert.equal(l11Count(be), n0, `${c.name}: the (1,1) tile loop did not run`);
      const on = be.measureProduct(a, b, 'all', true);
      assert.equal(l11Count(be), n0 + 1, `${c.name}: one (1,1) pass with norm11`);
      check(on, c, `${be.name} ${c.name} with norm11`);
      assert.deepEqual(Array.from(off.singularValues), Array.from(on.singularValues));
      assert.deepEqual(Array.from(off.columnNorms), Array.from(on.columnNorms));
      assert.equal(off.frobenius, on.frobenius);
    }
  });

  test(`${be.name}: the pool's measure equals the in-process backend's`, async () => {
    const pool = new SpectralPool({ workers: 2, backend: be.name });
    try {
      const jobs = meta.cases.map((c) => {
        const a = matrix(c.a, 'A'), b = c.b ? matrix(c.b, 'B') : undefined;
        return { c, a, b, p: pool.measure(a, b, 'all', true) };
      });
      for (const { c, a, b, p } of jobs) {
        const got = await p, want = b ? be.measureProduct(a, b, 'all', true) : be.measureDense(a);
        assert.deepEqual(Array.from(got.singularValues), Array.from(want.singularValues), c.name);
        assert.deepEqual(Array.from(got.columnNorms), Array.from(want.columnNorms), c.name);
        assert.equal(got.norm11, want.norm11, c.name);
        assert.equal(got.frobenius, want.frobenius, c.name);
      }
    } finally {
      await pool.close();
    }
  });
}
