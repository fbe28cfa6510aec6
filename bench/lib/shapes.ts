/**
 * Checkpoints of the shapes of BERT-base, GPT-2-medium and LLaMA-7B whose weights are generated in
 * memory (nothing on disk): every tensor is filled once by `prepare()` (not timed) and handed out by
 * `read`, so a timed analysis measures the analysis, not the generator. Weights are deterministic,
 * variance ~1/in, with a power-law column scaling as in scripts/golden/analyze_bench_ref.py, so the
 * spectra decay as in trained models instead of the flat top of a Gaussian matrix.
 */
import type { Tensor, TensorInfo, TensorSource } from '../../src/io/types.js';

export interface ShapeSpec {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  inter: number;
}

export const SHAPES: Record<string, ShapeSpec> = {
  bert: { name: 'BERT-base', layers: 12, hidden: 768, heads: 12, inter: 3072 },
  'gpt2-medium': { name: 'GPT-2-medium', layers: 24, hidden: 1024, heads: 16, inter: 4096 },
  'llama-layer': { name: 'LLaMA-7B (one layer)', layers: 1, hidden: 4096, heads: 32, inter: 11008 },
};

function tensorsOf(kind: string, s: ShapeSpec): { config: Record<string, unknown>; infos: TensorInfo[] } {
  const { hidden: N, inter: F, heads, layers } = s;
  const infos: TensorInfo[] = [];
  const add = (name: string, shape: [number, number]) => infos.push({ name, dtype: 'F32', shape });
  for (let l = 0; l < layers; l++) {
    if (kind === 'bert') {
      const p = `bert.encoder.layer.${l}.`;
      for (const x of ['query', 'key', 'value']) add(`${p}attention.self.${x}.weight`, [N, N]);
      add(`${p}attention.output.dense.weight`, [N, N]);
      add(`${p}intermediate.dense.weight`, [F, N]);
      add(`${p}output.dense.weight`, [N, F]);
    } else if (kind === 'gpt2-medium') {
      const p = `h.${l}.`;
      add(`${p}attn.c_attn.weight`, [N, 3 * N]);
      add(`${p}attn.c_proj.weight`, [N, N]);
      add(`${p}mlp.c_fc.weight`, [N, F]);
      add(`${p}mlp.c_proj.weight`, [F, N]);
    } else {
      const p = `model.layers.${l}.`;
      for (const x of ['q', 'k', 'v', 'o']) add(`${p}self_attn.${x}_proj.weight`, [N, N]);
      add(`${p}mlp.gate_proj.weight`, [F, N]);
      add(`${p}mlp.up_proj.weight`, [F, N]);
      add(`${p}mlp.down_proj.weight`, [N, F]);
    }
  }
  const config = kind === 'bert'
    ? { model_type: 'bert', hidden_size: N, num_attention_heads: heads, num_hidden_layers: layers, intermediate_size: F }
    : kind === 'gpt2-medium'
      ? { model_type: 'gpt2', n_embd: N, n_head: heads, n_layer: layers, n_inner: F }
      : { model_type: 'llama', hidden_size: N, intermediate_size: F, num_attention_heads: heads, num_key_value_heads: heads, num_hidden_layers: layers };
  return { config, infos };
}

/** Deterministic weights for tensor number `index` of shape rows×cols. */
export function generateWeights(index: number, rows: number, cols: number): Float32Array {
  const data = new Float32Array(rows * cols);
  let s = ((index + 1) * 2654435761) >>> 0 || 1;
  const scale = Math.sqrt(3 / cols) * 2; // a sum of two uniforms on (-1, 1): variance ~ 1/cols
  const colScale = Float32Array.from({ length: cols }, (_, j) => 1.5 * (j + 1) ** -0.15);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      const u = (s >>> 0) / 4294967296;
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      data[i * cols + j] = (u + (s >>> 0) / 4294967296 - 1) * scale * colScale[j];
    }
  }
  return data;
}

export class GeneratedSource implements TensorSource {
  readonly format = 'generated';
  readonly path: string;
  readonly config: Record<string, unknown>;
  private readonly infos: TensorInfo[];
  private readonly data = new Map<string, Float32Array>();

  constructor(readonly kind: string, readonly spec: ShapeSpec = SHAPES[kind]) {
    if (!spec) throw new Error(`unknown shape ${kind} (expected ${Object.keys(SHAPES).join(', ')})`);
    this.path = `generated ${spec.name} shape`;
    ({ config: this.config, infos: this.infos } = tensorsOf(kind, spec));
  }

  /** Generates every tensor (call before timing). */
  prepare(): this {
    this.infos.forEach((t, i) => {
      if (!this.data.has(t.name)) this.data.set(t.name, generateWeights(i, t.shape[0], t.shape[1]));
    });
    return this;
  }

  list(): readonly TensorInfo[] { return this.infos; }
  has(name: string): boolean { return this.infos.some((t) => t.name === name); }
  async read(name: string): Promise<Tensor> {
    const info = this.infos.find((t) => t.name === name);
    if (!info) throw new Error(`no tensor ${name}`);
    let data = this.data.get(name);
    if (!data) data = generateWeights(this.infos.indexOf(info), info.shape[0], info.shape[1]);
    return { name, shape: info.shape, data };
  }
  async close(): Promise<void> { /* nothing held open */ }
}
