import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { AUTO_POOL_MIN_DIM, createEngine } from '../../src/analysis/engine.js';
import { backend } from '../../src/linalg/registry.js';

const mat = (rows: number, cols: number) => ({ rows, cols, data: Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i)) });

test('workers auto: small models stay in-process, wide ones go to a pool of one worker per core', async () => {
  const small = createEngine('auto');
  const r = await small.measure(mat(64, 32));
  assert.equal(r.singularValues.length, 32);
  assert.equal(small.backend, backend().name, 'in-process below AUTO_POOL_MIN_DIM');
  await small.close();
  const wide = createEngine('auto');
  try {
    const w = await wide.measure(mat(8, 4), mat(4, AUTO_POOL_MIN_DIM), 'top');
    assert.equal(w.columnNorms.length, AUTO_POOL_MIN_DIM);
    const cores = Math.min(8, availableParallelism());
    assert.equal(wide.backend, cores >= 2 ? `${backend().name} (${cores} workers)` : backend().name);
  } finally {
    await wide.close();
  }
  assert.throws(() => createEngine(0), /workers must be auto or a positive integer/);
});
