import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadOptionError, ModelError, NumericError, UnsupportedError } from '../../src/errors.js';
import type { Tensor } from '../../src/io/types.js';
import { detectAdapter, rawMatrices, rawMatrixNames } from '../../src/models/index.js';
import { MemorySource, tensor } from './helpers.js';

function bert(L: number, N: number, I: number): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  let seed = 1;
  const add = (name: string, shape: number[]) => m.set(name, tensor(name, shape, seed++));
  for (let l = 0; l < L; l++) {
    const p = `bert.encoder.layer.${l}.`;
    for (const r of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) add(`${p}${r}.weight`, [N, N]);
    add(`${p}intermediate.dense.weight`, [I, N]);
    add(`${p}output.dense.weight`, [N, I]);
    add(`${p}attention.output.LayerNorm.weight`, [N]);
  }
  add('bert.embeddings.word_embeddings.weight', [30, N]);
  return m;
}

const cfg = (over: Record<string, unknown> = {}) => ({ model_type: 'bert', hidden_size: 8, num_attention_heads: 2, num_hidden_layers: 2, intermediate_size: 12, ...over });

test('heads that do not divide the hidden size: one clear ModelError', () => {
  const src = new MemorySource(bert(2, 8, 12), cfg({ num_attention_heads: 3 }));
  assert.throws(() => detectAdapter(src), (e: Error) => e instanceof ModelError && /memory:\/\/test: 3 attention heads do not divide the hidden size 8/.test(e.message));
});

test('missing tensor: ModelError naming it, only when its layer is read (lazy)', async () => {
  const t = bert(2, 8, 12);
  t.delete('bert.encoder.layer.1.attention.self.key.weight');
  const src = new MemorySource(t, cfg());
  const a = detectAdapter(src);
  assert.equal((await a.layerMatrices(0)).length, 6);
  await assert.rejects(a.layerMatrices(1), (e: Error) => e instanceof ModelError && /missing tensor bert\.encoder\.layer\.1\.attention\.self\.key\.weight/.test(e.message));
});

test('layerMatrices(l) reads only layer l tensors', async () => {
  const src = new MemorySource(bert(3, 8, 12), cfg({ num_hidden_layers: 3 }));
  const a = detectAdapter(src);
  await a.layerMatrices(1);
  assert.equal(src.reads.length, 6);
  assert.ok(src.reads.every((n) => n.startsWith('bert.encoder.layer.1.')), src.reads.join(','));
});

test('unsupported architecture: UnsupportedError that points to generic mode', () => {
  const src = new MemorySource(bert(1, 8, 12), { model_type: 't5' });
  assert.throws(() => detectAdapter(src), (e: Error) => e instanceof UnsupportedError && /unsupported architecture: model_type "t5".*generic mode/.test(e.message));
  const unnamed = new MemorySource(new Map([['w', tensor('w', [4, 4])]]));
  assert.throws(() => detectAdapter(unnamed), (e: Error) => e instanceof UnsupportedError && /no adapter recognises/.test(e.message));
});

test('config contradicting the tensors: shape and layer count', async () => {
  const wide = detectAdapter(new MemorySource(bert(2, 8, 12), cfg({ hidden_size: 16 })));
  await assert.rejects(wide.layerMatrices(0), (e: Error) => e instanceof ModelError && /query\.weight has shape \[8, 8\], expected \[16, 16\]/.test(e.message));
  assert.throws(() => detectAdapter(new MemorySource(bert(2, 8, 12), cfg({ num_hidden_layers: 3 }))), (e: Error) => e instanceof ModelError && /layer 2 has no tensors/.test(e.message));
  assert.throws(() => detectAdapter(new MemorySource(bert(3, 8, 12), cfg())), (e: Error) => e instanceof ModelError && /says 2 layers but the tensors hold 3/.test(e.message));
});

test('head count: required when the model does not say it, checked when it does', () => {
  const t = bert(1, 8, 12);
  assert.throws(() => detectAdapter(new MemorySource(t)), (e: Error) => e instanceof ModelError && /pass --heads/.test(e.message));
  assert.equal(detectAdapter(new MemorySource(t), { heads: 4 }).info.headDim, 2);
  assert.throws(() => detectAdapter(new MemorySource(t, cfg({ num_hidden_layers: 1 })), { heads: 4 }), BadOptionError);
  assert.throws(() => detectAdapter(new MemorySource(t), { heads: 0 }), BadOptionError);
});

test('NaN in a weight: NumericError naming the tensor', async () => {
  const t = bert(1, 8, 12);
  t.get('bert.encoder.layer.0.output.dense.weight')!.data[5] = NaN;
  const a = detectAdapter(new MemorySource(t, cfg({ num_hidden_layers: 1 })));
  await assert.rejects(a.layerMatrices(0), (e: Error) => e instanceof NumericError && /output\.dense\.weight holds NaN at flat index 5/.test(e.message));
});

test('grouped-query attention: key/value heads must divide query heads', () => {
  const m = new Map<string, Tensor>();
  const p = 'model.layers.0.';
  for (const [n, s] of [['self_attn.q_proj.weight', [8, 8]], ['self_attn.k_proj.weight', [6, 8]], ['self_attn.v_proj.weight', [6, 8]], ['self_attn.o_proj.weight', [8, 8]], ['mlp.gate_proj.weight', [4, 8]], ['mlp.up_proj.weight', [4, 8]], ['mlp.down_proj.weight', [8, 4]]] as const) {
    m.set(p + n, tensor(p + n, [...s]));
  }
  const src = new MemorySource(m, { model_type: 'llama', hidden_size: 8, num_attention_heads: 4, num_key_value_heads: 3, num_hidden_layers: 1, intermediate_size: 4 });
  assert.throws(() => detectAdapter(src), (e: Error) => e instanceof ModelError && /3 key\/value heads do not divide 4 query heads/.test(e.message));
});

test('generic mode lists every 2-D weight by name', async () => {
  const src = new MemorySource(bert(1, 8, 12), { model_type: 'unknown' });
  const names = rawMatrixNames(src).map((m) => m.name);
  assert.equal(names.length, 7);
  assert.ok(!names.some((n) => n.includes('LayerNorm')));
  const seen: string[] = [];
  for await (const r of rawMatrices(src)) {
    seen.push(r.name);
    assert.equal(r.matrix.rows * r.matrix.cols, r.matrix.data.length);
  }
  assert.deepEqual(seen, names);
});
