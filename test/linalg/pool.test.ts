import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumericError } from '../../src/errors.js';
import { createBackend, nativeAvailable } from '../../src/linalg/index.js';
import { SpectralPool } from '../../src/linalg/pool.js';
import type { BackendName, Matrix } from '../../src/linalg/types.js';
import { assertClose } from './helpers.js';

function rand(rows: number, cols: number, seed: number, name?: string): Matrix {
  let s = seed;
  const data = Float64Array.from({ length: rows * cols }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
  return { rows, cols, data, name };
}

const names: BackendName[] = nativeAvailable() ? ['js', 'native'] : ['js'];

for (const name of names) {
  test(`SpectralPool (${name}): results equal the in-process backend, inputs untouched, errors named`, async () => {
    const pool = new SpectralPool({ workers: 2, backend: name });
    try {
      const be = createBackend(name);
      const mats = [rand(60, 40, 1), rand(30, 70, 2), rand(50, 50, 3), { ...rand(40, 30, 4), data: Float32Array.from(rand(40, 30, 4).data) }];
      const before = mats.map((m) => Array.from(m.data));
      const a = rand(90, 8, 5), b = rand(8, 80, 6);
      const [r0, r1, r2, r3, p] = await Promise.all([...mats.map((m) => pool.singularValues(m)), pool.productSingularValues(a, b)]);
      [r0, r1, r2, r3].forEach((r, i) => assertClose(r, Array.from(be.singularValues(mats[i])), `matrix ${i}`));
      assertClose(p, Array.from(be.productSingularValues(a, b)), 'product');
      assert.equal(p.length, 8);
      mats.forEach((m, i) => assert.deepEqual(Array.from(m.data), before[i], 'caller data must not be modified'));
      const bad = rand(5, 5, 7, 'embeddings');
      (bad.data as Float64Array)[3] = NaN;
      await assert.rejects(pool.singularValues(bad), (e: Error) => e instanceof NumericError && /embeddings/.test(e.message));
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.singularValues(rand(2, 2, 1)), /closed/);
  });
}
