import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createBackend, nativeAvailable } from '../../src/linalg/index.js';
import type { LinalgBackend, Matrix } from '../../src/linalg/types.js';
import { assertClose, numericalRank } from './helpers.js';

/** Fixtures from scripts/golden/linalg_svd.py (numpy/LAPACK). */
interface Case {
  name: string; rows: number; cols: number; dtype: string; offset: number;
  sv?: number[]; rank?: number; role?: string;
}
const dir = new URL('../fixtures/linalg/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('svd_cases.json', dir), 'utf8')) as { cases: Case[] };
const blob = readFileSync(new URL('svd_cases.bin', dir));

function matrix(c: Case): Matrix {
  const n = c.rows * c.cols;
  const bytes = blob.subarray(c.offset, c.offset + n * (c.dtype === 'float32' ? 4 : 8));
  const copy = new Uint8Array(bytes).buffer; // aligned copy
  const data = c.dtype === 'float32' ? new Float32Array(copy) : new Float64Array(copy);
  return { rows: c.rows, cols: c.cols, data, name: c.name };
}

const backends: LinalgBackend[] = [createBackend('js')];
if (nativeAvailable()) backends.push(createBackend('native'));

for (const be of backends) {
  test(`${be.name}: singular values match numpy/LAPACK on every golden case`, () => {
    for (const c of meta.cases.filter((x) => !x.role)) {
      const s = be.singularValues(matrix(c));
      assertClose(s, c.sv!, `${be.name} ${c.name}`);
      assert.equal(numericalRank(s, c.rows, c.cols), c.rank, `${be.name} ${c.name}: numerical rank`);
      assert.ok(s.every((x, i) => i === 0 || x <= s[i - 1]), `${c.name}: descending`);
    }
  });

  test(`${be.name}: factored product path gives exactly k values equal to the dense SVD's top k`, () => {
    const a = matrix(meta.cases.find((x) => x.role === 'productA')!);
    const bc = meta.cases.find((x) => x.role === 'productB')!;
    const s = be.productSingularValues(a, matrix(bc));
    assertClose(s, bc.sv!, `${be.name} product`);
    assert.equal(s.length, 10);
    assert.equal(numericalRank(s, 120, 110), bc.rank);
  });
}

test('the two backends agree on every golden case', { skip: nativeAvailable() ? false : 'no native addon' }, () => {
  const [js, nat] = backends;
  for (const c of meta.cases.filter((x) => !x.role)) {
    const a = js.singularValues(matrix(c)), b = nat.singularValues(matrix(c));
    assertClose(a, Array.from(b), `js vs native ${c.name}`);
  }
});
