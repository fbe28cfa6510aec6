import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModel } from '../../src/analysis/pipeline.js';
import { createEngine } from '../../src/analysis/engine.js';
import { formedProducts } from '../../src/linalg/formed.js';
import { backend } from '../../src/linalg/index.js';
import { fixtureAdapter } from './stand-ins.js';
import { loadBoundsFixture } from '../bounds/fixture.js';

const fx = loadBoundsFixture();
const base = { lPhi: fx.lPhi, rankTol: fx.rankTol, spectra: false };

test(`default path (${backend().name} backend): no N×N head product is formed; the reference convention does form them`, async () => {
  const engine = createEngine(1);
  try {
    const before = { ...formedProducts };
    await analyzeModel(fixtureAdapter(fx), engine, { ...base, convention: 'consistent' });
    assert.equal(formedProducts.thin - before.thin, 0, 'head products (inner dimension d < N) formed on the default path');
    // The value map sum_h V_tilde_h (inner dimension H·d = N) is formed once per layer, by design.
    assert.equal(formedProducts.other - before.other, fx.L, 'one value map per layer');
    await analyzeModel(fixtureAdapter(fx), engine, { ...base, convention: 'reference' });
    assert.ok(formedProducts.thin - before.thin >= 2 * fx.L * fx.heads, 'the counter sees formed head products (reference convention)');
  } finally {
    await engine.close();
  }
});
