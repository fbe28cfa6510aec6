/**
 * The browser page end to end, in Debian's headless Chromium against `genbound serve`: the
 * embedded USE-lite tfjs folder (picked as a folder) and a generated BERT-shaped safetensors
 * model (dropped as files, and fetched from a local stand-in hub) give the same numbers as
 * `genbound --backend js analyze --json` to 1e-12; figures are drawn, the downloads hold the
 * results, compare works for several dropped models, Cancel stops the workers and the page
 * recovers, no console errors, and no request leaves this machine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/models/paths.js';
import { figureInfo } from '../report/browser.js';
import { cliJson as cli, sameNumbers } from './cli-reference.js';
import { writeBert, type BertFiles } from './bert-fixture.js';
import { downloadText, dropFiles, openPage, settled, startWebSession, type WebSession } from './harness.js';

const TINY = { layers: 2, hidden: 64, heads: 4, intermediate: 128 };
let s: WebSession;
let bert: BertFiles;
const cliJson: Record<string, unknown> = {};

before(async () => {
  s = await startWebSession(async (dir) => {
    bert = await writeBert(join(dir, 'tiny-bert'), TINY);
    cliJson.use = await cli(dir, dirname(defaultModelPath()));
    cliJson.bert = await cli(dir, join(dir, 'tiny-bert'));
  }, (dir) => ({ 'genbound-test/tiny-bert': join(dir, 'tiny-bert') }));
});

after(() => s?.close());

test('USE-lite picked as a folder: the CLI\'s numbers to 1e-12, figures drawn, downloads, no errors', async () => {
  const { page, errors } = await openPage(s.browser, s.served.url);
  await page.setInputFiles('#pick-folder', dirname(defaultModelPath()));
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  const json = JSON.parse(await downloadText(page, 'result.json')) as unknown;
  assert.ok(sameNumbers(json, cliJson.use) > 500);
  const figs = await figureInfo(page);
  assert.ok(figs.length >= 4, `figures: ${figs.map((f) => f.name).join(', ')}`);
  for (const f of figs) assert.ok(f.marks > 0 && f.width > 50 && f.height > 50, `figure ${f.name} is empty: ${JSON.stringify(f)}`);
  const csv = await downloadText(page, 'matrices.csv');
  assert.equal(csv.split('\n')[0].split(',')[0], 'layer');
  assert.equal(csv.trim().split('\n').length, 1 + (cliJson.use as { matrices: unknown[] }).matrices.length);
  const report = await downloadText(page, 'report.html');
  assert.match(report, /<svg/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a BERT-shaped safetensors dropped with its config.json: the CLI\'s numbers to 1e-12, tooltips and zoom', async () => {
  const { page, errors } = await openPage(s.browser, s.served.url);
  await dropFiles(page, [{ name: 'model.safetensors', bytes: readFileSync(bert.weights) }, { name: 'config.json', bytes: readFileSync(bert.config) }]);
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  const json = JSON.parse(await downloadText(page, 'result.json')) as unknown;
  assert.ok(sameNumbers(json, cliJson.bert) > 100);
  // A tooltip shows the data under the pointer, and the wheel zooms (the axis labels change).
  const fig = page.locator('figure.plot[data-name="t-curves"]');
  await fig.scrollIntoViewIfNeeded();
  await fig.locator('g.mark-symbol path').first().hover({ force: true });
  await page.waitForSelector('.vg-tooltip', { state: 'visible', timeout: 5000 });
  assert.match(await page.textContent('.vg-tooltip') ?? '', /ratio: /);
  const box = await fig.locator('g.mark-symbol path').first().boundingBox();
  assert.ok(box);
  const before = await fig.locator('.role-axis-label').allTextContents();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(300);
  const after = await fig.locator('.role-axis-label').allTextContents();
  assert.notDeepEqual(after, before, 'the wheel did not zoom');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a hub id fetched from a local hub with range requests gives the same numbers', async () => {
  const { page, errors } = await openPage(s.browser, s.served.url);
  assert.equal(await page.inputValue('#hub-endpoint'), s.hub.endpoint);
  await page.fill('#hub-id', 'genbound-test/tiny-bert');
  await page.click('#hub-go');
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  sameNumbers(JSON.parse(await downloadText(page, 'result.json')), cliJson.bert);
  assert.ok(s.hub.requests.some((r) => /resolve\/.*model\.safetensors bytes=/.test(r)), s.hub.requests.join('\n'));
  assert.ok(!s.hub.requests.some((r) => /model\.safetensors$/.test(r)), 'the weights were fetched whole');
  assert.deepEqual(errors, []);
  await page.close();
});

test('several dropped models are compared (with the head products\' (1,1)-norm ticked)', async () => {
  const wide = await writeBert(join(s.dir, 'wide-bert'), { layers: 2, hidden: 128, heads: 4, intermediate: 256 });
  const { page, errors } = await openPage(s.browser, s.served.url);
  await page.click('#settings summary');
  await page.fill('#heads', '4');
  await page.check('#head-l11');
  await dropFiles(page, [{ name: 'narrow.safetensors', bytes: readFileSync(bert.weights) }, { name: 'wide.safetensors', bytes: readFileSync(wide.weights) }]);
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  const json = JSON.parse(await downloadText(page, 'result.json')) as {
    models: { model: { hidden: number }; bounds: Record<string, number | null>; matrices: { type: string; norm11: number | null }[] }[]; growth: { bound: string }[];
  };
  assert.deepEqual(json.models.map((m) => m.model.hidden), [64, 128]);
  assert.ok(json.growth.length > 0);
  // The setting reached the SVD workers: every head product has its (1,1)-norm, and the (1,1) proxies grow.
  for (const m of json.models) {
    assert.ok(typeof m.bounds.norm11Sum === 'number' && m.matrices.every((x) => typeof x.norm11 === 'number'));
  }
  assert.ok(json.growth.some((g) => g.bound === 'norm11Product'));
  assert.ok((await figureInfo(page)).some((f) => f.marks > 0));
  assert.deepEqual(errors, []);
  await page.close();
});

test('Cancel terminates the workers and the page recovers', async () => {
  const big = await writeBert(join(s.dir, 'big-bert'), { layers: 6, hidden: 384, heads: 6, intermediate: 1536 });
  const { page, errors } = await openPage(s.browser, s.served.url);
  await page.setInputFiles('#pick-files', [big.weights, big.config]);
  await page.waitForFunction(`document.body.dataset.state === 'running' && Number(document.getElementById('progress').value) > 0`, undefined, { timeout: 60_000 });
  assert.ok(page.workers().length >= 2, `workers running: ${page.workers().length}`);
  await page.click('#cancel');
  assert.equal(await settled(page), 'cancelled');
  for (let i = 0; i < 50 && page.workers().length > 0; i++) await page.waitForTimeout(100);
  assert.equal(page.workers().length, 0, 'workers still alive after Cancel');
  assert.equal(await page.isVisible('#run'), false);
  // The page takes the next model as if nothing happened.
  await dropFiles(page, [{ name: 'model.safetensors', bytes: readFileSync(bert.weights) }, { name: 'config.json', bytes: readFileSync(bert.config) }]);
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  sameNumbers(JSON.parse(await downloadText(page, 'result.json')), cliJson.bert);
  assert.deepEqual(errors, []);
  await page.close();
});

test('nothing left this machine', () => {
  assert.deepEqual(s.browser.offsite, []);
});
