/**
 * io benchmarks (figures in docs/benchmarks/io.md):
 *   1. decode cost: reading a 4096x4096 tensor through openSource, per dtype, as a ratio to a raw
 *      fs read of the same bytes measured in the same run (median of 5);
 *   2. bounded memory: a LLaMA-7B-shaped sharded BF16 safetensors checkpoint (6.7e9 parameters,
 *      13.5 GB, written as sparse files so no disk is used) read one layer at a time; prints the
 *      peak resident memory.
 * Run: node --import tsx bench/io.bench.ts [--layers N]
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../src/io/open.js';
import { writeSafetensors } from '../src/io/formats/safetensors/write.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

async function decodeCost(dir: string): Promise<void> {
  const n = 4096;
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 3;
  console.log(`1. read one ${n}x${n} tensor: time, and ratio to a raw fs read of its bytes (median of 5)`);
  for (const dtype of ['F32', 'F16', 'BF16', 'F64'] as const) {
    const p = join(dir, `${dtype}.safetensors`);
    await writeSafetensors(p, [{ name: 'w', dtype, shape: [n, n], data }]);
    const src = await openSource(p);
    const bytes = n * n * { F32: 4, F16: 2, BF16: 2, F64: 8 }[dtype];
    const raw: number[] = [];
    const ours: number[] = [];
    for (let r = 0; r < 5; r++) {
      const fh = await open(p, 'r');
      let t = performance.now();
      await fh.read(new Uint8Array(bytes), 0, bytes, 0);
      raw.push(performance.now() - t);
      await fh.close();
      t = performance.now();
      await src.read('w');
      ours.push(performance.now() - t);
    }
    await src.close();
    console.log(`   ${dtype.padEnd(5)} ${median(ours).toFixed(1).padStart(7)} ms   raw read ${median(raw).toFixed(1).padStart(6)} ms   ratio ${(median(ours) / median(raw)).toFixed(2)}`);
    rmSync(p);
  }
}

/** LLaMA-7B shapes (hidden 4096, intermediate 11008, 32 layers, vocab 32000). */
function llama7bTensors(layers: number): { name: string; shape: number[] }[] {
  const h = 4096;
  const f = 11008;
  const out = [{ name: 'model.embed_tokens.weight', shape: [32000, h] }];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    for (const m of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) out.push({ name: `${p}self_attn.${m}.weight`, shape: [h, h] });
    out.push({ name: `${p}mlp.gate_proj.weight`, shape: [f, h] }, { name: `${p}mlp.up_proj.weight`, shape: [f, h] }, { name: `${p}mlp.down_proj.weight`, shape: [h, f] });
    out.push({ name: `${p}input_layernorm.weight`, shape: [h] }, { name: `${p}post_attention_layernorm.weight`, shape: [h] });
  }
  out.push({ name: 'model.norm.weight', shape: [h] }, { name: 'lm_head.weight', shape: [32000, h] });
  return out;
}

/** Writes a sparse BF16 shard: the header, then ftruncate to the full size (no data written). */
function sparseShard(path: string, tensors: { name: string; shape: number[] }[]): number {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const t of tensors) {
    const b = t.shape.reduce((a, d) => a * d, 1) * 2;
    header[t.name] = { dtype: 'BF16', shape: t.shape, data_offsets: [off, off + b] };
    off += b;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.concat([len, h]));
  ftruncateSync(fd, 8 + h.length + off);
  closeSync(fd);
  return off;
}

async function boundedMemory(dir: string, layers: number): Promise<void> {
  const all = llama7bTensors(layers);
  const half = Math.ceil(all.length / 2);
  const shards = { 'model-00001-of-00002.safetensors': all.slice(0, half), 'model-00002-of-00002.safetensors': all.slice(half) };
  let total = 0;
  const weightMap: Record<string, string> = {};
  for (const [f, ts] of Object.entries(shards)) {
    total += sparseShard(join(dir, f), ts);
    for (const t of ts) weightMap[t.name] = f;
  }
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', hidden_size: 4096, num_hidden_layers: layers }));
  const params = total / 2;
  console.log(`2. LLaMA-7B-shaped sharded BF16 checkpoint: ${(params / 1e9).toFixed(2)}e9 parameters, ${(total / 2 ** 30).toFixed(1)} GiB (sparse), read layer by layer`);
  const t0 = performance.now();
  const src = await openSource(dir);
  const tOpen = performance.now() - t0;
  let peak = process.memoryUsage().rss;
  let read = 0;
  for (let l = -1; l <= layers; l++) {
    const names = src
      .list()
      .map((t) => t.name)
      .filter((n) => (l === -1 ? n.startsWith('model.embed') : l === layers ? !n.startsWith('model.layers.') && !n.startsWith('model.embed') : n.startsWith(`model.layers.${l}.`)));
    const layer = [];
    for (const n of names) {
      const t = await src.read(n);
      read += t.data.length;
      layer.push(t);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await src.close();
  const secs = (performance.now() - t0) / 1000;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`   open ${tOpen.toFixed(0)} ms; read ${(read / 1e9).toFixed(2)}e9 values in ${secs.toFixed(1)} s; peak RSS ${(maxRss / 2 ** 30).toFixed(2)} GiB (sampled ${(peak / 2 ** 30).toFixed(2)} GiB)`);
  if (maxRss > 4 * 2 ** 30) {
    console.error('   FAIL: peak memory above 4 GiB');
    process.exitCode = 1;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gb-io-bench-'));
try {
  await decodeCost(dir);
  await boundedMemory(dir, arg('--layers', 32));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
