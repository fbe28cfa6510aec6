import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSource } from '../../src/io/open.js';
import { detectAdapter } from '../../src/models/index.js';
import { defaultModelPath, ppocrRecognizerPath } from '../../src/models/paths.js';
import type { TheoryMatrix } from '../../src/models/types.js';
import { close, fro, summaryOf } from './helpers.js';

/**
 * The real trained Transformers shipped in npm packages, against numbers computed independently
 * in Python (scripts/golden/models_real.py: json + numpy for tfjs, a hand-written protobuf
 * wire-format reader for ONNX).
 */
interface S {
  rows: number;
  cols: number;
  fro: number;
  e01: number;
}
interface Layer {
  heads: { QK: S; V_tilde: S }[];
  M_in: S;
  M_out: S;
  qkv_fro: number;
  head_dim?: number;
  width_in?: number;
  width_out?: number;
}
const golden = JSON.parse(readFileSync('test/fixtures/models/real.json', 'utf8')) as {
  use_lite: { layers: Layer[]; params: number };
  ppocr_rec: { layers: Layer[]; heads_count: number; head_dim: number };
};

function check(m: TheoryMatrix | undefined, want: S, what: string): void {
  assert.ok(m, what);
  const d = summaryOf(m);
  assert.deepEqual([m.rows, m.cols, d.rows, d.cols], [want.rows, want.cols, want.rows, want.cols], `${what} shape`);
  assert.ok(close(d.fro, want.fro, 1e-5), `${what} Frobenius ${d.fro} != ${want.fro}`);
  assert.ok(close(d.e01, want.e01, 1e-4, 1e-5), `${what} [0,1] ${d.e01} != ${want.e01}`);
}

function checkLayers(ms: TheoryMatrix[], g: Layer, l: number, name: string): void {
  g.heads.forEach((h, i) => {
    check(ms.find((m) => m.type === 'QK' && m.head === i), h.QK, `${name} layer ${l} head ${i} QK`);
    check(ms.find((m) => m.type === 'V_tilde' && m.head === i), h.V_tilde, `${name} layer ${l} head ${i} V_tilde`);
  });
  check(ms.find((m) => m.type === 'M_in'), g.M_in, `${name} layer ${l} M_in`);
  check(ms.find((m) => m.type === 'M_out'), g.M_out, `${name} layer ${l} M_out`);
}

test('USE lite (tfjs, default model): layers, heads from the graph, matrices match numpy', async () => {
  const src = await openSource(dirname(defaultModelPath()));
  try {
    assert.equal(src.format, 'tfjs');
    const a = detectAdapter(src);
    const g = golden.use_lite;
    assert.equal(a.info.architecture, 'use-lite');
    assert.equal(a.info.layers, 2);
    assert.equal(a.info.heads, 4);
    assert.deepEqual(a.info.headDims, g.layers.map((l) => l.head_dim));
    assert.deepEqual(a.info.widths, g.layers.map((l) => l.width_in));
    assert.equal(a.info.parameters, g.params);
    assert.ok(a.notes.some((n) => /from the split_heads Reshape/.test(n)));
    for (let l = 0; l < 2; l++) {
      const ms = await a.layerMatrices(l);
      assert.equal(ms.length, 10);
      checkLayers(ms, g.layers[l], l, 'USE');
    }
    const qkv = await src.read('module/Encoder_en/KonaTransformer/Encode/Layer_1/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0');
    assert.deepEqual(qkv.shape, [1, 1, 512, 1536]);
    assert.ok(close(fro({ rows: 512, cols: 1536, data: qkv.data }), g.layers[1].qkv_fro, 1e-6));
  } finally {
    await src.close();
  }
});

test('PP-OCRv4 recogniser (ONNX Constant nodes): two attention blocks, 8 heads of 15, matrices match numpy', async () => {
  const src = await openSource(ppocrRecognizerPath());
  try {
    assert.equal(src.format, 'onnx');
    assert.equal(src.list().length, 325);
    const a = detectAdapter(src);
    const g = golden.ppocr_rec;
    assert.equal(a.info.layers, 2);
    assert.equal(a.info.heads, g.heads_count);
    assert.equal(a.info.headDim, g.head_dim);
    assert.equal(a.info.hidden, 120);
    assert.equal(a.info.intermediate, 240);
    for (let l = 0; l < 2; l++) checkLayers(await a.layerMatrices(l), g.layers[l], l, 'PP-OCR');
  } finally {
    await src.close();
  }
});

test('PP-OCR with the graph unavailable needs --heads', async () => {
  const src = await openSource(ppocrRecognizerPath());
  // Hide the Reshape that carries the head split: the adapter must then ask for --heads.
  const nodes = (src as unknown as { graph(): { op: string }[] }).graph().filter((n) => n.op !== 'Reshape');
  const blind = Object.assign(Object.create(Object.getPrototypeOf(src) as object) as object, src, { graph: () => nodes }) as typeof src;
  assert.throws(() => detectAdapter(blind), /does not say its number of attention heads; pass --heads/);
  assert.equal(detectAdapter(blind, { heads: 4 }).info.headDim, 30);
  await src.close();
});
