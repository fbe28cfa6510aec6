import { test } from 'node:test';
import assert from 'node:assert/strict';
import { growthView, olsSlope } from '../../src/analysis/compare.js';
import type { AnalysisResult } from '../../src/types/analysis.js';

function fake(L: number, N: number, value: number): AnalysisResult {
  return {
    model: { architecture: 'x', layers: L, hidden: N, heads: N / 64, headDim: 64, intermediate: 4 * N },
    settings: { lPhi: 1.13, rankTol: 1e-10, gridM: 1, convention: 'consistent', backend: 'js' },
    matrices: [],
    bounds: { b: value },
  };
}

test('growth ratios against the smallest width / depth, and log-log slopes', () => {
  // b = L^2 * N^0.5 exactly: slopes 2 against depth and 0.5 against width.
  const grid = [[2, 128], [4, 128], [2, 512], [4, 512], [8, 512]] as const;
  const rs = grid.map(([L, N]) => fake(L, N, L ** 2 * N ** 0.5));
  const c = growthView(grid.map(([L, N]) => `L${L}-N${N}`), rs);
  const row = (n: string) => c.growth.find((g) => g.model === n);
  assert.ok(Math.abs((row('L4-N512')?.byWidth as number) - 2) < 1e-12); // (512/128)^0.5
  assert.ok(Math.abs((row('L8-N512')?.byDepth as number) - 16) < 1e-12); // (8/2)^2
  assert.equal(row('L8-N512')?.byWidth, null); // no other model with L = 8
  assert.equal(row('L2-N128')?.byWidth, 1);
  const depth = c.slopes.filter((s) => s.against === 'depth');
  assert.deepEqual(depth.map((s) => [s.fixed, s.points]), [[128, 2], [512, 3]]);
  depth.forEach((s) => assert.ok(Math.abs(s.slope - 2) < 1e-12));
  const width = c.slopes.filter((s) => s.against === 'width');
  assert.deepEqual(width.map((s) => s.fixed), [2, 4]);
  width.forEach((s) => assert.ok(Math.abs(s.slope - 0.5) < 1e-12));
});

test('overflowing bounds compare through boundsLog10', () => {
  const a = { ...fake(2, 128, Infinity), boundsLog10: { b: 400 } };
  const b = { ...fake(4, 128, Infinity), boundsLog10: { b: 403 } };
  const c = growthView(['a', 'b'], [a, b]);
  assert.ok(Math.abs((c.growth[1].byDepth as number) - 1000) < 1e-9);
  assert.ok(Math.abs(c.slopes[0].slope - 3 / Math.log10(2)) < 1e-9);
});

test('OLS slope', () => {
  assert.equal(olsSlope([1], [1]), null);
  assert.equal(olsSlope([1, 1], [1, 2]), null);
  assert.equal(olsSlope([0, 1, 2], [1, 3, 5]), 2);
});
