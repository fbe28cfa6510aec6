/**
 * A BERT-shaped checkpoint (Hugging Face names, F32 safetensors, config.json) with deterministic
 * pseudo-random weights, for the browser test (tiny) and the browser benchmark (BERT-base widths).
 * Written one tensor at a time, so the BERT-base shape (340 MB) never sits in memory whole.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type WritableTensor } from '../../src/io/formats/safetensors/write.js';

export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export const BERT_BASE: BertShape = { layers: 12, hidden: 768, heads: 12, intermediate: 3072 };

function weights(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  let s = seed >>> 0;
  const scale = 1 / Math.sqrt(cols);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** Writes DIR/config.json and DIR/model.safetensors; returns the two paths. */
export async function writeBert(dir: string, shape: BertShape): Promise<{ config: string; weights: string }> {
  mkdirSync(dir, { recursive: true });
  const { layers, hidden: n, heads, intermediate: ffn } = shape;
  const tensors: WritableTensor[] = [];
  let seed = 1;
  for (let l = 0; l < layers; l++) {
    const p = `bert.encoder.layer.${l}.`;
    const lin = (name: string, out: number, inp: number) => tensors.push({ name: p + name, dtype: 'F32', shape: [out, inp], data: weights(out, inp, seed++) });
    lin('attention.self.query.weight', n, n);
    lin('attention.self.key.weight', n, n);
    lin('attention.self.value.weight', n, n);
    lin('attention.output.dense.weight', n, n);
    lin('intermediate.dense.weight', ffn, n);
    lin('output.dense.weight', n, ffn);
  }
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ model_type: 'bert', hidden_size: n, num_attention_heads: heads, num_hidden_layers: layers, intermediate_size: ffn }, null, 2));
  const file = join(dir, 'model.safetensors');
  await writeSafetensors(file, tensors);
  return { config, weights: file };
}
