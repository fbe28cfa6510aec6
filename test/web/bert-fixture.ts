/**
 * A BERT-shaped checkpoint (Hugging Face names, F32, config.json) with deterministic pseudo-random
 * weights, for the browser tests (tiny) and the browser benchmark (BERT-base widths), written as
 *   - one model.safetensors (the default; the BERT-base shape, 340 MB, is built in memory first);
 *   - `shards: K`: model-0000i-of-0000K.safetensors plus model.safetensors.index.json, as
 *     transformers' save_pretrained shards them;
 *   - `format: 'pytorch'`: a torch.save zip (pytorch_model.bin), through the hostile corpus's
 *     byte builders (test/io/hostile/build.ts, written from the format descriptions, not the reader).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type WritableTensor } from '../../src/io/formats/safetensors/write.js';
import { torchZip } from '../io/hostile/build.js';

export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export const BERT_BASE: BertShape = { layers: 12, hidden: 768, heads: 12, intermediate: 3072 };

export interface BertFiles {
  config: string;
  /** The weights' entry file: model.safetensors, model.safetensors.index.json or pytorch_model.bin. */
  weights: string;
  /** Every file written, config.json included. */
  files: string[];
}

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

/** The tensors of one layer (made only when written, so one layer at a time is in memory). */
function layerTensors(shape: BertShape, l: number): WritableTensor[] {
  const { hidden: n, intermediate: ffn } = shape;
  let seed = 1 + 6 * l;
  const p = `bert.encoder.layer.${l}.`;
  const lin = (name: string, out: number, inp: number): WritableTensor => ({ name: p + name, dtype: 'F32', shape: [out, inp], data: weights(out, inp, seed++) });
  return [
    lin('attention.self.query.weight', n, n),
    lin('attention.self.key.weight', n, n),
    lin('attention.self.value.weight', n, n),
    lin('attention.output.dense.weight', n, n),
    lin('intermediate.dense.weight', ffn, n),
    lin('output.dense.weight', n, ffn),
  ];
}

/** A torch.save zip of a flat state dict of F32 tensors (one storage each, contiguous strides). */
function torchBytes(tensors: readonly WritableTensor[]): Uint8Array {
  const storages: Record<string, Uint8Array> = {};
  const entries = tensors.map((t, i) => {
    const data = Float32Array.from(t.data);
    storages[String(i)] = new Uint8Array(data.buffer);
    const [rows, cols] = t.shape;
    return { name: t.name, key: String(i), numel: data.length, shape: (p: { ints(v: readonly number[]): unknown }) => p.ints([rows, cols]), stride: (p: { ints(v: readonly number[]): unknown }) => p.ints([cols, 1]) };
  });
  return torchZip(entries, storages);
}

/** Writes DIR/config.json and the weights in the chosen layout; returns the paths. */
export async function writeBert(dir: string, shape: BertShape, layout: { shards?: number; format?: 'safetensors' | 'pytorch' } = {}): Promise<BertFiles> {
  mkdirSync(dir, { recursive: true });
  const { layers, hidden, heads, intermediate } = shape;
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ model_type: 'bert', hidden_size: hidden, num_attention_heads: heads, num_hidden_layers: layers, intermediate_size: intermediate }, null, 2));
  const all = (): WritableTensor[] => Array.from({ length: layers }, (_, l) => layerTensors(shape, l)).flat();
  if (layout.format === 'pytorch') {
    const file = join(dir, 'pytorch_model.bin');
    writeFileSync(file, torchBytes(all()));
    return { config, weights: file, files: [config, file] };
  }
  const shards = layout.shards ?? 1;
  if (shards === 1) {
    const file = join(dir, 'model.safetensors');
    await writeSafetensors(file, all());
    return { config, weights: file, files: [config, file] };
  }
  // Whole layers per shard, as save_pretrained's size cap splits a BERT.
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (let k = 0; k < shards; k++) {
    const name = `model-${String(k + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const mine = Array.from({ length: layers }, (_, l) => l).filter((l) => Math.floor((l * shards) / layers) === k).flatMap((l) => layerTensors(shape, l));
    for (const t of mine) {
      weightMap[t.name] = name;
      totalSize += 4 * t.data.length;
    }
    await writeSafetensors(join(dir, name), mine);
    files.push(join(dir, name));
  }
  const index = join(dir, 'model.safetensors.index.json');
  writeFileSync(index, JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
  return { config, weights: index, files: [config, index, ...files] };
}
