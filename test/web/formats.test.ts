/**
 * Every input the page takes, in Debian's headless Chromium against `genbound serve`, each equal to
 * `genbound --backend js analyze --json` to 1e-12 (test/web/cli-reference.ts): a sharded
 * safetensors BERT (picked as a folder, and fetched by hub id from a local stand-in hub), a
 * PyTorch pytorch_model.bin with its config.json (dropped), the BERT ONNX export with its
 * config.json (picked as a folder), and a llama.cpp GGUF file (dropped alone). The tfjs folder
 * (USE-lite) and a single safetensors file are in page.test.ts.
 *
 * And the streaming promise: a checkpoint is read through File.slice a piece at a time. The page and
 * its coordinator worker are instrumented (every Blob read and FileReader call reports its size on a
 * BroadcastChannel), and on a file eight layers long no single read may exceed one layer's bytes,
 * while all reads together cover the file about once.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { cliJson, sameNumbers } from './cli-reference.js';
import { writeBert, type BertFiles, type BertShape } from './bert-fixture.js';
import { downloadText, dropFiles, openPage, settled, startWebSession, type WebSession } from './harness.js';

const TINY: BertShape = { layers: 2, hidden: 64, heads: 4, intermediate: 128 };
const ONNX_BERT = 'test/fixtures/models/formats/bert-onnx';
const GGUF_LLAMA = 'test/fixtures/models/gguf-llama/model.gguf';

let s: WebSession;
let sharded: BertFiles;
let torch: BertFiles;
const ref: Record<string, unknown> = {};

before(async () => {
  s = await startWebSession(async (dir) => {
    sharded = await writeBert(join(dir, 'sharded-bert'), TINY, { shards: 2 });
    torch = await writeBert(join(dir, 'torch-bert'), TINY, { format: 'pytorch' });
    ref.sharded = await cliJson(dir, join(dir, 'sharded-bert'));
    ref.torch = await cliJson(dir, join(dir, 'torch-bert'));
    ref.onnx = await cliJson(dir, ONNX_BERT);
    ref.gguf = await cliJson(dir, GGUF_LLAMA);
  }, (dir) => ({ 'genbound-test/sharded-bert': join(dir, 'sharded-bert') }));
});

after(() => s?.close());

/** Runs the page on what `start` gives it; returns its result.json after checking no errors. */
async function pageResult(start: (page: Awaited<ReturnType<typeof openPage>>['page']) => Promise<void>): Promise<{ model: { format: string; architecture?: string } }> {
  const { page, errors } = await openPage(s.browser, s.served.url);
  await start(page);
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  const json = JSON.parse(await downloadText(page, 'result.json')) as { model: { format: string; architecture?: string } };
  assert.deepEqual(errors, []);
  await page.close();
  return json;
}

test('sharded safetensors picked as a folder: every number equal to the CLI\'s', async () => {
  const json = await pageResult((page) => page.setInputFiles('#pick-folder', join(s.dir, 'sharded-bert')));
  assert.equal(json.model.format, 'safetensors');
  assert.ok(sameNumbers(json, ref.sharded) > 100);
});

test('sharded safetensors by hub id: the index, then both shards by range requests', async () => {
  const json = await pageResult(async (page) => {
    await page.fill('#hub-id', 'genbound-test/sharded-bert');
    await page.click('#hub-go');
  });
  assert.ok(sameNumbers(json, ref.sharded) > 100);
  for (const f of sharded.files.filter((p) => p.endsWith('.safetensors'))) {
    assert.ok(s.hub.requests.some((r) => r.includes(`/${basename(f)} bytes=`)), `${basename(f)} not read by range: ${s.hub.requests.join('\n')}`);
  }
});

test('PyTorch pytorch_model.bin dropped with its config.json: every number equal to the CLI\'s', async () => {
  const json = await pageResult((page) => dropFiles(page, torch.files.map((f) => ({ name: basename(f), bytes: readFileSync(f) }))));
  assert.equal(json.model.format, 'pytorch');
  assert.ok(sameNumbers(json, ref.torch) > 100);
});

test('the BERT ONNX export picked as a folder: every number equal to the CLI\'s', async () => {
  const json = await pageResult((page) => page.setInputFiles('#pick-folder', ONNX_BERT));
  assert.equal(json.model.format, 'onnx');
  assert.ok(sameNumbers(json, ref.onnx) > 50);
});

test('a GGUF file dropped alone: every number equal to the CLI\'s', async () => {
  const json = await pageResult((page) => dropFiles(page, [{ name: 'model.gguf', bytes: readFileSync(GGUF_LLAMA) }]));
  assert.equal(json.model.format, 'gguf');
  assert.ok(sameNumbers(json, ref.gguf) > 100);
});

/**
 * Reports every read of a Blob's bytes (Blob methods, FileReader, FileReaderSync), with the size
 * read, on the BroadcastChannel 'genbound-reads'. Put in front of the page's scripts and of the
 * coordinator worker's bundle, so every context that could read a dropped file is watched.
 */
const READ_SPY = `(() => {
  const ch = new BroadcastChannel('genbound-reads');
  const report = (how, blob) => ch.postMessage({ how, size: blob.size, where: typeof document === 'undefined' ? 'worker' : 'page' });
  for (const m of ['arrayBuffer', 'bytes', 'text', 'stream']) {
    const f = Blob.prototype[m];
    if (f) Blob.prototype[m] = function (...a) { report(m, this); return f.apply(this, a); };
  }
  for (const R of [self.FileReader, self.FileReaderSync]) {
    if (!R) continue;
    for (const m of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsDataURL', 'readAsText']) {
      const f = R.prototype[m];
      if (f) R.prototype[m] = function (b, ...a) { report(m, b); return f.call(this, b, ...a); };
    }
  }
})();
`;

test('a file eight layers long is read a piece at a time: no read above one layer\'s bytes, the file read about once', async () => {
  const shape: BertShape = { layers: 8, hidden: 64, heads: 4, intermediate: 256 };
  const long = await writeBert(join(s.dir, 'long-bert'), shape);
  const want = await cliJson(s.dir, join(s.dir, 'long-bert'));
  const fileBytes = statSync(long.weights).size;
  const layerBytes = 4 * (4 * shape.hidden ** 2 + 2 * shape.hidden * shape.intermediate);
  assert.ok(fileBytes >= shape.layers * layerBytes && fileBytes < shape.layers * layerBytes + 16_384, `${fileBytes} bytes`);

  const { page, errors } = await openPage(s.browser, 'about:blank');
  await page.addInitScript(READ_SPY);
  await page.route('**/assets/coordinator-worker-*.js', async (route) => {
    const original = await route.fetch();
    await route.fulfill({ response: original, body: READ_SPY + await original.text() });
  });
  await page.goto(s.served.url, { waitUntil: 'load' });
  await page.evaluate(`(() => {
    window.genboundReads = [];
    new BroadcastChannel('genbound-reads').onmessage = (e) => window.genboundReads.push(e.data);
  })()`);
  await page.setInputFiles('#pick-files', [long.weights, long.config]);
  assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
  sameNumbers(JSON.parse(await downloadText(page, 'result.json')), want);
  // BroadcastChannel delivers asynchronously: wait until the count stops growing.
  let reads: { how: string; size: number; where: string }[] = [];
  for (let n = -1; n !== reads.length; await page.waitForTimeout(200)) {
    n = reads.length;
    reads = (await page.evaluate('window.genboundReads')) as typeof reads;
  }
  assert.deepEqual(errors, []);
  await page.close();

  const ofWeights = reads.filter((r) => r.where === 'worker');
  const total = ofWeights.reduce((s, r) => s + r.size, 0);
  const largest = Math.max(...ofWeights.map((r) => r.size));
  const configBytes = statSync(long.config).size;
  // Watched at all: the weights' bytes went through the spy (or the test proves nothing).
  assert.ok(total >= shape.layers * layerBytes, `only ${total} of ${fileBytes} bytes seen read`);
  assert.ok(largest <= layerBytes, `one read of ${largest} bytes, more than a layer (${layerBytes}) of a ${fileBytes}-byte file`);
  assert.ok(total <= fileBytes + configBytes + 65_536, `${total} bytes read for a ${fileBytes}-byte file: parts were read more than once`);
  assert.ok(reads.every((r) => r.where === 'worker'), `the page itself read: ${JSON.stringify(reads.filter((r) => r.where !== 'worker'))}`);
  console.log(`file reads: ${ofWeights.length}, largest ${largest} B (a layer: ${layerBytes} B, a tensor at most ${4 * shape.hidden * shape.intermediate} B), total ${total} B for ${fileBytes + configBytes} B of files`);
});

test('nothing left this machine', () => {
  assert.deepEqual(s.browser.offsite, []);
});
