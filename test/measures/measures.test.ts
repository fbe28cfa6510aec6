import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schattenSum, schattenSums, schattenNorm } from '../../src/measures/schatten.js';
import { numericalRank, rankThreshold } from '../../src/measures/rank.js';
import { columnNormsOf, frobeniusFromSpectrum, frobeniusOf, norm11, norm21, nuclearNorm, stableRank } from '../../src/measures/norms.js';
import { loadBoundsFixture, close } from '../bounds/fixture.js';

const fx = loadBoundsFixture();

test('norms of dense matrices match numpy (column (2,1)-norm, (1,1), Frobenius)', () => {
  for (const m of fx.matrices) {
    if (!m.w) continue;
    const mat = { rows: m.rows, cols: m.cols, data: Float64Array.from(m.w) };
    const what = `layer ${m.layer} ${m.type}`;
    close(norm21(mat), m.norm21, 1e-12, `${what} norm21`);
    close(norm11(mat), m.norm11, 1e-12, `${what} norm11`);
    close(frobeniusOf(mat), m.frobeniusNorm, 1e-12, `${what} frobenius`);
  }
});

test('(2,1) sums COLUMN norms: a single non-zero row vs a single non-zero column', () => {
  const row = { rows: 2, cols: 2, data: Float64Array.from([3, 4, 0, 0]) };
  assert.equal(norm21(row), 7); // columns (3,0) and (4,0)
  const col = { rows: 2, cols: 2, data: Float64Array.from([3, 0, 4, 0]) };
  assert.equal(norm21(col), 5); // one column (3,4)
  assert.deepEqual([...columnNormsOf(col)], [5, 0]);
});

test('spectrum measures match numpy: rank (min(rows, cols) rule), nuclear, stable rank, Frobenius', () => {
  for (const m of fx.matrices) {
    const what = `layer ${m.layer} head ${m.head} ${m.type}`;
    // The thin spectrum (what the factored path returns) must give the same rank as the full SVD.
    assert.equal(numericalRank(m.svThin, m.rows, m.cols, fx.rankTol), m.rank, `${what} rank (thin)`);
    assert.equal(numericalRank(m.svFull, m.rows, m.cols, fx.rankTol), m.rank, `${what} rank (full)`);
    close(nuclearNorm(m.svFull), m.nuclearNorm, 1e-12, `${what} nuclear`);
    close(stableRank(m.svFull), m.stableRank, 1e-12, `${what} stable rank`);
    close(frobeniusFromSpectrum(m.svFull), m.frobeniusNorm, 1e-12, `${what} frobenius`);
  }
});

test('rank threshold scales with min(rows, cols) and max(sigma_1, 1)', () => {
  assert.equal(rankThreshold(0.5, 768, 768, 1e-10), 768e-10);
  assert.equal(rankThreshold(100, 768, 3072, 1e-10), 100 * 768e-10);
  // 1e-8 counts in a 10 x 10 matrix but not in a 768 x 768 one (threshold 7.68e-8).
  assert.equal(numericalRank([1, 1e-8], 10, 10), 2);
  assert.equal(numericalRank([1, 1e-8], 768, 768), 1);
  assert.equal(numericalRank([], 5, 5), 0);
});

test('Schatten sums: conventions, S(0) = rank, S(2) = Frobenius^2', () => {
  const sv = [3, 2, 1e-17, 0];
  assert.equal(schattenSum(sv, 0, 2), 2);
  assert.equal(schattenSum(sv, 1, 2, 'consistent'), 5);
  close(schattenSum(sv, 0.5, 2, 'reference'), Math.sqrt(3) + Math.sqrt(2) + Math.sqrt(1e-17), 1e-15, 'reference');
  close(schattenSum(sv, 2, 2), 13, 1e-15, 'S(2)');
  close(schattenNorm([3, 4], 2), 5, 1e-15, 'Schatten-2 norm');
  // consistent S(p) -> rank as p -> 0; reference jumps by the zero block.
  assert.ok(Math.abs(schattenSum(sv, 1e-9, 2, 'consistent') - 2) < 1e-8);
  assert.ok(schattenSum(sv, 1 / 19, 2, 'reference') > 2.1);
  assert.throws(() => schattenSum(sv, -1, 2), RangeError);
});

test('Schatten sums over a grid (one ln σ per value) equal schattenSum at every p to 1e-14', () => {
  // Values from 1e-300 to 1e3, a zero and numerical zeros under the rank, both conventions.
  const sv = [1e3, 2.5, 1, 0.3, 1e-5, 1e-40, 1e-300, 1e-17, 0];
  const grid = Array.from({ length: 39 }, (_, i) => i / 19);
  for (const [convention, rank] of [['consistent', 7], ['reference', 7], ['consistent', 0]] as const) {
    const got = schattenSums(sv, grid, rank, convention);
    grid.forEach((p, i) => close(got[i], schattenSum(sv, p, rank, convention), 1e-14, `${convention} rank ${rank} S(${p})`));
    assert.equal(got[19], schattenSum(sv, 1, rank, convention), 'p = 1 is exact');
    assert.equal(got[38], schattenSum(sv, 2, rank, convention), 'p = 2 is exact');
  }
  assert.throws(() => schattenSums(sv, [0, -0.5], 2), RangeError);
});
