import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadFileError } from '../../src/errors.js';
import { boolField, intField, numberField, stringField, withOrigin } from '../../src/io/json.js';
import { openSource } from '../../src/io/open.js';
import { cfgInt } from '../../src/models/common.js';
import { detectAdapter } from '../../src/models/index.js';
import { safetensors } from './hostile/build.js';

/**
 * Typed config fields (issue 11): absent and null mean "not set" (Hugging Face writes
 * `"head_dim": null`), a valid value is returned as is, and anything else is one BadFileError
 * naming the file, the field and a short rendering of the value. The hostile corpus
 * (test/io/hostile/corpus.ts, class config-field) runs the failures end to end.
 */

test('intField/numberField/boolField/stringField: null and absent are undefined, wrong types one line', () => {
  const o = { a: 12, n: null, s: '12', f: 1.5, neg: -1, big: 2 ** 40, arr: [1], obj: { x: 1 }, t: true, alpha: 0.5, str: 'x' };
  assert.equal(intField(o, 'a', 'c.json'), 12);
  assert.equal(intField(o, 'n', 'c.json'), undefined);
  assert.equal(intField(o, 'missing', 'c.json'), undefined);
  for (const k of ['s', 'f', 'neg', 'big', 'arr', 'obj', 't']) {
    assert.throws(() => intField(o, k, 'c.json'), (e: unknown) => e instanceof BadFileError && /^c\.json: field "\w+" is .{1,90}, expected a positive integer of at most 16777216$/.test(e.message), k);
  }
  assert.equal(intField(o, 'neg', 'c.json', -5), -1);
  assert.equal(numberField(o, 'alpha', 'c.json', true), 0.5);
  assert.throws(() => numberField(o, 'neg', 'c.json', true), /field "neg" is -1, expected a positive number/);
  assert.equal(numberField(o, 'neg', 'c.json', false), -1);
  assert.equal(boolField(o, 't', 'c.json'), true);
  assert.throws(() => boolField(o, 'str', 'c.json'), /field "str" is "x", expected true or false/);
  assert.equal(stringField(o, 'str', 'c.json'), 'x');
  assert.equal(stringField(o, 'n', 'c.json'), undefined);
  assert.throws(() => stringField(o, 'a', 'c.json'), /field "a" is 12, expected a string/);
});

test('cfgInt: a null first key falls through to the next; a wrong one names the file it came from', () => {
  const cfg = withOrigin({ n_embd: null, hidden_size: 64, n_head: '4' } as Record<string, unknown>, 'm/config.json');
  assert.equal(cfgInt(cfg, 'n_embd', 'hidden_size'), 64);
  assert.equal(cfgInt(cfg, 'n_inner'), undefined);
  assert.throws(() => cfgInt(cfg, 'n_head', 'num_attention_heads'), /: m\/config\.json: field "n_head" is "4", expected a positive integer/);
  assert.equal(cfgInt(undefined, 'x'), undefined);
});

test('a LLaMA config with head_dim, num_key_value_heads and rope_scaling null opens as if they were absent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gb-cfg-'));
  try {
    const m = (rows: number, cols: number) => ({ shape: [rows, cols], data: new Array<number>(rows * cols).fill(0.5) });
    const t: Record<string, { shape: number[]; data: number[] }> = {};
    for (const l of [0, 1]) {
      const p = `model.layers.${l}.`;
      Object.assign(t, { [`${p}self_attn.q_proj.weight`]: m(8, 8), [`${p}self_attn.k_proj.weight`]: m(4, 8), [`${p}self_attn.v_proj.weight`]: m(4, 8), [`${p}self_attn.o_proj.weight`]: m(8, 8), [`${p}mlp.gate_proj.weight`]: m(16, 8), [`${p}mlp.up_proj.weight`]: m(16, 8), [`${p}mlp.down_proj.weight`]: m(8, 16) });
    }
    writeFileSync(join(dir, 'model.safetensors'), safetensors(t));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 8, intermediate_size: 16, num_attention_heads: 4, num_hidden_layers: 2, head_dim: null, num_key_value_heads: null, rope_scaling: null }));
    const src = await openSource(dir);
    try {
      const info = detectAdapter(src).info;
      assert.deepEqual([info.layers, info.heads, info.headDim, info.kvHeads], [2, 4, 2, 2]);
    } finally {
      await src.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
