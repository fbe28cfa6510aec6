import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLayer, analyzeModel } from '../../src/analysis/pipeline.js';
import { mergeLayers, type LayerResult } from '../../src/analysis/merge.js';
import { DEFAULT_SETTINGS, resolveSettings } from '../../src/analysis/settings.js';
import { BadOptionError, ModelError } from '../../src/errors.js';
import { jacobiEngine, fixtureAdapter } from './stand-ins.js';
import { loadBoundsFixture } from '../bounds/fixture.js';

const fx = loadBoundsFixture();
const { init: _path, ...settings } = resolveSettings({ lPhi: fx.lPhi, rankTol: fx.rankTol, spectra: true });

test('layers analysed apart (in reverse, through JSON) merge to exactly the single run', async () => {
  const adapter = fixtureAdapter(fx);
  const whole = await analyzeModel(adapter, jacobiEngine, settings);
  const parts: LayerResult[] = [];
  for (let l = adapter.info.layers - 1; l >= 0; l--) {
    parts.push(JSON.parse(JSON.stringify(await analyzeLayer(fixtureAdapter(fx), jacobiEngine, l, settings))) as LayerResult);
  }
  const ctx = { info: adapter.info, notes: adapter.notes, backend: jacobiEngine.backend, init: false };
  assert.deepEqual(mergeLayers(ctx, settings, parts), whole);
  // A missing or repeated layer is refused, not merged into a wrong bound.
  assert.throws(() => mergeLayers(ctx, settings, parts.slice(1)), ModelError);
  assert.throws(() => mergeLayers(ctx, settings, [...parts.slice(1), parts[1]]), ModelError);
});

test('settings: defaults, and one validator naming keys at the API edge and flags at the CLI edge', () => {
  assert.deepEqual(resolveSettings(), { ...DEFAULT_SETTINGS });
  assert.equal(resolveSettings({ lPhi: 2, gridM: 3 }).gridM, 3);
  assert.equal(resolveSettings({ lPhi: '2.5' }, 'cli').lPhi, 2.5);
  assert.throws(() => resolveSettings({ lPhi: '2.5' }), (e: unknown) => e instanceof BadOptionError && /^lPhi must be a positive number/.test(e.message));
  assert.throws(() => resolveSettings({ lphi: 2 }), (e: unknown) => e instanceof BadOptionError && /unknown setting "lphi"/.test(e.message));
  assert.throws(() => resolveSettings({ rankTol: -1 }, 'cli'), /^BadOptionError: --rank-tol must be a non-negative number \(got -1\)/);
  assert.throws(() => resolveSettings({ workers: 1.5 }), /workers must be auto or a positive integer/);
  assert.throws(() => resolveSettings({ convention: 'weird' }, 'cli'), /--convention must be consistent or reference/);
});
