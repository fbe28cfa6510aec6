import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource } from '../../src/io/open.js';
import { detectAdapter } from '../../src/models/index.js';
import { close, summaryOf, type Summary } from './helpers.js';

/** A llama.cpp-style GGUF (Q/K rows permuted per head, one Q8_0 tensor) and numpy's summaries: scripts/golden/models_gguf.py. */
const DIR = 'test/fixtures/models/gguf-llama';
const g = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  layers: number; hidden: number; heads: number; kvHeads: number; headDim: number; intermediate: number; params: number;
  expected: { heads: { QK: Summary; V_tilde: Summary }[]; M_in: Summary; M_out: Summary }[];
};

test('GGUF LLaMA: Hugging Face names and config from llama.cpp metadata; QK, V_tilde, M_in, M_out match numpy', async () => {
  const src = await openSource(join(DIR, 'model.gguf'));
  try {
    assert.equal(src.format, 'gguf');
    assert.equal(src.config?.model_type, 'llama');
    assert.ok(src.has('model.layers.1.self_attn.k_proj.weight') && src.has('blk.1.attn_k.weight'), 'both names read');
    assert.ok(!src.list().some((t) => t.name.startsWith('blk.')), 'listed under the Hugging Face names only');
    const a = detectAdapter(src);
    assert.deepEqual(
      [a.info.architecture, a.info.layers, a.info.hidden, a.info.heads, a.info.kvHeads, a.info.headDim, a.info.intermediate, a.info.parameters],
      ['llama', g.layers, g.hidden, g.heads, g.kvHeads, g.headDim, g.intermediate, g.params],
    );
    const check = (got: Summary, want: Summary, what: string) => {
      assert.deepEqual([got.rows, got.cols], [want.rows, want.cols], what);
      for (const k of ['fro', 'e01', 'e10'] as const) assert.ok(close(got[k], want[k], 1e-6, 1e-6), `${what} ${k}: ${got[k]} != ${want[k]}`);
    };
    for (let l = 0; l < g.layers; l++) {
      const ms = await a.layerMatrices(l);
      for (let h = 0; h < g.heads; h++) {
        check(summaryOf(ms.find((m) => m.type === 'QK' && m.head === h)!), g.expected[l].heads[h].QK, `layer ${l} head ${h} QK`);
        check(summaryOf(ms.find((m) => m.type === 'V_tilde' && m.head === h)!), g.expected[l].heads[h].V_tilde, `layer ${l} head ${h} V_tilde`);
      }
      check(summaryOf(ms.find((m) => m.type === 'M_in')!), g.expected[l].M_in, `layer ${l} M_in`);
      check(summaryOf(ms.find((m) => m.type === 'M_out')!), g.expected[l].M_out, `layer ${l} M_out`);
    }
  } finally {
    await src.close();
  }
});
