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
