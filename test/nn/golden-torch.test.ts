import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TransformerRegressor, Tensor, Adam, mse, backward, conv1d, Rng, setGemmBackend, type DType } from '../../src/nn/index.js';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';

interface Case {
  config: { input_dim: number; hidden: number; heads: number; layers: number; ffn: number; act: 'gelu' | 'relu'; prompt: number; bags: number; n: number };
  params: Record<string, number[]>;
  x: number[];
  y: number[];
  key_mask: number[] | null;
  out: number[];
  loss: number;
  grads: Record<string, number[]>;
  after_adam: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(new URL('../fixtures/nn/torch_golden.json', import.meta.url), 'utf8')) as {
  transformer: Case[];
  conv1d: Record<string, number[] | number>;
  xoshiro128ss: { seed: number; outputs: number[]; seed2: number; outputs2: number[] };
};

/** max |a − b| / max(max |b|, floor). */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  assert.equal(a.length, b.length);
  let scale = floor;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(scale, 1e-30);
}

function run(c: Case, dtype: DType, tol: number): void {
  const cfg = c.config;
  const model = new TransformerRegressor({
    inputDim: cfg.input_dim, hiddenSize: cfg.hidden, numHeads: cfg.heads, numLayers: cfg.layers,
    intermediateSize: cfg.ffn, activation: cfg.act, promptTokens: cfg.prompt, seed: 0, dtype,
  });
  model.loadParameters(c.params);
  const x = Tensor.from(c.x, [cfg.bags, cfg.n, cfg.input_dim], dtype);
  const y = Tensor.from(c.y, [cfg.bags, 1], dtype);
  const mask = c.key_mask ? Uint8Array.from(c.key_mask) : undefined;
  const out = model.forward(x, mask);
  assert.ok(maxRel(out.data, c.out) < tol, `output differs: ${maxRel(out.data, c.out)}`);
  const loss = mse(out, y);
  assert.ok(Math.abs(loss.item() - c.loss) / c.loss < tol);
  backward(loss);
  // Some gradients are exactly zero in theory (a key bias shifts every score of a row equally),
  // so errors are measured against the largest gradient of the whole model.
  const gscale = Math.max(...Object.values(c.grads).flat().map(Math.abs));
  for (const [name, p] of model.namedParameters()) {
    const e = maxRel(p.grad ?? new Float64Array(p.size), c.grads[name], gscale);
    assert.ok(e < tol * 10, `gradient of ${name} differs from PyTorch by ${e}`);
  }
  new Adam(model.parameters(), { lr: 1e-2 }).step();
  for (const [name, p] of model.namedParameters()) {
    const want = c.after_adam[name], g = c.grads[name];
    for (let i = 0; i < p.size; i++) {
      // Adam's first step is ±lr·g/(|g| + eps): where the true gradient is ~0 (float rounding
      // noise) its sign is arbitrary, so such entries are skipped.
      if (Math.abs(g[i]) < (dtype === 'float32' ? 1e-3 : 1e-9) * gscale) continue;
      const e = Math.abs(p.data[i] - want[i]);
      assert.ok(e < (dtype === 'float64' ? 1e-12 : 1e-4), `${name}[${i}] after one Adam step: ${p.data[i]} vs PyTorch ${want[i]}`);
    }
  }
}

test('TransformerRegressor forward, backward and one Adam step match PyTorch (float64)', () => {
  for (const c of golden.transformer) run(c, 'float64', 1e-10);
});

// float32 runs on both backends: the TypeScript kernels, and the native ones (OpenBLAS GEMM plus
// native/nn.c's fused attention, GELU, layer norm and bias kernels).
for (const backend of ['js', 'native'] as const) {
  test(`TransformerRegressor matches PyTorch in float32 within float32 rounding (${backend} backend)`,
    { skip: backend === 'native' && loadNativeAddon() === null ? 'native addon not built' : false }, () => {
      setGemmBackend(backend);
      try {
        for (const c of golden.transformer) run(c, 'float32', 2e-5);
      } finally {
        setGemmBackend(loadNativeAddon() === null ? 'js' : 'native');
      }
    });
}

test('conv1d forward and gradients match torch.nn.functional.conv1d', () => {
  const g = golden.conv1d;
  const x = Tensor.from(g.x as number[], g.x_shape as number[], 'float64', true);
  const w = Tensor.from(g.w as number[], g.w_shape as number[], 'float64', true);
  const b = Tensor.from(g.b as number[], [(g.w_shape as number[])[0]], 'float64', true);
  const y = conv1d(x, w, b, g.stride as number, g.padding as number);
  assert.deepEqual(y.shape, g.y_shape);
  assert.ok(maxRel(y.data, g.y as number[]) < 1e-12);
  backward(y, Float64Array.from(g.gy as number[]));
  assert.ok(maxRel(x.grad!, g.gx as number[]) < 1e-12);
  assert.ok(maxRel(w.grad!, g.gw as number[]) < 1e-12);
  assert.ok(maxRel(b.grad!, g.gb as number[]) < 1e-12);
});

test('Rng is xoshiro128** seeded by splitmix32 (plain-Python reference)', () => {
  const r = new Rng(golden.xoshiro128ss.seed);
  assert.deepEqual(golden.xoshiro128ss.outputs.map(() => r.nextU32()), golden.xoshiro128ss.outputs);
  const r2 = new Rng(golden.xoshiro128ss.seed2);
  assert.deepEqual(golden.xoshiro128ss.outputs2.map(() => r2.nextU32()), golden.xoshiro128ss.outputs2);
});
