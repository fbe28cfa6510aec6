import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransformerRegressor, Tensor, Rng, noGrad, Linear } from '../../src/nn/index.js';
import { saveTransformer, loadTransformer, saveModule, loadModule } from '../../src/nn/serialize.js';
import { openSource } from '../../src/io/open.js';
import { detectAdapter } from '../../src/models/index.js';
import { BadFileError, ModelError } from '../../src/errors.js';

const cfg = { inputDim: 3, hiddenSize: 8, numHeads: 2, numLayers: 2, intermediateSize: 12, seed: 5 };

function input(): Tensor {
  const rng = new Rng(8);
  const x = Tensor.zeros([2, 4, 3]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
  return x;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genbound-nn-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('save and load a TransformerRegressor (with prompt and prefix tokens) gives the same function and names', withDir(async (dir) => {
  const m = new TransformerRegressor({ ...cfg, promptTokens: 2, prefixTokens: 3, activation: 'relu' });
  await saveTransformer(m, dir);
  const conf = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(conf.model_type, 'genbound-transformer');
  assert.equal(conf.hidden_size, 8);
  assert.equal(conf.num_prompt_tokens, 2);
  assert.equal(conf.num_prefix_tokens, 3);
  const back = await loadTransformer(dir);
  assert.deepEqual(back.namedParameters().map(([n]) => n), m.namedParameters().map(([n]) => n));
  const x = input();
  const [a, b] = noGrad(() => [m.forward(x), back.forward(x)]);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
  // genbound's own analysis reads it back through io/ and models/.
  const src = await openSource(dir);
  try {
    assert.ok(src.has('layers.1.attn.o.weight') && src.has('layers.0.ffn.in.bias') && src.has('head.weight'));
    const w = await src.read('layers.1.attn.q.weight');
    assert.deepEqual(Array.from(w.data), Array.from(m.layers[1].attn.q.weight.data));
    const adapter = detectAdapter(src);
    assert.equal(adapter.info.architecture, 'genbound-transformer');
    assert.equal(adapter.info.layers, 2);
    assert.equal(adapter.info.heads, 2);
  } finally {
    await src.close();
  }
}));

test('LoRA adapters are merged into the saved weights by default, or kept and reloaded', withDir(async (dir) => {
  const m = new TransformerRegressor(cfg);
  const lins = m.enableLora(2, { rng: new Rng(3), alpha: 4, targets: ['attn.v'] });
  for (const l of lins) for (let i = 0; i < l.lora!.b.size; i++) l.lora!.b.data[i] = 0.1 * (i % 5) - 0.2;
  const x = input();
  const want = noGrad(() => m.forward(x));
  await saveTransformer(m, join(dir, 'merged'));
  const merged = await loadTransformer(join(dir, 'merged'));
  assert.ok(!merged.namedParameters().some(([n]) => n.includes('lora')));
  const got1 = noGrad(() => merged.forward(x));
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got1.data[i] - want.data[i]) < 1e-5);
  await saveTransformer(m, join(dir, 'adapters'), { mergeLora: false });
  const kept = await loadTransformer(join(dir, 'adapters'));
  assert.ok(kept.layers[0].attn.v.lora && kept.layers[1].attn.v.lora && !kept.layers[0].attn.q.lora);
  const got2 = noGrad(() => kept.forward(x));
  assert.deepEqual(Array.from(got2.data), Array.from(want.data));
}));

test('saveModule/loadModule round trip any module; mismatches are ModelErrors naming the file', withDir(async (dir) => {
  const path = join(dir, 'lin.safetensors');
  const a = new Linear(3, 2, { rng: new Rng(1) });
  await saveModule(a, path);
  const b = new Linear(3, 2, { rng: new Rng(2) });
  await loadModule(b, path);
  assert.deepEqual(Array.from(b.weight.data), Array.from(a.weight.data));
  await assert.rejects(loadModule(new Linear(4, 2, { rng: new Rng(1) }), path), (e: Error) => e instanceof ModelError && e.message.includes(path) && e.message.includes('shape'));
  await assert.rejects(loadModule(new Linear(3, 2, { rng: new Rng(1), bias: false }), path), (e: Error) => e instanceof ModelError && e.message.includes('"bias" is not a parameter'));
  const m = new TransformerRegressor(cfg);
  await saveTransformer(m, join(dir, 't'));
  await assert.rejects(loadModule(new TransformerRegressor({ ...cfg, numLayers: 3 }), join(dir, 't', 'model.safetensors')),
    (e: Error) => e instanceof ModelError && e.message.includes('missing tensor "layers.2.'));
  writeFileSync(join(dir, 't', 'config.json'), '{"model_type": "bert"}');
  await assert.rejects(loadTransformer(join(dir, 't')), (e: Error) => e instanceof BadFileError && e.message.includes('config.json'));
}));

test('loadTransformer treats config.json as hostile: one BadFileError line, nothing allocated beyond what the weights hold', withDir(async (dir) => {
  const m = new TransformerRegressor(cfg);
  await saveTransformer(m, join(dir, 't'));
  const cfgPath = join(dir, 't', 'config.json');
  const good = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  const refuses = async (config: string, ...parts: string[]): Promise<void> => {
    writeFileSync(cfgPath, config);
    await assert.rejects(loadTransformer(join(dir, 't')), (e: Error) => {
      assert.ok(e instanceof BadFileError, `${config}: ${e.name}: ${e.message}`);
      assert.ok(!e.message.includes('\n') && e.message.length < 400, e.message);
      for (const p of parts) assert.ok(e.message.includes(p), `${config}: "${e.message}" lacks "${p}"`);
      return true;
    });
  };
  await refuses('null', 'config.json', 'not a JSON object');
  await refuses(JSON.stringify({ ...good, num_hidden_layers: 3 }), 'describes a model of at least', 'model.safetensors holds');
  // 2^24 hidden units would be 2^50 values: refused from the header's count, before any allocation.
  await refuses(JSON.stringify({ ...good, hidden_size: 2 ** 24 }), 'describes a model of at least');
  await refuses(JSON.stringify({ ...good, hidden_size: '8' }), '"hidden_size"', '"8"');
  await refuses(JSON.stringify({ ...good, model_type: 'x'.repeat(100_000) }), 'model_type is', 'expected "genbound-transformer"');
  await refuses(JSON.stringify({ ...good, lora: { rank: 2 ** 20, alpha: 1, targets: ['layers.0.attn.q'] } }), '"rank"');
  await refuses(JSON.stringify({ ...good, lora: { rank: 2, alpha: 1, targets: 7 } }), 'lora.targets');
  await refuses(JSON.stringify({ ...good, lora: { rank: 2, alpha: 1, targets: Array(1000).fill('layers.0.attn.q') } }), 'lora.targets', 'at most 14');
  await refuses(JSON.stringify({ ...good, lora: 'yes' }), '"lora"');
  // The gate: a config.json that is a link out of the folder is refused, naming the entry.
  writeFileSync(join(dir, 'outside.json'), JSON.stringify(good));
  rmSync(cfgPath);
  symlinkSync(join(dir, 'outside.json'), cfgPath);
  await assert.rejects(loadTransformer(join(dir, 't')), (e: Error) => e instanceof BadFileError && e.message.includes('config.json'));
  rmSync(cfgPath);
  writeFileSync(cfgPath, JSON.stringify(good));
  assert.equal((await loadTransformer(join(dir, 't'))).config.hiddenSize, 8);
}));
