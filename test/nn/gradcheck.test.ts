import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, Tensor, gradCheck, randomTensor, add, sub, mul, scale, relu, gelu, tanh, sum, mean, mse, reshape,
  linear, layerNorm, meanPool, embedding, prependTokens, multiHeadAttention, conv1d,
  TransformerRegressor, Linear, Conv1d, Embedding, LayerNorm, setGemmBackend, gemmBackend,
} from '../../src/nn/index.js';

// Finite-difference checks in float64 for every op and layer (central differences, h = 1e-6).
const TOL = 1e-6;
const rng = new Rng(2024);
const r = (...shape: number[]): Tensor => randomTensor(shape, rng);

function check(name: string, f: (xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const res = gradCheck(f, inputs);
  assert.ok(res.checked > 0, `${name}: nothing checked`);
  assert.ok(res.maxError < TOL, `${name}: gradient error ${res.maxError} at input ${res.worst.input}[${res.worst.index}] (analytic ${res.worst.analytic}, numeric ${res.worst.numeric})`);
}

test('element-wise ops, reductions and reshape', () => {
  check('add', ([a, b]) => add(a, b), [r(3, 4), r(3, 4)]);
  check('sub', ([a, b]) => sub(a, b), [r(3, 4), r(3, 4)]);
  check('mul', ([a, b]) => mul(a, b), [r(3, 4), r(3, 4)]);
  check('scale', ([a]) => scale(a, -1.7), [r(5)]);
  check('gelu', ([a]) => gelu(scale(a, 3)), [r(4, 5)]);
  check('tanh', ([a]) => tanh(a), [r(7)]);
  check('sum', ([a]) => sum(a), [r(2, 3)]);
  check('mean', ([a]) => mean(a), [r(2, 3)]);
  check('reshape', ([a]) => mul(reshape(a, [6, 2]), reshape(a, [6, 2])), [r(3, 4)]);
  check('mse', ([a, b]) => mse(a, b), [r(4, 2), r(4, 2)]);
  // ReLU's kink: keep inputs away from 0 so the central difference does not straddle it.
  const x = r(20);
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]) < 0.01) x.data[i] = 0.5;
  check('relu', ([a]) => relu(a), [x]);
});

test('linear, with and without bias, on a 3-D input', () => {
  check('linear', ([x, w, b]) => linear(x, w, b), [r(2, 3, 4), r(5, 4), r(5)]);
  check('linear-nobias', ([x, w]) => linear(x, w), [r(6, 4), r(3, 4)]);
});

test('layer norm, mean pool (plain, with start, with mask), embedding, prompt tokens', () => {
  check('layerNorm', ([x, g, b]) => layerNorm(x, g, b), [r(3, 2, 6), r(6), r(6)]);
  check('meanPool', ([x]) => meanPool(x), [r(2, 4, 3)]);
  check('meanPool-start', ([x]) => meanPool(x, { start: 1 }), [r(2, 4, 3)]);
  check('meanPool-mask', ([x]) => meanPool(x, { keyMask: Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0]) }), [r(2, 4, 3)]);
  check('embedding', ([w]) => embedding(w, [2, 0, 2, 3], [2, 2]), [r(4, 3)]);
  check('prependTokens', ([p, x]) => prependTokens(p, x), [r(2, 3), r(2, 4, 3)]);
});

test('multi-head attention: self, cross (Tq ≠ Tk), key mask, causal', () => {
  check('attention', ([q, k, v]) => multiHeadAttention(q, k, v, { heads: 2 }), [r(2, 3, 4), r(2, 3, 4), r(2, 3, 4)]);
  check('attention-cross', ([q, k, v]) => multiHeadAttention(q, k, v, { heads: 3 }), [r(2, 2, 6), r(2, 5, 6), r(2, 5, 6)]);
  const mask = Uint8Array.from([1, 1, 0, 1, 0, 1, 1, 1]);
  check('attention-mask', ([q, k, v]) => multiHeadAttention(q, k, v, { heads: 2, keyMask: mask }), [r(2, 3, 4), r(2, 4, 4), r(2, 4, 4)]);
  check('attention-causal', ([q, k, v]) => multiHeadAttention(q, k, v, { heads: 1, causal: true, scale: 0.7 }), [r(1, 4, 3), r(1, 4, 3), r(1, 4, 3)]);
  check('attention-shared-input', ([x]) => multiHeadAttention(x, x, x, { heads: 2 }), [r(2, 3, 4)]);
});

test('attention: fully masked rows give zeros, masked keys get no weight', () => {
  const q = r(1, 2, 2), k = r(1, 3, 2), v = r(1, 3, 2);
  const y = multiHeadAttention(q, k, v, { heads: 1, keyMask: Uint8Array.from([0, 0, 0]) });
  assert.deepEqual(Array.from(y.data), [0, 0, 0, 0]);
  const v2 = v.detach();
  v2.data[4] = 1e6; v2.data[5] = -1e6; // the masked third key's value must not leak in
  const y2 = multiHeadAttention(q, k, v2, { heads: 1, keyMask: Uint8Array.from([1, 1, 0]) });
  for (const val of y2.data) assert.ok(Math.abs(val) <= 1);
});

test('conv1d with stride and padding', () => {
  check('conv1d', ([x, w, b]) => conv1d(x, w, b, 2, 1), [r(2, 3, 7), r(4, 3, 3), r(4)]);
  check('conv1d-nobias', ([x, w]) => conv1d(x, w, null, 1, 0), [r(1, 2, 5), r(3, 2, 2)]);
});

test('layers: Linear with LoRA, Conv1d, Embedding, LayerNorm modules', () => {
  const o = { rng, dtype: 'float64' as const };
  const lin = new Linear(4, 3, o);
  lin.addLora(2, { rng, alpha: 4 });
  // B starts at zero; move it so the low-rank path is exercised.
  for (let i = 0; i < lin.lora!.b.size; i++) lin.lora!.b.data[i] = rng.uniformRange(-1, 1);
  check('Linear+LoRA input', ([x]) => lin.forward(x), [r(5, 4)]);
  const xf = r(5, 4);
  xf.requiresGrad = false;
  check('Linear+LoRA params', () => lin.forward(xf), lin.parameters());
  const conv = new Conv1d(2, 3, 3, { ...o, padding: 1 });
  const xc = r(2, 2, 5);
  check('Conv1d', () => conv.forward(xc), conv.parameters());
  const emb = new Embedding(5, 3, o);
  check('Embedding', () => emb.forward([4, 1, 1]), emb.parameters());
  const ln = new LayerNorm(4, 1e-5, 'float64');
  const xl = r(3, 4);
  check('LayerNorm', ([x]) => ln.forward(x), [xl, ...ln.parameters()]);
});

test('TransformerRegressor: every parameter and the input (mask, prompt and prefix tokens on)', () => {
  const m = new TransformerRegressor({ inputDim: 2, hiddenSize: 4, numHeads: 2, numLayers: 2, intermediateSize: 6, promptTokens: 2, prefixTokens: 2, seed: 3, dtype: 'float64' });
  const x = r(2, 3, 2);
  const mask = Uint8Array.from([1, 1, 0, 1, 1, 1]);
  check('TransformerRegressor', ([xx]) => m.forward(xx, mask), [x, ...m.parameters()]);
  const m2 = new TransformerRegressor({ inputDim: 2, hiddenSize: 4, numHeads: 1, numLayers: 1, intermediateSize: 3, activation: 'relu', seed: 4, dtype: 'float64' });
  check('TransformerRegressor-relu', () => m2.forward(x), m2.parameters());
});

test('the TypeScript GEMM kernel is exercised by these checks', () => {
  setGemmBackend('js');
  assert.equal(gemmBackend(), 'js');
  check('linear-js', ([x, w, b]) => linear(x, w, b), [r(9, 5), r(6, 5), r(6)]);
});
