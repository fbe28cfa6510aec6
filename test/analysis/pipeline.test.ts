import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/analysis/pipeline.js';
import { jacobiSingularValues, jacobiEngine, fixtureAdapter } from './stand-ins.js';
import { loadBoundsFixture, close } from '../bounds/fixture.js';
import { BadOptionError, NumericError } from '../../src/errors.js';

const fx = loadBoundsFixture();
const base = { lPhi: fx.lPhi, rankTol: fx.rankTol, convention: 'consistent' as const, spectra: true };
const L11_KEYS = ['norm11Sum', 'norm11Product'];

test('the test stand-in SVD agrees with numpy (so the pipeline test below checks the pipeline)', () => {
  const m = fx.matrices.find((x) => x.type === 'M_in') as (typeof fx.matrices)[number];
  const sv = jacobiSingularValues({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.w as number[]) });
  sv.forEach((s, i) => close(s, m.svFull[i], 1e-11, `sv ${i}`));
});

test('pipeline (headL11): every per-matrix number and every bound matches numpy', async () => {
  const progress: string[] = [];
  const r = await analyzeModel(fixtureAdapter(fx), jacobiEngine, { ...base, headL11: true, onProgress: (d, t, l) => progress.push(`${d}/${t} ${l}`) });
  assert.equal(progress.length, fx.matrices.length);
  // Every matrix reported once, the count rising to the total (the order is the engine's: each
  // layer's long SVDs are started first).
  assert.deepEqual(progress.map((p) => Number(p.split('/')[0])), fx.matrices.map((_, i) => i + 1));
  assert.deepEqual(new Set(progress.map((p) => p.split(' ').slice(1).join(' '))).size, fx.matrices.length);
  assert.ok(progress.some((p) => p.endsWith(' layer 2 M_out')));
  assert.equal(r.matrices.length, fx.matrices.length);
  for (const m of fx.matrices) {
    const got = r.matrices.find((x) => x.layer === m.layer && x.head === m.head && x.type === m.type);
    assert.ok(got, `${m.type} ${m.layer}/${m.head}`);
    const what = `${m.type} ${m.layer}/${m.head}`;
    assert.equal(got.rank, m.rank, `${what} rank`);
    assert.equal(got.rows, m.rows);
    assert.equal(got.cols, m.cols);
    for (const k of ['spectralNorm', 'frobeniusNorm', 'nuclearNorm', 'norm21', 'norm11', 'stableRank', 'alpha', 'gamma', 'contribution'] as const) {
      close(got[k] as number, m[k], 1e-9, `${what} ${k}`);
    }
    assert.equal(got.pOpt, m.pOpt, `${what} pOpt`);
    assert.equal(got.singularValues?.length, m.svThin.length);
  }
  for (const k of ['spectrumAdaptive', 'edelman', 'bartlett', 'frobeniusProduct', 'paramCount', ...L11_KEYS]) {
    close(r.bounds[k] as number, fx.bounds[k], 1e-9, k);
    close(10 ** (r.boundsLog10?.[k] as number), fx.bounds[k], 1e-9, `${k} log10`);
  }
  assert.equal(r.settings.gridM, fx.gridM);
  assert.equal(r.settings.backend, 'test-jacobi');
  assert.equal(r.settings.headL11, true);
});

test('pipeline (default): head products have no (1,1)-norm, the (1,1) proxies are not computed, the rest matches numpy', async () => {
  const r = await analyzeModel(fixtureAdapter(fx), jacobiEngine, base);
  for (const m of fx.matrices) {
    const got = r.matrices.find((x) => x.layer === m.layer && x.head === m.head && x.type === m.type);
    assert.ok(got);
    if (m.head >= 0) assert.equal(got.norm11, null, `${m.type} ${m.layer}/${m.head}: norm11 not computed`);
    else close(got.norm11 as number, m.norm11, 1e-9, `${m.type} ${m.layer} norm11 (dense: always)`);
    close(got.norm21, m.norm21, 1e-9, 'norm21');
  }
  for (const k of L11_KEYS) {
    assert.equal(r.bounds[k], null, `${k}: null, not 0 nor a partial sum`);
    assert.equal(r.boundsLog10?.[k], null, `${k} log10`);
  }
  for (const k of ['spectrumAdaptive', 'edelman', 'bartlett', 'frobeniusProduct', 'paramCount']) close(r.bounds[k] as number, fx.bounds[k], 1e-9, k);
  assert.equal(r.settings.headL11, false);
  assert.ok(r.notes?.some((n) => n.startsWith('norm11Sum and norm11Product are not computed (needs --head-l11)')));
});

test('pipeline: --init subtracts the initial model (here W0 = W/2 on first factors, so W - W0 = W/2)', async () => {
  // A·B − (A/2)·B = (A/2)·B: every product and dense matrix is halved.
  const half = await analyzeModel(fixtureAdapter(fx, 0.5), jacobiEngine, base);
  const upd = await analyzeModel(fixtureAdapter(fx), jacobiEngine, { ...base, init: fixtureAdapter(fx, 0.5) });
  upd.matrices.forEach((m, i) => {
    close(m.spectralNorm, half.matrices[i].spectralNorm, 1e-9, 'spectral');
    close(m.norm21, half.matrices[i].norm21, 1e-9, 'norm21');
    assert.equal(m.rank, half.matrices[i].rank);
  });
  close(upd.bounds.spectrumAdaptive as number, half.bounds.spectrumAdaptive as number, 1e-9, 'B_ours of the update');
  close(upd.bounds.bartlett as number, half.bounds.bartlett as number, 1e-9, 'BFT of the update');
});

test('pipeline: bad options and NaN weights are one-line errors', async () => {
  await assert.rejects(analyzeModel(fixtureAdapter(fx), jacobiEngine, { ...base, lPhi: -1 }), BadOptionError);
  await assert.rejects(analyzeModel(fixtureAdapter(fx), jacobiEngine, { ...base, gridM: 0 }), BadOptionError);
  await assert.rejects(analyzeModel(fixtureAdapter(fx, NaN), jacobiEngine, base),
    (e: unknown) => e instanceof NumericError && /layer 0 .*NaN/.test(e.message));
});
