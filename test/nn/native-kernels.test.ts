/**
 * native/nn.c's float32 kernels against the TypeScript kernels they replace: each op is run on
 * the same inputs with the 'js' backend and the 'native' backend (forward and every gradient),
 * at sizes that exercise both the vector bodies (8/16 lanes) and the scalar tails of the C
 * loops, with masks, causal attention, Tq ≠ Tk and accumulating (non-fresh) gradients. The
 * independent PyTorch check of the same kernels is golden-torch.test.ts (run on both backends).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor, Rng, backward, gelu, layerNorm, linear, multiHeadAttention, add, sum, mul, mse,
  setGemmBackend, setGemmThreads, TransformerRegressor, Adam, type AttentionOptions,
} from '../../src/nn/index.js';
import { loadNativeAddon } from '../../src/linalg/native-addon.js';
import { nnKernels } from '../../src/nn/gemm.js';

const addon = loadNativeAddon();
const skip = addon === null || typeof addon.attnForward !== 'function' ? 'native nn kernels not built' : false;

function rand(shape: number[], rng: Rng, scale = 1): Tensor {
  const t = Tensor.zeros(shape, 'float32', true);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.uniformRange(-1, 1);
  return t;
}

/** Runs f on fresh copies of the inputs with the given backend; returns output and gradients. */
function runOn(backend: 'js' | 'native', inputs: Tensor[], f: (xs: Tensor[]) => Tensor, seedGrad: Float32Array): Float32Array[] {
  setGemmBackend(backend);
  try {
    const xs = inputs.map((t) => Tensor.from(t.data, t.shape, 'float32', true));
    const y = f(xs);
    const out = Float32Array.from(y.data);
    // A weighted sum as the loss, so every output element gets a different gradient.
    backward(sum(mul(y, Tensor.from(seedGrad, y.shape))));
    return [out, ...xs.map((x) => Float32Array.from(x.grad ?? new Float32Array(x.size)))];
  } finally {
    setGemmBackend(addon === null ? 'js' : 'native');
  }
}

/** max |a − b| / max |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  let e = 0, s = 1e-30;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return e / s;
}

function compare(name: string, inputs: Tensor[], f: (xs: Tensor[]) => Tensor, outSize: number, tol: number, rng: Rng): void {
  const seed = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) seed[i] = rng.uniformRange(-1, 1);
  const js = runOn('js', inputs, f, seed);
  const nat = runOn('native', inputs, f, seed);
  const labels = ['output', ...inputs.map((_, i) => `gradient of input ${i}`)];
  for (let i = 0; i < js.length; i++) {
    const e = relErr(nat[i], js[i]);
    assert.ok(e < tol, `${name}: ${labels[i]} differs from the TypeScript kernel by ${e} (relative)`);
    // The comparison must be able to fail: the values are not trivially zero.
    assert.ok(js[i].some((v) => v !== 0), `${name}: ${labels[i]} is all zeros`);
  }
}

test('native kernels are used for float32 on the native backend, and not on the js backend', { skip }, () => {
  setGemmBackend('js');
  assert.equal(nnKernels(), null);
  setGemmBackend('native');
  assert.notEqual(nnKernels(), null);
});

test('native attention equals the TypeScript kernel (plain, key mask, causal, Tq < Tk, shared q = k)', { skip }, () => {
  const rng = new Rng(1);
  const cases: { b: number; tq: number; tk: number; d: number; opts: AttentionOptions }[] = [
    { b: 3, tq: 37, tk: 37, d: 24, opts: { heads: 3 } },
    { b: 2, tq: 21, tk: 40, d: 16, opts: { heads: 2, causal: true } },
    { b: 4, tq: 19, tk: 19, d: 12, opts: { heads: 4, scale: 0.7 } },
  ];
  for (const c of cases) {
    const q = rand([c.b, c.tq, c.d], rng, 2), k = rand([c.b, c.tk, c.d], rng, 2), v = rand([c.b, c.tk, c.d], rng);
    compare(`attention ${JSON.stringify(c)}`, [q, k, v], ([a, b2, v2]) => multiHeadAttention(a, b2, v2, c.opts), c.b * c.tq * c.d, 2e-5, rng);
  }
  // Key mask with a bag whose keys are all masked (its output rows are zero on both paths).
  const [b, t, d] = [3, 33, 8];
  const mask = new Uint8Array(b * t);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < 0.7 ? 1 : 0;
  mask.fill(0, t, 2 * t);
  const q = rand([b, t, d], rng, 2), k = rand([b, t, d], rng, 2), v = rand([b, t, d], rng);
  compare('attention with key mask', [q, k, v], ([a, b2, v2]) => multiHeadAttention(a, b2, v2, { heads: 2, keyMask: mask }), b * t * d, 2e-5, rng);
  // Self-attention on one tensor (q = k = v share one gradient buffer: accumulate, not assign).
  const x = rand([2, 18, 8], rng, 2);
  compare('attention with q = k = v', [x], ([a]) => multiHeadAttention(a, a, a, { heads: 2 }), 2 * 18 * 8, 2e-5, rng);
});

test('native GELU equals the TypeScript kernel, also when the input gradient accumulates', { skip }, () => {
  const rng = new Rng(2);
  const x = rand([5, 1001], rng, 6); // large |x| reaches the tanh saturation; 5005 = vector body + tail
  compare('gelu', [x], ([a]) => gelu(a), x.size, 3e-6, rng);
  // x feeds gelu and an add: its gradient buffer already holds values when gelu's backward runs.
  compare('gelu + x', [x], ([a]) => add(gelu(a), a), x.size, 3e-6, rng);
});

test('native layer norm equals the TypeScript kernel (dx, dγ, dβ; accumulating dx)', { skip }, () => {
  const rng = new Rng(3);
  for (const [rows, d] of [[300, 43], [517, 64], [7, 5]]) {
    const x = rand([rows, d], rng, 3), g = rand([d], rng), b = rand([d], rng);
    compare(`layerNorm ${rows}×${d}`, [x, g, b], ([a, gg, bb]) => layerNorm(a, gg, bb, 1e-5), rows * d, 2e-5, rng);
    compare(`layerNorm ${rows}×${d} + x`, [x, g, b], ([a, gg, bb]) => add(layerNorm(a, gg, bb, 1e-5), a), rows * d, 2e-5, rng);
  }
});

test('native bias broadcast and bias gradient equal the TypeScript linear', { skip }, () => {
  const rng = new Rng(4);
  const x = rand([2, 333, 24], rng), w = rand([40, 24], rng), b = rand([40], rng);
  compare('linear', [x, w, b], ([a, ww, bb]) => linear(a, ww, bb), 2 * 333 * 40, 2e-5, rng);
});

test('native residual add and gradient accumulation equal the TypeScript ops', { skip }, () => {
  const rng = new Rng(7);
  const x = rand([3, 20, 17], rng), z = rand([3, 20, 17], rng);
  // x is used twice, so its gradient is accumulated (the native vecAdd path) after the first write.
  compare('add', [x, z], ([a, b]) => add(add(a, b), mul(a, b)), x.size, 1e-7, rng);
});

test('native kernels reject arrays of the wrong type or length with one clear error', { skip }, () => {
  const nn = nnKernels();
  assert.ok(nn);
  const f = new Float32Array(10);
  assert.throws(() => nn.geluForward(11, f, f, f, 1), /geluForward: expected/);
  assert.throws(() => nn.attnForward(1, 2, 2, 4, 3, 1, f, f, f, null, false, f, f, 1), /attnForward/);
  assert.throws(() => nn.layerNormForward(2, 5, 1e-5, new Float64Array(10) as unknown as Float32Array, f, f, f, f, f, 1), /layerNormForward/);
});

test('native kernels give the same bytes at 1, 2 and 3 threads (work split by whole bags / fixed blocks)', { skip }, () => {
  const nn = nnKernels();
  assert.ok(nn);
  const rng = new Rng(8);
  const f32 = (n: number, s = 1): Float32Array => Float32Array.from({ length: n }, () => s * rng.uniformRange(-1, 1));
  const [bn, t, dm, h] = [5, 40, 16, 2];
  const q = f32(bn * t * dm, 2), k = f32(bn * t * dm, 2), v = f32(bn * t * dm), g = f32(bn * t * dm);
  const n = 70000; // > 4 chunks of the elementwise split
  const x = f32(n, 4), ln = f32(3000 * 20, 3), gam = f32(20), bet = f32(20), lg = f32(3000 * 20);
  const run = (threads: number): Buffer => {
    const p = new Float32Array(bn * h * t * t), y = new Float32Array(bn * t * dm);
    nn.attnForward(bn, t, t, dm, h, 0.3, q, k, v, null, true, p, y, threads);
    const dq = new Float32Array(y.length), dk = new Float32Array(y.length), dv = new Float32Array(y.length);
    nn.attnBackward(bn, t, t, dm, h, 0.3, q, k, v, p, g, dq, dk, dv, 0, 0, 0, threads);
    const gy = new Float32Array(n), gt = new Float32Array(n), gd = new Float32Array(n);
    nn.geluForward(n, x, gy, gt, threads);
    nn.geluBackward(n, x, gt, x, gd, true, threads);
    const ly = new Float32Array(ln.length), xh = new Float32Array(ln.length), rs = new Float32Array(3000);
    nn.layerNormForward(3000, 20, 1e-5, ln, gam, bet, ly, xh, rs, threads);
    const dx = new Float32Array(ln.length), dg = new Float32Array(20), db = new Float32Array(20);
    nn.layerNormBackward(3000, 20, lg, xh, rs, gam, dx, true, dg, db, threads);
    return Buffer.concat([p, y, dq, dk, dv, gy, gd, ly, dx, dg, db].map((a) => Buffer.from(a.buffer)));
  };
  const one = run(1);
  assert.ok(one.equals(run(2)), '2 threads differ from 1');
  assert.ok(one.equals(run(3)), '3 threads differ from 1');
});

/** A few Adam steps of a Transformer with the given native thread count; all parameters' bytes. */
function trainBytes(threads: number): Buffer {
  setGemmBackend('native');
  setGemmThreads(threads);
  try {
    const model = new TransformerRegressor({ inputDim: 2, hiddenSize: 32, numHeads: 4, numLayers: 2, intermediateSize: 64, seed: 5 });
    const opt = new Adam(model.trainableParameters(), { lr: 1e-2 });
    const rng = new Rng(6);
    const x = rand([6, 40, 2], rng), y = rand([6, 1], rng);
    const mask = new Uint8Array(6 * 40).fill(1);
    mask.fill(0, 40 + 30, 80); // a shorter bag
    for (let s = 0; s < 4; s++) {
      opt.zeroGrad();
      backward(mse(model.forward(x, mask), y));
      opt.step();
    }
    return Buffer.concat(model.parameters().map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)));
  } finally {
    setGemmThreads(1);
  }
}

// Whole training is reproducible per thread count but not across counts: OpenBLAS's threaded
// GEMMs (the linear layers) sum in another order than its single-threaded ones.
test('native training is bit-for-bit reproducible at 1 and at 2 threads', { skip }, () => {
  const a1 = trainBytes(1), b1 = trainBytes(1);
  assert.ok(a1.equals(b1), 'two 1-thread runs differ');
  const a2 = trainBytes(2), b2 = trainBytes(2);
  assert.ok(a2.equals(b2), 'two 2-thread runs differ');
});
