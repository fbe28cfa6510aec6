import { test } from 'node:test';
import { openGatedFile } from '../../src/io/node-gate.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGguf } from '../../src/io/formats/gguf/reader.js';
import { BLOCK_DEQUANT } from '../../src/io/formats/gguf/quants.js';
import { UnsupportedError } from '../../src/errors.js';

/** Golden values from llama.cpp's gguf-py (scripts/golden/io_gguf_quants.py), 9 significant digits. */
const FIX = fileURLToPath(new URL('../fixtures/io/gguf/', import.meta.url));
const golden = JSON.parse(readFileSync(join(FIX, 'quants.json'), 'utf8')) as Record<string, { type: string; shape: number[]; values: number[]; finite?: boolean }>;

function sameFloat32(got: ArrayLike<number>, want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  for (let i = 0; i < want.length; i++) {
    // float32 arithmetic in a different order (gguf-py rounds d·sc before ·q): a few ulps.
    assert.ok(Math.abs(got[i] - want[i]) <= 4e-7 * Math.abs(want[i]) + 1e-7 * scale, `${what}[${i}]: ${got[i]} != ${want[i]}`);
  }
}

test('GGUF block formats (Q4_0 … Q8_0, Q2_K … Q6_K, IQ4_NL, IQ4_XS) dequantize as llama.cpp’s gguf-py does', async () => {
  const src = await openGguf(await openGatedFile(join(FIX, 'quants.gguf')));
  try {
    const types = Object.values(golden).filter((g) => g.type !== undefined).map((g) => g.type);
    for (const t of Object.keys(BLOCK_DEQUANT)) assert.ok(types.includes(t), `${t} has golden values`);
    for (const [name, g] of Object.entries(golden)) {
      if (!name.startsWith('q.')) continue;
      assert.deepEqual(src.list().find((t) => t.name === name)?.dtype, g.type);
      const t = await src.read(name);
      assert.deepEqual(t.shape, g.shape, name);
      sameFloat32(t.data, g.values, name);
    }
    await assert.rejects(src.read('q.IQ2_XXS'), (e: Error) => e instanceof UnsupportedError && /quantised as IQ2_XXS; genbound reads GGUF .*Q4_K/.test(e.message));
  } finally {
    await src.close();
  }
});

test('GGUF: small.gguf’s random-byte Q4_K tensor matches gguf-py’s reading of the same file', async () => {
  const g = golden['small.gguf blk.0.ffn_down.weight'];
  const src = await openGguf(await openGatedFile(join(FIX, 'small.gguf')));
  try {
    if (g.finite) {
      const t = await src.read('blk.0.ffn_down.weight');
      assert.deepEqual(t.shape, g.shape);
      sameFloat32(t.data, g.values, 'ffn_down');
    } else {
      await assert.rejects(src.read('blk.0.ffn_down.weight'), /not finite|NaN|Inf/);
    }
  } finally {
    await src.close();
  }
});
