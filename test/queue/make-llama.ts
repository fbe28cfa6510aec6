import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type WritableTensor } from '../../src/io/formats/safetensors/write.js';

/**
 * Writes a LLaMA-shaped safetensors checkpoint (config.json + model.safetensors) with
 * deterministic pseudo-random BF16 weights of variance ~1/in, for the queue tests and the queue
 * benchmark (bench/queue.bench.ts: the 7B shape, a few layers).
 */
export async function makeLlama(dir: string, o: { layers: number; hidden: number; inter: number; heads: number; seed?: number }): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    model_type: 'llama', hidden_size: o.hidden, intermediate_size: o.inter, num_attention_heads: o.heads,
    num_key_value_heads: o.heads, num_hidden_layers: o.layers,
  }));
  let s = ((o.seed ?? 1) * 2654435761) >>> 0 || 1;
  const tensors: WritableTensor[] = [];
  for (let l = 0; l < o.layers; l++) {
    const p = `model.layers.${l}.`;
    for (const [n, rows, cols] of [['self_attn.q_proj', o.hidden, o.hidden], ['self_attn.k_proj', o.hidden, o.hidden], ['self_attn.v_proj', o.hidden, o.hidden],
      ['self_attn.o_proj', o.hidden, o.hidden], ['mlp.gate_proj', o.inter, o.hidden], ['mlp.up_proj', o.inter, o.hidden], ['mlp.down_proj', o.hidden, o.inter]] as const) {
      const data = new Float32Array(rows * cols);
      const scale = Math.sqrt(3 / cols) * 2;
      for (let i = 0; i < data.length; i++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        const u = (s >>> 0) / 4294967296;
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        data[i] = (u + (s >>> 0) / 4294967296 - 1) * scale;
      }
      tensors.push({ name: `${p}${n}.weight`, dtype: 'BF16', shape: [rows, cols], data });
    }
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return dir;
}
