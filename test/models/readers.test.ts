import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadFileError, GenboundError, ModelError, UnsupportedError } from '../../src/errors.js';
import { openSource } from '../../src/io/open.js';
import { openOnnx } from '../../src/io/formats/onnx/reader.js';
import { folderOfFile, NodeFolder } from '../../src/io/node-gate.js';
import { openTfjs } from '../../src/io/formats/tfjs/reader.js';
import { hasGraph } from '../../src/io/types.js';
import { detectAdapter } from '../../src/models/index.js';
import type { TheoryMatrix } from '../../src/models/types.js';
import { close, summaryOf, type Summary } from './helpers.js';

/** Opens an ONNX file through the gate of its folder. */
async function onnxAt(path: string): ReturnType<typeof openOnnx> {
  const { folder, entry } = await folderOfFile(path);
  return openOnnx(folder, entry);
}

/** Files and expected values from scripts/golden/models_formats.py (hand-made protobuf, numpy). */
const DIR = 'test/fixtures/models/formats';
const golden = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  onnx: { tensors: Record<string, number[]>; heads: { QK: Summary; V_tilde: Summary }[]; M_in: Summary; M_out: Summary };
  tfjs: Record<string, number[]>;
  bert_onnx: { heads: { QK: Summary; V_tilde: Summary }[]; M_in: Summary; M_out: Summary; params: number };
};

/** A layer's QK, V_tilde, M_in and M_out against numpy's summaries. */
function sameBertMatrices(ms: TheoryMatrix[], g: { heads: { QK: Summary; V_tilde: Summary }[]; M_in: Summary; M_out: Summary }, rel?: number, abs?: number): void {
  const cmp = (got: Summary, want: Summary, what: string) => {
    assert.deepEqual([got.rows, got.cols], [want.rows, want.cols], what);
    for (const k of ['fro', 'e01', 'e10'] as const) assert.ok(close(got[k], want[k], rel, abs), `${what} ${k} ${got[k]} != ${want[k]}`);
  };
  g.heads.forEach((h, i) => {
    cmp(summaryOf(ms.find((m) => m.type === 'QK' && m.head === i)!), h.QK, `head ${i} QK`);
    cmp(summaryOf(ms.find((m) => m.type === 'V_tilde' && m.head === i)!), h.V_tilde, `head ${i} V_tilde`);
  });
  cmp(summaryOf(ms.find((m) => m.type === 'M_in')!), g.M_in, 'M_in');
  cmp(summaryOf(ms.find((m) => m.type === 'M_out')!), g.M_out, 'M_out');
}

function sameValues(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) assert.ok(close(actual[i], expected[i], 1e-6, 1e-7), `${what}[${i}] ${actual[i]} != ${expected[i]}`);
}

function tmpCopy(files: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'genbound-models-'));
  for (const f of files) copyFileSync(join(DIR, f), join(d, f));
  return d;
}

test('ONNX: initializers, Constant nodes, raw/typed/external data, f16/bf16/f64/int types', async () => {
  const src = await onnxAt(join(DIR, 'attn.onnx'));
  assert.ok(hasGraph(src));
  assert.equal(src.metadata.producer, 'genbound-golden');
  for (const [name, values] of Object.entries(golden.onnx.tensors)) sameValues((await src.read(name)).data, values, name);
  assert.equal((await src.read('dbl')).data.constructor, Float64Array);
  assert.deepEqual(src.list().find((t) => t.name === 'proj'), { name: 'proj', dtype: 'F16', shape: [6, 6] });
  assert.deepEqual(src.smallConstant('ch'), [2]);
  assert.equal(src.smallConstant('W_qkv'), undefined);
  await assert.rejects(src.read('nope'), ModelError);
});

test('ONNX attention block found by structure; heads folded from the Reshape shape', async () => {
  const src = await openSource(join(DIR, 'attn.onnx'));
  const a = detectAdapter(src);
  assert.equal(a.info.heads, 2);
  assert.equal(a.info.headDim, 3);
  const ms = await a.layerMatrices(0);
  const g = golden.onnx;
  const cmp = (got: Summary, want: Summary, what: string) => {
    assert.deepEqual([got.rows, got.cols], [want.rows, want.cols], what);
    for (const k of ['fro', 'e01', 'e10'] as const) assert.ok(close(got[k], want[k]), `${what} ${k} ${got[k]} != ${want[k]}`);
  };
  g.heads.forEach((h, i) => {
    cmp(summaryOf(ms.find((m) => m.type === 'QK' && m.head === i)!), h.QK, `head ${i} QK`);
    cmp(summaryOf(ms.find((m) => m.type === 'V_tilde' && m.head === i)!), h.V_tilde, `head ${i} V_tilde`);
  });
  cmp(summaryOf(ms.find((m) => m.type === 'M_in')!), g.M_in, 'M_in');
  cmp(summaryOf(ms.find((m) => m.type === 'M_out')!), g.M_out, 'M_out');
});

test('ONNX bad input: truncated, random bytes, missing external data, one clear error each', async () => {
  const d = tmpCopy(['attn.onnx', 'attn.weights']);
  try {
    const bytes = readFileSync(join(d, 'attn.onnx'));
    writeFileSync(join(d, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(onnxAt(join(d, 'cut.onnx')), (e: Error) => e instanceof BadFileError && /cut\.onnx: not a valid ONNX model/.test(e.message));
    // Fuzz: random bytes and mutated copies of the valid file. Whatever happens must be either a
    // clean source whose tensors read or fail with a GenboundError, never another exception.
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    let rejected = 0;
    for (let trial = 0; trial < 60; trial++) {
      const junk = trial < 30 ? Buffer.alloc(64 + trial * 7) : Buffer.from(bytes);
      if (trial < 30) for (let i = 0; i < junk.length; i++) junk[i] = rand();
      else for (let k = 0; k < 4; k++) junk[(rand() * 256 + rand()) % junk.length] = rand();
      writeFileSync(join(d, 'junk.onnx'), junk);
      try {
        const src = await onnxAt(join(d, 'junk.onnx'));
        for (const t of src.list()) await src.read(t.name).catch((e: unknown) => assert.ok(e instanceof GenboundError, String(e)));
      } catch (e) {
        assert.ok(e instanceof GenboundError, String(e));
        rejected++;
      }
    }
    assert.ok(rejected >= 25, `${rejected} of 60 fuzzed files rejected`);
    await assert.rejects(onnxAt(join(d, 'absent.onnx')), /absent\.onnx: no such file/);
    truncateSync(join(d, 'attn.weights'), 100);
    const src = await onnxAt(join(d, 'attn.onnx'));
    await assert.rejects(src.read('fc2'), (e: Error) => e instanceof BadFileError && /attn\.weights: truncated: external data of tensor "fc2" needs bytes 16\.\.208 but the file has 100/.test(e.message));
    rmSync(join(d, 'attn.weights'));
    await assert.rejects(src.read('fc2'), (e: Error) => e instanceof BadFileError && /attn\.weights: no such file/.test(e.message));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('tfjs: weights over two shards (split inside a tensor), uint8/uint16/float16 dequantisation', async () => {
  const src = await openSource(DIR + '/model.json');
  assert.equal(src.format, 'tfjs');
  for (const [name, values] of Object.entries(golden.tfjs)) sameValues((await src.read(name)).data, values, name);
  assert.ok(hasGraph(src));
  assert.equal(src.graph().find((n) => n.name === 'r')?.inputs[1], 'i:0');
  assert.deepEqual(src.smallConstant('i'), [7, -3]);
  assert.equal(src.metadata?.generatedBy, 'genbound-golden');
});

test('tfjs bad input: short shard, missing shard, unknown dtype, not a model.json', async () => {
  const d = tmpCopy(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin']);
  try {
    truncateSync(join(d, 'group1-shard2of2.bin'), 40);
    await assert.rejects(openTfjs(await NodeFolder.open(d), 'model.json'), (e: Error) => e instanceof BadFileError && /describes 98 bytes but its shards hold 90/.test(e.message));
    rmSync(join(d, 'group1-shard2of2.bin'));
    await assert.rejects(openTfjs(await NodeFolder.open(d), 'model.json'), (e: Error) => e instanceof BadFileError && /group1-shard2of2\.bin: weight shard listed in model\.json not found/.test(e.message));
    const j = JSON.parse(readFileSync(join(DIR, 'model.json'), 'utf8')) as { weightsManifest: { weights: { dtype: string }[] }[] };
    j.weightsManifest[0].weights[0].dtype = 'string';
    copyFileSync(join(DIR, 'group1-shard2of2.bin'), join(d, 'group1-shard2of2.bin'));
    writeFileSync(join(d, 'model.json'), JSON.stringify(j));
    await assert.rejects(openTfjs(await NodeFolder.open(d), 'model.json'), (e: Error) => e instanceof UnsupportedError && /weight "a" has dtype "string"/.test(e.message));
    writeFileSync(join(d, 'model.json'), '{"modelTopology": {}');
    await assert.rejects(openTfjs(await NodeFolder.open(d), 'model.json'), (e: Error) => e instanceof BadFileError && /model\.json: not valid JSON/.test(e.message));
    writeFileSync(join(d, 'model.json'), '{"modelTopology": {}}');
    await assert.rejects(openTfjs(await NodeFolder.open(d), 'model.json'), /no weightsManifest/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('torch.onnx export naming: MatMul weights recovered from their biases, BERT adapter applies', async () => {
  const src = await openSource(join(DIR, 'bert-onnx'));
  try {
    assert.equal(src.format, 'onnx');
    assert.ok(src.has('bert.encoder.layer.0.attention.self.query.weight'));
    assert.ok(src.has('onnx::MatMul_100'), 'the stored name stays readable');
    assert.ok(!src.list().some((t) => t.name.startsWith('onnx::')), 'renamed weights are listed once, under the recovered name');
    assert.deepEqual(src.list().find((t) => t.name === 'bert.encoder.layer.0.intermediate.dense.weight')?.shape, [12, 8]);
    assert.match(src.metadata?.recoveredNames ?? '', /^6 MatMul weights/);
    const a = detectAdapter(src);
    assert.equal(a.info.architecture, 'bert');
    assert.equal(a.info.parameters, golden.bert_onnx.params);
    sameBertMatrices(await a.layerMatrices(0), golden.bert_onnx);
  } finally {
    await src.close();
  }
});

test('transformers.js folder layout: config.json on top, weights in onnx/model.onnx', async () => {
  const d = mkdtempSync(join(tmpdir(), 'genbound-tjs-'));
  try {
    mkdirSync(join(d, 'onnx'));
    copyFileSync(join(DIR, 'bert-onnx', 'config.json'), join(d, 'config.json'));
    copyFileSync(join(DIR, 'bert-onnx', 'model.onnx'), join(d, 'onnx', 'model.onnx'));
    const src = await openSource(d);
    assert.equal(src.format, 'onnx');
    assert.equal(src.config?.model_type, 'bert');
    assert.equal(detectAdapter(src).info.heads, 2);
    rmSync(join(d, 'onnx', 'model.onnx'));
    await assert.rejects(openSource(d), /genbound-tjs-[^/]*: no weights found/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('quantized ONNX (onnxruntime.quantization patterns): dequantized weights, recovered names, BERT matrices', async () => {
  const qdir = join(DIR, 'bert-onnx-quant');
  const g = JSON.parse(readFileSync(join(qdir, 'expected.json'), 'utf8')) as typeof golden.bert_onnx & { embedding: number[]; query_weight: number[] };
  const src = await openSource(qdir);
  try {
    assert.match(src.metadata?.quantized ?? '', /^7 8-bit weights/);
    const names = src.list().map((t) => t.name);
    assert.ok(!names.some((n) => n.endsWith('_quantized') || n.endsWith('_scale') || n.endsWith('_zero_point')), `integer tensors are not listed: ${names.join(', ')}`);
    for (const m of ['query', 'key', 'value']) assert.ok(src.has(`bert.encoder.layer.0.attention.self.${m}.weight`), m);
    sameValues((await src.read('bert.embeddings.word_embeddings.weight')).data, g.embedding, 'embedding (by naming convention)');
    const qw = await src.read('bert.encoder.layer.0.attention.self.query.weight');
    assert.deepEqual(qw.shape, [8, 8]);
    sameValues(qw.data, g.query_weight, 'query weight (uint8, zero point)');
    const a = detectAdapter(src);
    assert.equal(a.info.architecture, 'bert');
    assert.equal(a.info.parameters, g.params);
    sameBertMatrices(await a.layerMatrices(0), g, 1e-12, 1e-13);
  } finally {
    await src.close();
  }
});

test('transformers.js layout with only a quantized export reads onnx/model_quantized.onnx', async () => {
  const d = mkdtempSync(join(tmpdir(), 'genbound-tfjsq-'));
  try {
    mkdirSync(join(d, 'onnx'));
    copyFileSync(join(DIR, 'bert-onnx-quant', 'config.json'), join(d, 'config.json'));
    copyFileSync(join(DIR, 'bert-onnx-quant', 'model.onnx'), join(d, 'onnx', 'model_quantized.onnx'));
    const src = await openSource(d);
    try {
      assert.match(src.path, /model_quantized\.onnx$/);
      assert.equal(detectAdapter(src).info.architecture, 'bert');
    } finally {
      await src.close();
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('ONNX quantized by onnxruntime’s quantize_dynamic (int8 per tensor, uint8 per channel) reads as numpy dequantizes it', async () => {
  const dir = join(DIR, 'ort-quant');
  type G = typeof golden.bert_onnx & { ops: string[]; query_weight: number[]; embedding: number[] };
  const all = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, G>;
  for (const variant of ['int8', 'uint8-per-channel']) {
    const g = all[variant];
    const src = await openSource(join(dir, variant));
    try {
      assert.match(src.metadata?.quantized ?? '', /^7 8-bit weights/, variant);
      sameValues((await src.read('bert.encoder.layer.0.attention.self.query.weight')).data, g.query_weight, `${variant} query weight`);
      sameValues((await src.read('bert.embeddings.word_embeddings.weight')).data, g.embedding, `${variant} embedding`);
      sameBertMatrices(await detectAdapter(src).layerMatrices(0), g, 1e-12, 1e-13);
    } finally {
      await src.close();
    }
  }
});
