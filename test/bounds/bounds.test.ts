import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLayerSummaries, logAlphas, gammaOf, type NormedMatrix } from '../../src/bounds/layer-summary.js';
import { defaultGridM, schattenGrid, spectrumAdaptiveBound, tCurve, SCALE_FLOOR } from '../../src/bounds/spectrum-adaptive.js';
import { edelmanBound } from '../../src/bounds/edelman.js';
import { bartlettBound, type ChainLink } from '../../src/bounds/bartlett.js';
import { frobeniusProductBound } from '../../src/bounds/frobenius.js';
import { parameterCount } from '../../src/bounds/param-count.js';
import { norm11Quantities } from '../../src/bounds/l11.js';
import { ModelError, BadOptionError } from '../../src/errors.js';
import { loadBoundsFixture, close } from './fixture.js';

const fx = loadBoundsFixture();
const normed: NormedMatrix[] = fx.matrices.map((m) => ({
  layer: m.layer, head: m.head, type: m.type,
  spectral: m.spectralNorm, norm21: m.norm21, frobenius: m.frobeniusNorm, norm11: m.norm11,
}));
const layers = buildLayerSummaries(normed, fx.L);

test('grid: m = ceil(L + ln N), 2m+1 points from 0 to 2', () => {
  assert.equal(defaultGridM(fx.L, fx.N), fx.gridM);
  assert.equal(defaultGridM(12, 768), 19);
  const g = schattenGrid(fx.gridM);
  assert.equal(g.length, fx.grid.length);
  g.forEach((p, i) => close(p, fx.grid[i], 1e-15, `grid ${i}`));
  assert.throws(() => schattenGrid(0), BadOptionError);
});

test('alpha_l and gamma match numpy for every matrix', () => {
  const la = logAlphas(layers, fx.lPhi);
  assert.equal(la[fx.L - 1], 0);
  for (const m of fx.matrices) {
    close(Math.exp(la[m.layer]), m.alpha, 1e-12, `alpha layer ${m.layer}`);
    close(gammaOf(m.type, layers[m.layer], m.head), m.gamma, 1e-12, `gamma ${m.type} ${m.layer}/${m.head}`);
  }
});

test('spectrum-adaptive proxy (consistent) from thin spectra: T(p) curves, pOpt, contributions, bound', () => {
  const mats = fx.matrices.map((m) => ({ ...m, singularValues: m.svThin }));
  const r = spectrumAdaptiveBound(mats, layers, { lPhi: fx.lPhi, convention: 'consistent', hidden: fx.N });
  assert.equal(r.gridM, fx.gridM);
  r.terms.forEach((t, i) => {
    const m = fx.matrices[i];
    const what = `${m.type} ${m.layer}/${m.head}`;
    assert.equal(t.pOpt, m.pOpt, `${what} pOpt`);
    close(t.contribution, m.contribution, 1e-12, `${what} contribution`);
    t.curve.t.forEach((v, j) => close(v, m.tCurve[j], 1e-12, `${what} T(${fx.grid[j]})`));
  });
  const popts = new Set(r.terms.map((t) => t.pOpt));
  assert.ok(popts.has(0) && popts.has(2) && [...popts].some((p) => p > 0 && p < 2), 'mixed optimal p');
  close(r.value, fx.bounds.spectrumAdaptive, 1e-12, 'B_ours');
  close(Math.exp(r.log), fx.bounds.spectrumAdaptive, 1e-12, 'exp(log B_ours)');
  // The full spectrum (with its numerical zeros) gives the same result under `consistent`.
  const full = spectrumAdaptiveBound(fx.matrices.map((m) => ({ ...m, singularValues: m.svFull })), layers,
    { lPhi: fx.lPhi, convention: 'consistent', hidden: fx.N });
  close(full.value, fx.bounds.spectrumAdaptive, 1e-12, 'B_ours from the full spectrum');
});

test('spectrum-adaptive proxy (reference convention) sums the numerical zeros of the full SVD', () => {
  const mats = fx.matrices.map((m) => ({ ...m, singularValues: m.svFull }));
  const r = spectrumAdaptiveBound(mats, layers, { lPhi: fx.lPhi, convention: 'reference', hidden: fx.N });
  r.terms.forEach((t, i) => {
    const m = fx.matrices[i];
    assert.equal(t.pOpt, m.pOptReference);
    t.curve.t.forEach((v, j) => close(v, m.tCurveReference[j], 1e-12, `${m.type} ${m.layer}/${m.head} ref T(${fx.grid[j]})`));
  });
  close(r.value, fx.bounds.spectrumAdaptiveReference, 1e-12, 'B_ours reference');
  // and the curves do differ from `consistent` where the zero block is present
  assert.notEqual(r.terms[0].curve.t[1], fx.matrices[0].tCurve[1]);
});

test('--grid-m changes the grid (m = 5)', () => {
  const mats = fx.matrices.map((m) => ({ ...m, singularValues: m.svThin }));
  const r = spectrumAdaptiveBound(mats, layers, { lPhi: fx.lPhi, gridM: 5, convention: 'consistent', hidden: fx.N });
  r.terms.forEach((t, i) => assert.equal(t.pOpt, fx.matrices[i].pOptM5));
  close(r.value, fx.bounds.spectrumAdaptiveM5, 1e-12, 'B_ours m=5');
});

test('T(p): first minimum on ties, clamp of a vanishing scale, zero matrix', () => {
  // rank 1 with sigma = 1, scale 1, N = 1: T(p) = 1 for every p -> first index.
  const c = tCurve([1], 1, 0, 1, [0, 0.5, 1, 2], 'consistent');
  assert.equal(c.argmin, 0);
  // scale -> 0: ln(scale) = -Infinity is clamped to ln(SCALE_FLOOR), so T stays finite and p = 2 wins.
  const z = tCurve([1, 1], 2, -Infinity, 4, [0, 1, 2], 'consistent');
  close(z.logT[2], Math.log(2) / 4 + 0.5 * Math.log(SCALE_FLOOR) + 0.75 * Math.log(4), 1e-12, 'clamped T(2)');
  assert.equal(z.argmin, 2);
  const zero = tCurve([0, 0], 0, 0, 4, [0, 1, 2], 'consistent');
  assert.deepEqual(zero.t, [0, 0, 0]);
});

test('deep products stay finite in log space', () => {
  const big = Array.from({ length: 400 }, () => layers[0]);
  const la = logAlphas(big, fx.lPhi);
  assert.ok(Number.isFinite(la[0]) && la[0] > 709); // alpha_0 itself overflows a double
  const e = edelmanBound(big, fx.lPhi);
  assert.equal(e.value, Infinity);
  assert.ok(Number.isFinite(e.log));
});

test('Edelman et al. proxy matches numpy', () => {
  close(edelmanBound(layers, fx.lPhi).value, fx.bounds.edelman, 1e-12, 'B_edelman');
});

test('Bartlett-Foster-Telgarsky and Frobenius product over the chain match numpy', () => {
  const chain: ChainLink[] = fx.chain.map((c, i) => ({ name: `link ${i}`, ...c }));
  close(bartlettBound(chain).value, fx.bounds.bartlett, 1e-12, 'BFT');
  close(frobeniusProductBound(chain).value, fx.bounds.frobeniusProduct, 1e-12, 'Frobenius product');
});

test('(1,1) quantities and parameter count match numpy', () => {
  const q = norm11Quantities(layers, fx.lPhi);
  assert.ok(q);
  close(q.sum, fx.bounds.norm11Sum, 1e-12, 'norm11Sum');
  close(q.product, fx.bounds.norm11Product, 1e-12, 'norm11Product');
  const shapes = fx.matrices.map((m) => ({
    shapes: m.aShape && m.bShape ? [m.aShape, m.bShape] : [[m.rows, m.cols] as [number, number]],
  }));
  assert.equal(parameterCount(shapes), fx.bounds.paramCount);
});

test('(1,1) quantities: null (never a partial sum) when one head product has no (1,1)-norm', () => {
  const last = layers[layers.length - 1];
  const without = [...layers.slice(0, -1), { ...last, qk: last.qk.map((m, h) => (h === last.qk.length - 1 ? { ...m, norm11: null } : m)) }];
  assert.equal(norm11Quantities(without, fx.lPhi), null);
});

test('missing matrices are a ModelError naming the layer', () => {
  assert.throws(() => buildLayerSummaries(normed.filter((m) => !(m.layer === 1 && m.type === 'M_out')), fx.L),
    (e: unknown) => e instanceof ModelError && /layer 1 has no M_out/.test(e.message));
  assert.throws(() => buildLayerSummaries(normed.filter((m) => !(m.layer === 2 && m.head === 1 && m.type === 'QK')), fx.L),
    (e: unknown) => e instanceof ModelError && /layer 2 head 1 has no QK/.test(e.message));
});
