import { test } from 'node:test';
import { openGatedFile } from '../../src/io/node-gate.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGguf, parseGgufHeader } from '../../src/io/formats/gguf/reader.js';
import { openSource } from '../../src/io/open.js';
import { BadFileError, UnsupportedError } from '../../src/errors.js';
import { gguf, type GgufValue } from './hostile/build.js';

const FIX = fileURLToPath(new URL('../fixtures/io/gguf/', import.meta.url));
interface Expected {
  tensors: Record<string, { shape: number[]; values: number[] }>;
  metadata: Record<string, unknown>;
}

test('GGUF: F32, F16, BF16, F64 and dequantised Q8_0 match the golden values; metadata becomes config', async () => {
  const exp = JSON.parse(readFileSync(join(FIX, 'small.json'), 'utf8')) as Expected;
  const src = await openSource(join(FIX, 'small.gguf'));
  try {
    assert.equal(src.format, 'gguf');
    for (const [k, v] of Object.entries(exp.metadata)) assert.deepEqual(src.config?.[k], v, k);
    assert.equal(src.metadata?.['general.name'], 'tiny test');
    // general.architecture is llama: llama.cpp names are listed as Hugging Face ones (src/io/formats/gguf/names.ts).
    assert.deepEqual(src.list().find((t) => t.name === 'model.layers.0.mlp.down_proj.weight'), { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'Q4_K', shape: [2, 256] });
    assert.equal(src.config?.model_type, 'llama');
    for (const [name, e] of Object.entries(exp.tensors)) {
      const t = await src.read(name);
      assert.deepEqual(t.shape, e.shape, name);
      assert.deepEqual(Array.from(t.data), e.values, name);
    }
  } finally {
    await src.close();
  }
  const a64 = await openGguf(await openGatedFile(join(FIX, 'align64.gguf')));
  assert.deepEqual(Array.from((await a64.read('blk.0.attn_k.weight')).data), exp.tensors['blk.0.attn_k.weight'].values);
  await a64.close();
});

test('GGUF: truncation and lies give one clear error naming the file', async () => {
  const good = readFileSync(join(FIX, 'small.gguf'));
  const dir = mkdtempSync(join(tmpdir(), 'gb-gguf-'));
  const check = async (name: string, bytes: Uint8Array, re: RegExp): Promise<void> => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    await assert.rejects(openGatedFile(p).then(openGguf), (e: Error) => {
      assert.ok(e instanceof BadFileError || e instanceof UnsupportedError, `${name}: ${e.message}`);
      assert.match(e.message, re, name);
      assert.ok(e.message.startsWith(p));
      return true;
    });
  };
  await check('cut-data.gguf', good.subarray(0, good.length - 40), /truncated or lying header: tensor "blk.0.ffn_down.weight"/);
  await check('cut-head.gguf', good.subarray(0, 100), /truncated/);
  await check('cut-head2.gguf', good.subarray(0, 200), /truncated/);
  const v1 = Buffer.from(good);
  v1.writeUInt32LE(1, 4);
  await check('v1.gguf', v1, /GGUF version 1 is not supported/);
  const many = Buffer.from(good);
  many.writeBigUInt64LE(1n << 40n, 8);
  await check('many.gguf', many, /tensor count \d+ cannot fit/);
  await check('magic.gguf', Buffer.from('GGUX0000'), /not a GGUF file/);
});

test('parseGgufHeader on a header cut at every byte never throws anything but GenboundErrors', () => {
  const good = new Uint8Array(readFileSync(join(FIX, 'small.gguf')));
  for (let n = 0; n < 700; n++) {
    try {
      parseGgufHeader('x.gguf', good.subarray(0, n), n);
    } catch (e) {
      assert.ok(e instanceof BadFileError || e instanceof UnsupportedError, `cut at ${n}: ${String(e)}`);
    }
  }
});

test('GGUF metadata: any integer type is a count, a per-layer array of equal counts is that count; other types and varying arrays are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-gguf-md-'));
  const names = ['blk.0.attn_q.weight', 'blk.1.attn_q.weight', 'blk.2.attn_q.weight'];
  const base: Record<string, GgufValue> = {
    'general.architecture': 'llama',
    'llama.block_count': { type: 'u8', value: 3 },
    'llama.embedding_length': { type: 'u64', value: 96 },
    'llama.feed_forward_length': { array: 'i32', values: [256, 256, 256] },
    'llama.attention.head_count': { array: 'u16', values: [6, 6, 6] },
    'llama.attention.head_count_kv': { type: 'i16', value: 2 },
    'llama.attention.key_length': { type: 'i64', value: 32 },
    // genbound does not read these: stored as they come (a float context length is not refused).
    'llama.context_length': { type: 'f32', value: 2048 },
  };
  const open = async (kv: Record<string, GgufValue>) => {
    const p = join(dir, `m${Math.random().toString(36).slice(2)}.gguf`);
    writeFileSync(p, gguf(names, kv));
    return openSource(p);
  };
  const src = await open(base);
  try {
    const c = src.config ?? {};
    assert.deepEqual(
      [c.num_hidden_layers, c.hidden_size, c.intermediate_size, c.num_attention_heads, c.num_key_value_heads, c.head_dim],
      [3, 96, 256, 6, 2, 32],
    );
    assert.equal(src.metadata?.['llama.context_length'], '2048');
  } finally {
    await src.close();
  }
  const refused = async (lies: Record<string, GgufValue>, type: typeof BadFileError | typeof UnsupportedError, re: RegExp) => {
    await assert.rejects(open({ ...base, ...lies }), (e: Error) => {
      assert.ok(e instanceof type, `${e.constructor.name}: ${e.message}`);
      assert.match(e.message, re);
      return true;
    });
  };
  await refused({ 'llama.attention.head_count_kv': { array: 'u32', values: [2, 2, 1] } }, UnsupportedError, /"llama\.attention\.head_count_kv": per-layer key-value head counts differ \(layer 2: 1, layer 0: 2\): not supported$/);
  await refused({ 'llama.feed_forward_length': { array: 'f32', values: [256, 256, 256] } }, BadFileError, /"llama\.feed_forward_length" is \[256,256,256\] \(array of float32\), expected a positive integer of at most 16777216, or one per layer$/);
  await refused({ 'llama.attention.head_count': { array: 'u32', values: [] } }, BadFileError, /"llama\.attention\.head_count" is \[\] \(array of uint32\)/);
  await refused({ 'llama.attention.head_count': { array: 'u32', values: [6, 0, 6] } }, BadFileError, /is \[6,0,6\] \(array of uint32\)/);
  await refused({ 'llama.embedding_length': { type: 'u32', value: 2 ** 24 + 1 } }, BadFileError, /"llama\.embedding_length" is 16777217 \(uint32\), expected a positive integer of at most 16777216$/);
  await refused({ 'llama.block_count': { type: 'bool', value: true } }, BadFileError, /"llama\.block_count" is true \(bool\)/);
  await refused({ 'llama.attention.key_length': { type: 'f64', value: 32.5 } }, BadFileError, /"llama\.attention\.key_length" is 32\.5 \(float64\)/);
});
