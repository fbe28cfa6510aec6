import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MIN_EIGENVALUES, powerLawFit, type PowerLawFit } from '../../src/measures/esd.js';

/** An independent numpy implementation's fits: scripts/golden/measures_esd.py. */
const golden = JSON.parse(readFileSync('test/fixtures/measures/esd.json', 'utf8')) as Record<string, { sv: number[]; fit: PowerLawFit }>;

test('ESD power-law fit matches the numpy implementation (alpha, lambda_min, tail, KS, weighted alpha)', () => {
  for (const [name, c] of Object.entries(golden)) {
    const f = powerLawFit(c.sv);
    assert.ok(f, name);
    assert.equal(f.tail, c.fit.tail, `${name} tail`);
    for (const k of ['alpha', 'alphaWeighted', 'lambdaMin', 'ks', 'sigma', 'logSpectralNorm'] as const) {
      assert.ok(Math.abs(f[k] - c.fit[k]) <= 1e-10 * Math.abs(c.fit[k]) + 1e-13, `${name} ${k}: ${f[k]} != ${c.fit[k]}`);
    }
  }
});

test('ESD power-law fit recovers the exponent of exact Pareto eigenvalues within 3 standard errors', () => {
  // λ = λ_min·U^(−1/(α−1)) is Pareto with density ∝ λ^(−α); σ = √λ. A fixed LCG keeps it repeatable.
  let s = 12345;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  for (const alpha of [2, 3, 4.5]) {
    const sv = Array.from({ length: 4000 }, () => Math.sqrt(2 * Math.pow(u(), -1 / (alpha - 1))));
    const f = powerLawFit(sv) as PowerLawFit;
    assert.ok(Math.abs(f.alpha - alpha) <= 3 * f.sigma, `alpha ${alpha}: fitted ${f.alpha} ± ${f.sigma} (tail ${f.tail})`);
    assert.ok(f.tail >= 100, `alpha ${alpha}: tail ${f.tail}`);
  }
});

test('ESD power-law fit: too few nonzero eigenvalues or a flat spectrum gives no fit', () => {
  assert.equal(powerLawFit(new Array(MIN_EIGENVALUES - 1).fill(1).map((x, i) => x + i)), null);
  assert.equal(powerLawFit([...new Array(MIN_EIGENVALUES - 1).fill(1).map((x, i) => x + i), 0, 1e-15, 0]), null);
  assert.equal(powerLawFit(new Array(50).fill(3)), null);
  assert.equal(powerLawFit([]), null);
});

test('the pruned, shortest-tail-first scan picks the same fit as a full forward scan (first minimum on ties)', () => {
  // The plain definition: every candidate in increasing order, every point of its tail, strict <.
  const plain = (sv: number[]) => {
    const lam = sv.map((x) => x * x).sort((a, b) => a - b), n = lam.length, logs = lam.map(Math.log);
    const suffix = new Float64Array(n + 1); // Σ_{i ≥ k} ln λ_i summed from the top, as powerLawFit does
    for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + logs[i];
    let best: { k: number; ks: number; alpha: number } | null = null;
    for (let k = 0; k < n - 1; k++) {
      if ((k > 0 && lam[k] === lam[k - 1]) || lam[k] === lam[n - 1]) continue;
      const m = n - k;
      const alpha = 1 + m / (suffix[k] - m * logs[k]);
      let d = 0;
      for (let i = 0; i < m; i++) d = Math.max(d, Math.abs(1 - Math.exp((1 - alpha) * (logs[k + i] - logs[k])) - i / m));
      if (best === null || d < best.ks) best = { k, ks: d, alpha };
    }
    return best;
  };
  let seed = 99;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let t = 0; t < 30; t++) {
    const n = 10 + Math.floor(rnd() * 300);
    // Pareto-like values rounded to 3 digits, so that many are equal (ties between candidates' values).
    const sv = Array.from({ length: n }, () => Math.round(1000 * (1 - rnd()) ** -0.7) / 1000);
    const want = plain(sv), got = powerLawFit(sv, 0);
    if (want === null) { assert.equal(got, null); continue; }
    assert.ok(got !== null, `case ${t}`);
    assert.equal(got.ks, want.ks, `case ${t} ks`);
    assert.equal(got.tail, sv.length - want.k, `case ${t} tail`);
  }
});
