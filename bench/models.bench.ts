// Time to extract one layer's theory matrices, as a ratio to a reference measured in the same
// run: copying the same layer's weights once (Float32Array.slice of every tensor it reads).
// Run: npm run bench -- models
import { dirname } from 'node:path';
import { openSource } from '../src/io/open.js';
import type { Tensor, TensorInfo, TensorSource } from '../src/io/types.js';
import { detectAdapter } from '../src/models/index.js';
import { defaultModelPath, ppocrRecognizerPath } from '../src/models/paths.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

class Mem implements TensorSource {
  readonly format = 'memory';
  readonly path = 'memory://bench';
  constructor(
    private readonly t: Map<string, Tensor>,
    readonly config: Record<string, unknown>,
  ) {}
  list(): TensorInfo[] {
    return [...this.t.values()].map((x) => ({ name: x.name, dtype: 'F32', shape: x.shape }));
  }
  has(n: string): boolean {
    return this.t.has(n);
  }
  async read(n: string): Promise<Tensor> {
    return this.t.get(n)!;
  }
  async close(): Promise<void> {}
}

function bertBase(): Mem {
  const N = 768, I = 3072;
  const t = new Map<string, Tensor>();
  const add = (name: string, shape: number[]) => {
    const data = new Float32Array(shape[0] * shape[1]);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + name.length);
    t.set(name, { name, shape, data });
  };
  const p = 'bert.encoder.layer.0.';
  for (const r of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) add(`${p}${r}.weight`, [N, N]);
  add(`${p}intermediate.dense.weight`, [I, N]);
  add(`${p}output.dense.weight`, [N, I]);
  return new Mem(t, { model_type: 'bert', hidden_size: N, num_attention_heads: 12, num_hidden_layers: 1, intermediate_size: I });
}

const cases: [string, () => Promise<TensorSource>, number][] = [
  ['BERT-base layer (768, 12 heads, 3072), in memory', async () => bertBase(), 0],
  ['USE lite layer 1 (tfjs, 512, 4 heads, 1536)', () => openSource(dirname(defaultModelPath())), 1],
  ['PP-OCRv4 block 0 (ONNX, 120, 8 heads, 240)', () => openSource(ppocrRecognizerPath()), 0],
];
for (const [label, open, layer] of cases) {
  const src = await open();
  const a = detectAdapter(src);
  const names = src.list().map((t) => t.name);
  const ext: number[] = [];
  const ref: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    let t0 = performance.now();
    const ms = await a.layerMatrices(layer);
    ext.push(performance.now() - t0);
    // Reference: read + copy exactly the tensors the layer used (their names appear in factor names is not
    // guaranteed, so copy all tensors of equal total size: the layer's matrices' element count).
    const need = ms.reduce((s, m) => s + (m.dense ? m.rows * m.cols : m.factors![0].data.length + m.factors![1].data.length), 0);
    t0 = performance.now();
    let copied = 0;
    for (const n of names) {
      if (copied >= need) break;
      const t = await src.read(n);
      copied += t.data.slice().length;
    }
    ref.push(performance.now() - t0);
  }
  console.log(`${label}: extract ${median(ext).toFixed(1)} ms, reference copy ${median(ref).toFixed(1)} ms, ratio ${(median(ext) / median(ref)).toFixed(2)}`);
  await src.close();
}
