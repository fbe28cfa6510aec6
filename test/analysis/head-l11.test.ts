/**
 * Issue 15: the head products' (1,1)-norm is opt-in (headL11 / --head-l11). On the default path
 * no N×N head product is formed and no (1,1) pass over a head product's entries runs — counted by
 * the js backend (formed.ts, per thread; the pool adds its workers' counts) and by the native
 * addon's own counter of its tile loops (process-wide, so pool workers are included) — on both
 * backends, in-process and through the pool. With headL11 every head product gets one pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/analysis/pipeline.js';
import { inProcess, onPool, type SpectralEngine } from '../../src/analysis/engine.js';
import { formedProducts, l11Passes } from '../../src/linalg/formed.js';
import { createBackend, nativeAvailable } from '../../src/linalg/index.js';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';
import { SpectralPool } from '../../src/linalg/pool.js';
import { fixtureAdapter } from './stand-ins.js';
import { loadBoundsFixture, close } from '../bounds/fixture.js';

const fx = loadBoundsFixture();
const base = { lPhi: fx.lPhi, rankTol: fx.rankTol, spectra: false, convention: 'consistent' as const };
const heads = 2 * fx.L * fx.heads;

interface Counts { thin: number; l11: number }

for (const name of nativeAvailable() ? ['js', 'native'] as const : ['js'] as const) {
  for (const where of ['in-process', 'pool of 2'] as const) {
    test(`${name} backend, ${where}: the default analysis forms no N×N head product and runs no (1,1) pass; headL11 runs one per head product`, async () => {
      const pool = where === 'pool of 2' ? new SpectralPool({ workers: 2, backend: name }) : undefined;
      const engine: SpectralEngine = pool ? onPool(pool, `${name} (pool)`) : inProcess(createBackend(name));
      const counts = async (): Promise<Counts> => {
        // js: this thread's counters, or the pool workers' own; native: the addon's tile loops in the whole process.
        const js = pool ? await pool.counters() : { thin: formedProducts.thin, l11Js: l11Passes.js };
        const l11 = name === 'native' ? (loadNativeAddon()?.productL11Count() ?? NaN) : js.l11Js;
        return { thin: js.thin, l11 };
      };
      try {
        const c0 = await counts();
        const off = await analyzeModel(fixtureAdapter(fx), engine, base);
        const c1 = await counts();
        assert.equal(c1.thin - c0.thin, 0, 'head products formed on the default path');
        assert.equal(c1.l11 - c0.l11, 0, '(1,1) passes over head products on the default path');
        assert.equal(off.bounds.norm11Sum, null);
        const on = await analyzeModel(fixtureAdapter(fx), engine, { ...base, headL11: true });
        const c2 = await counts();
        assert.equal(c2.thin - c1.thin, 0, 'head products formed with headL11 (tiles, never the whole product)');
        assert.equal(c2.l11 - c1.l11, heads, 'one (1,1) pass per head product with headL11');
        close(on.bounds.norm11Sum as number, fx.bounds.norm11Sum, 1e-9, 'norm11Sum');
        close(on.bounds.norm11Product as number, fx.bounds.norm11Product, 1e-9, 'norm11Product');
        assert.equal(on.bounds.spectrumAdaptive, off.bounds.spectrumAdaptive, 'the flag changes nothing else');
      } finally {
        await engine.close();
      }
    });
  }
}

test('library API: headL11 is a validated setting; off by default', async () => {
  const { analyze } = await import('../../src/api.js');
  const { BadOptionError } = await import('../../src/errors.js');
  const model = new URL('../fixtures/analyze/e2e/bert-f32', import.meta.url).pathname;
  const off = await analyze(model, { workers: 1 });
  assert.equal(off.bounds.norm11Sum, null);
  assert.equal(off.settings.headL11, false);
  const on = await analyze(model, { workers: 1, headL11: true });
  assert.ok(typeof on.bounds.norm11Sum === 'number' && on.bounds.norm11Sum > 0);
  assert.ok(on.matrices.every((m) => typeof m.norm11 === 'number'));
  await assert.rejects(analyze(model, { headL11: 'yes' as unknown as boolean }), (e: Error) => e instanceof BadOptionError && /headL11 must be true or false/.test(e.message));
});
