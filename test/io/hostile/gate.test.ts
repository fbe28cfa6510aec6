import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeValue } from '../../../src/io/describe.js';
import { MAX_FOLD_VALUES } from '../../../src/io/limits.js';
import { openSource } from '../../../src/io/open.js';
import { hasGraph, type GraphNode, type GraphTensorSource } from '../../../src/io/types.js';
import { GraphIndex } from '../../../src/models/graph.js';
import { f32, gguf, safetensors, tfjsManifest } from './build.js';
import { recordOpens } from './spy.js';

/** What the gate must still allow, and the n log n / iterative steps, each checked against a real input. */

const ST = safetensors({ 'w.weight': { shape: [2, 2], data: [1, 2, 3, 4] } });

function tmp(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'gb-gate-')));
}

test('the gate allows the Hugging Face cache (snapshots -> blobs) and links inside the folder', async () => {
  const root = tmp();
  try {
    const repo = join(root, 'hub', 'models--org--name');
    mkdirSync(join(repo, 'blobs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', 'abc123'), { recursive: true });
    writeFileSync(join(repo, 'blobs', 'e3b0c4'), ST);
    writeFileSync(join(repo, 'blobs', 'f00d'), '{"model_type":"bert"}');
    symlinkSync('../../blobs/e3b0c4', join(repo, 'snapshots', 'abc123', 'model.safetensors'));
    symlinkSync('../../blobs/f00d', join(repo, 'snapshots', 'abc123', 'config.json'));
    const src = await openSource(join(repo, 'snapshots', 'abc123'));
    assert.equal(src.format, 'safetensors');
    assert.equal(src.config?.model_type, 'bert');
    assert.deepEqual(Array.from((await src.read('w.weight')).data), [1, 2, 3, 4]);
    await src.close();
    // A link inside an ordinary folder is fine; a snapshot link into ANOTHER repo's blobs is not.
    const d = join(root, 'plain');
    mkdirSync(join(d, 'real'), { recursive: true });
    writeFileSync(join(d, 'real', 'w.safetensors'), ST);
    symlinkSync('real/w.safetensors', join(d, 'model.safetensors'));
    await (await openSource(d)).close();
    const other = join(root, 'hub', 'models--evil--x', 'snapshots', 'r');
    mkdirSync(other, { recursive: true });
    symlinkSync(join(repo, 'blobs', 'e3b0c4'), join(other, 'model.safetensors'));
    await assert.rejects(openSource(join(other, 'model.safetensors')), /resolves outside the model folder/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('formats are recognised by content: a tfjs folder whose only shard is group1-shard1of1.bin is tfjs, a .bin safetensors is safetensors', async () => {
  const d = tmp();
  try {
    writeFileSync(join(d, 'group1-shard1of1.bin'), f32([1, 2, 3, 4]));
    writeFileSync(join(d, 'model.json'), tfjsManifest(['group1-shard1of1.bin'], [{ name: 'w', count: 4 }]));
    const src = await openSource(d);
    assert.equal(src.format, 'tfjs');
    assert.deepEqual(Array.from((await src.read('w')).data), [1, 2, 3, 4]);
    await src.close();
    const e = join(d, 'e');
    mkdirSync(e);
    writeFileSync(join(e, 'weights.bin'), ST);
    const s2 = await openSource(e);
    assert.equal(s2.format, 'safetensors');
    await s2.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('the open() spy of the hostile suite sees a read outside the folder (the check can fail)', async () => {
  const d = tmp();
  try {
    writeFileSync(join(d, 'x'), 'x');
    const r = await recordOpens(async () => readFileSync(join(d, 'x')));
    assert.ok(r.opened.includes(join(d, 'x')), String(r.opened));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

/** A GraphTensorSource over nodes and small constants only. */
function graphSource(nodes: GraphNode[], consts: Record<string, number[]>): GraphTensorSource {
  return {
    format: 'test', path: 'graph', list: () => [], has: () => false, read: () => Promise.reject(new Error('no tensors')), close: async () => {},
    graph: () => nodes, smallConstant: (n) => consts[n],
  };
}
const node = (name: string, op: string, inputs: string[]): GraphNode => ({ name, op, inputs, outputs: [name], attrs: {} });

test('constant folding is iterative, memoised and capped: 50000-deep chains, 60-level diamonds, cycles', () => {
  const chain: GraphNode[] = [];
  for (let i = 1; i <= 50_000; i++) chain.push(node(`n${i}`, 'Identity', [`n${i - 1}`]));
  let t0 = Date.now();
  const deep = new GraphIndex(graphSource(chain, { n0: [1, -1, 12, 64] }));
  assert.equal(deep.fold('n50000'), undefined, 'past MAX_FOLD_NODES the answer is "unknown", not a stack overflow');
  const near = new GraphIndex(graphSource(chain.slice(0, 5000), { n0: [1, -1, 12, 64] }));
  assert.deepEqual(near.fold('n5000'), [1, -1, 12, 64]);
  // Diamond: d_i = Concat(d_{i-1}, d_{i-1}); a recursive fold visits 2^60 paths.
  const diamond: GraphNode[] = [];
  for (let i = 1; i <= 60; i++) diamond.push(node(`d${i}`, 'Concat', [`d${i - 1}`, `d${i - 1}`]));
  const g = new GraphIndex(graphSource(diamond, { d0: [7] }));
  assert.deepEqual(g.fold('d5'), new Array<number>(32).fill(7));
  assert.equal(g.fold('d60'), undefined, `more than ${MAX_FOLD_VALUES} values is "unknown"`);
  const cyc = new GraphIndex(graphSource([node('a', 'Identity', ['b']), node('b', 'Concat', ['a', 'c'])], { c: [1] }));
  assert.equal(cyc.fold('a'), undefined);
  assert.ok(Date.now() - t0 < 15_000, `folding took ${Date.now() - t0} ms`);
  // Through a real tfjs file: a 30000-node chain in model.json.
  const d = tmp();
  try {
    writeFileSync(join(d, 'a.bin'), f32([1, -1, 12, 64]));
    const m = JSON.parse(tfjsManifest(['a.bin'], [{ name: 'c0', count: 4 }])) as { modelTopology: { node: unknown[] } };
    for (let i = 1; i <= 30_000; i++) m.modelTopology.node.push({ name: `c${i}`, op: 'Identity', input: [`c${i - 1}`] });
    writeFileSync(join(d, 'model.json'), JSON.stringify(m));
    t0 = Date.now();
    return openSource(d).then(async (src) => {
      assert.ok(hasGraph(src));
      const gi = new GraphIndex(src);
      assert.deepEqual(gi.fold('c9000'), [1, -1, 12, 64]);
      assert.equal(gi.fold('c30000'), undefined);
      assert.ok(Date.now() - t0 < 15_000, `tfjs chain took ${Date.now() - t0} ms`);
      await src.close();
      rmSync(d, { recursive: true, force: true });
    });
  } catch (err) {
    rmSync(d, { recursive: true, force: true });
    throw err;
  }
});

test('GGUF name mapping is n log n: 4x the tensors costs well under 16x the time (quadratic would be 16x)', async () => {
  const d = tmp();
  try {
    const time = async (n: number): Promise<number> => {
      const names = Array.from({ length: n }, (_, i) => `blk.${i >> 2}.${['attn_q', 'attn_k', 'attn_v', 'ffn_up'][i & 3]}.weight`);
      const p = join(d, `m${n}.gguf`);
      writeFileSync(p, gguf(names, { 'general.architecture': 'llama' }));
      const t0 = performance.now();
      const src = await openSource(p);
      assert.equal(src.list().length, n);
      assert.ok(src.has(`model.layers.${(n >> 2) - 1}.self_attn.q_proj.weight`));
      await src.close();
      return performance.now() - t0;
    };
    await time(1000); // warm-up
    const small = await time(5_000);
    const big = await time(20_000);
    assert.ok(big < 10_000, `20000 tensors took ${big.toFixed(0)} ms`);
    assert.ok(big / Math.max(small, 20) < 10, `20000 vs 5000 tensors: ${big.toFixed(0)} ms vs ${small.toFixed(0)} ms`);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('describeValue: cyclic, BigInt, deep and huge values render short', () => {
  const cyc: Record<string, unknown> = { a: 1 };
  cyc.self = cyc;
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(describeValue(cyc), '{"a":1,"self":<cycle>}');
  assert.equal(describeValue(deep), '[[[[…]]]]');
  assert.equal(describeValue(2n ** 70n), '1180591620717411303424n');
  assert.equal(describeValue('x'.repeat(1e6)).length, 200);
  assert.equal(describeValue(new Array(1e6).fill(1)), '[1,1,1,1,1,1,1,1,… 1000000 items]');
  assert.equal(describeValue(new Map([[1, { k: [1n] }]])), '{1:{"k":[1n]}}');
});
