import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kendallTau, pairedRatio, seedSlope, tauDifference, tauWithInterval, verdictOf } from '../../src/lab/stats.js';

// Reference values: scripts/golden/lab_stats.py (scipy.stats.t, scipy.stats.kendalltau, numpy.polyfit).
const fx = JSON.parse(readFileSync(new URL('../fixtures/lab/stats.json', import.meta.url), 'utf8')) as {
  paired: { a: number[]; b: number[]; ratio: number; ci: [number, number] };
  tau: { x: number[]; y: number[]; tau: number };
  slope: { sizes: number[]; curves: Record<string, number[]>; slope: number };
};

test('paired ratio and its t-interval match scipy; the verdict follows the interval', () => {
  const c = pairedRatio(fx.paired.a, fx.paired.b);
  assert.ok(Math.abs(c.ratio - fx.paired.ratio) < 1e-12);
  // the t table has 3 decimals (2.365 for 7 degrees of freedom vs scipy's 2.3646)
  assert.ok(Math.abs(c.ci[0] - fx.paired.ci[0]) < 2e-4 && Math.abs(c.ci[1] - fx.paired.ci[1]) < 2e-4, `${c.ci} vs ${fx.paired.ci}`);
  assert.equal(c.wins, 7);
  assert.equal(c.verdict, 'better');
  assert.equal(pairedRatio(fx.paired.b, fx.paired.a).verdict, 'worse');
  assert.equal(pairedRatio([1, 2, 3], [2, 1, 3.1]).verdict, 'not distinguishable');
  assert.equal(verdictOf(-2, -1), 'better');
  assert.equal(verdictOf(-1, 1), 'not distinguishable');
});

test('Kendall τ-b matches scipy, and its bootstrap interval contains it', () => {
  assert.ok(Math.abs(kendallTau(fx.tau.x, fx.tau.y) - fx.tau.tau) < 1e-12);
  const t = tauWithInterval(fx.tau.x, fx.tau.y);
  assert.ok(t.ci[0] <= t.tau && t.tau <= t.ci[1] && t.ci[1] - t.ci[0] > 0.1, JSON.stringify(t));
});

test('seed slope: the estimate matches numpy.polyfit; identical or uniformly shifted seed curves give a zero-width slope interval', () => {
  const curves = new Map(Object.entries(fx.slope.curves).map(([s, v]) => [Number(s), new Map(fx.slope.sizes.map((x, i) => [x, v[i]]))]));
  const e = seedSlope(curves);
  assert.ok(Math.abs(e.slope - fx.slope.slope) < 1e-12);
  assert.ok(e.lo <= e.slope && e.slope <= e.hi);
  // identical seeds: no spread at all
  const same = new Map([1, 2, 3].map((s) => [s, new Map(fx.slope.sizes.map((x) => [x, 1 / x]))]));
  const z = seedSlope(same);
  assert.ok(Math.abs(z.slope + 1) < 1e-12 && Math.abs(z.hi - z.lo) < 1e-12);
  // one seed is uniformly worse (a whole curve shifted): per-seed resampling sees the level change
  // but not a slope change, so the interval stays narrow
  const shifted = new Map([1, 2, 3, 4].map((s) => [s, new Map(fx.slope.sizes.map((x) => [x, (s === 4 ? 3 : 1) / x]))]));
  const w = seedSlope(shifted);
  assert.ok(Math.abs(w.slope + 1) < 1e-12 && w.hi - w.lo < 1e-9, JSON.stringify(w));
});

test('τ difference: paired over models; zero for a proxy against itself, positive for a perfect ranker against noise', () => {
  const same = tauDifference(fx.tau.x, fx.tau.x, fx.tau.y);
  assert.equal(same.diff, 0);
  assert.deepEqual(same.ci, [0, 0]);
  const y = Array.from({ length: 30 }, (_, i) => i + 0.5 * Math.sin(7 * i));
  const noise = Array.from({ length: 30 }, (_, i) => Math.sin(13.7 * i * i));
  const d = tauDifference(y, noise, y);
  assert.ok(Math.abs(d.diff - (1 - kendallTau(noise, y))) < 1e-12 && d.ci[0] > 0, JSON.stringify(d));
});
