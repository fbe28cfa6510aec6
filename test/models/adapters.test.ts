import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSource } from '../../src/io/open.js';
import { detectAdapter } from '../../src/models/index.js';
import type { TheoryMatrix } from '../../src/models/types.js';
import { close, denseOf, fro, type Summary } from './helpers.js';

/**
 * Every adapter against numpy: scripts/golden/models_synthetic.py wrote the checkpoints and the
 * expected Frobenius norms and entries of each head's QK and V_tilde and each layer's M_in/M_out.
 */
const DIR = 'test/fixtures/models/synthetic';

interface Expected {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads?: number;
  intermediate: number;
  params: number;
  expected: { heads: { QK: Summary; V_tilde: Summary }[]; M_in: Summary; M_out: Summary }[];
}
const golden = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;

function check(m: TheoryMatrix, want: Summary, what: string): void {
  const d = denseOf(m);
  assert.equal(m.rows, want.rows, `${what} rows`);
  assert.equal(m.cols, want.cols, `${what} cols`);
  assert.equal(d.rows, want.rows, `${what} dense rows`);
  assert.ok(close(fro(d), want.fro), `${what} Frobenius ${fro(d)} != ${want.fro}`);
  assert.ok(close(d.data[1], want.e01), `${what} [0,1] ${d.data[1]} != ${want.e01}`);
  assert.ok(close(d.data[d.cols], want.e10), `${what} [1,0] ${d.data[d.cols]} != ${want.e10}`);
}

const ARCH: Record<string, { architecture: string; heads?: number }> = {
  bert: { architecture: 'bert' },
  'roberta-noconfig': { architecture: 'bert', heads: 2 },
  distilbert: { architecture: 'distilbert' },
  vit: { architecture: 'vit' },
  genbound: { architecture: 'genbound-transformer' },
  gpt2: { architecture: 'gpt2' },
  llama: { architecture: 'llama' },
  phi3: { architecture: 'phi3' },
};

for (const [name, g] of Object.entries(golden)) {
  test(`${name}: theory matrices match numpy`, async () => {
    const src = await openSource(join(DIR, name));
    try {
      const a = detectAdapter(src, ARCH[name].heads ? { heads: ARCH[name].heads } : {});
      assert.equal(a.info.architecture, ARCH[name].architecture);
      assert.equal(a.info.layers, g.layers);
      assert.equal(a.info.hidden, g.hidden);
      assert.equal(a.info.heads, g.heads);
      assert.equal(a.info.kvHeads, g.kvHeads ?? g.heads);
      assert.equal(a.info.intermediate, g.intermediate);
      assert.equal(a.info.parameters, g.params);
      assert.ok(a.notes.length >= 2);
      for (let l = 0; l < g.layers; l++) {
        const ms = await a.layerMatrices(l);
        assert.equal(ms.length, 2 * g.heads + 2);
        for (let h = 0; h < g.heads; h++) {
          const qk = ms.find((m) => m.type === 'QK' && m.head === h)!;
          const vt = ms.find((m) => m.type === 'V_tilde' && m.head === h)!;
          assert.ok(qk.factors && vt.factors, 'per-head products stay factored');
          assert.equal(qk.factors[0].cols, g.hidden / g.heads);
          check(qk, g.expected[l].heads[h].QK, `${name} layer ${l} head ${h} QK`);
          check(vt, g.expected[l].heads[h].V_tilde, `${name} layer ${l} head ${h} V_tilde`);
        }
        check(ms.find((m) => m.type === 'M_in')!, g.expected[l].M_in, `${name} layer ${l} M_in`);
        check(ms.find((m) => m.type === 'M_out')!, g.expected[l].M_out, `${name} layer ${l} M_out`);
        for (const m of ms) assert.equal(m.layer, l);
      }
      await assert.rejects(a.layerMatrices(g.layers), /out of range/);
    } finally {
      await src.close();
    }
  });
}
