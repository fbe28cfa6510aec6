import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TransformerRegressor, Tensor, Adam, AdamW, mse, backward, noGrad, Rng, clipGradNorm, schedules, applySchedule, setBufferPooling,
  type TransformerRegressorConfig,
} from '../../src/nn/index.js';

const cfg: TransformerRegressorConfig = { inputDim: 2, hiddenSize: 16, numHeads: 4, numLayers: 2, intermediateSize: 32, seed: 9 };

/** Bags of n points from N(μ_b, I); the label is μ_b's first coordinate (a linear functional). */
function data(seed: number, bags: number, n: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = Tensor.zeros([bags, n, 2]), y = Tensor.zeros([bags, 1]);
  for (let b = 0; b < bags; b++) {
    const mu = [rng.uniformRange(-2, 2), rng.uniformRange(-2, 2)];
    y.data[b] = mu[0];
    for (let i = 0; i < n; i++) for (let d = 0; d < 2; d++) x.data[(b * n + i) * 2 + d] = mu[d] + 0.3 * rng.normal();
  }
  return { x, y };
}

function train(model: TransformerRegressor, steps: number, seed = 1): number[] {
  const { x, y } = data(seed, 16, 12);
  const opt = new AdamW(model.trainableParameters(), { lr: 3e-3 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    applySchedule(opt, 3e-3, schedules.cosine(2, steps), s);
    opt.zeroGrad();
    const loss = mse(model.forward(x), y);
    backward(loss);
    clipGradNorm(model.trainableParameters(), 5);
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}

test('training reduces the loss, and reproduces bit for bit with the same seed', () => {
  const a = new TransformerRegressor(cfg), b = new TransformerRegressor(cfg);
  const la = train(a, 30), lb = train(b, 30);
  assert.ok(la[29] < 0.5 * la[0], `loss ${la[0]} -> ${la[29]}`);
  assert.deepEqual(la, lb);
  for (const [[na, pa], [, pb]] of a.namedParameters().map((e, i) => [e, b.namedParameters()[i]] as const)) {
    assert.ok(Buffer.from(pa.data.buffer).equals(Buffer.from(pb.data.buffer)), `${na} differs between identical runs`);
  }
  const c = new TransformerRegressor({ ...cfg, seed: 10 });
  assert.notDeepEqual(Array.from(c.input.weight.data), Array.from(a.input.weight.data));
});

test('buffer recycling changes nothing: pooled and unpooled runs agree bit for bit', () => {
  const big = { inputDim: 2, hiddenSize: 32, numHeads: 4, numLayers: 2, intermediateSize: 64, seed: 4, promptTokens: 2 };
  const run = (): number[] => {
    const m = new TransformerRegressor(big);
    const { x, y } = data(6, 8, 40);
    const opt = new Adam(m.trainableParameters(), { lr: 1e-2 });
    const out: number[] = [];
    for (let s = 0; s < 6; s++) {
      opt.zeroGrad();
      const pred = m.forward(x);
      const loss = mse(pred, y);
      backward(loss);
      opt.step();
      out.push(loss.item(), ...pred.data, ...noGrad(() => m.forward(x)).data);
    }
    return out;
  };
  setBufferPooling(false);
  const plain = run();
  setBufferPooling(true);
  const pooled = run();
  assert.deepEqual(pooled, plain);
});

test('the model is permutation invariant and takes any bag size', () => {
  const m = new TransformerRegressor(cfg);
  const { x } = data(3, 2, 7);
  const perm = [3, 0, 6, 2, 5, 1, 4];
  const xp = x.detach();
  for (let b = 0; b < 2; b++) for (let i = 0; i < 7; i++) for (let d = 0; d < 2; d++) xp.data[(b * 7 + i) * 2 + d] = x.data[(b * 7 + perm[i]) * 2 + d];
  const [y1, y2] = noGrad(() => [m.forward(x), m.forward(xp)]);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(y1.data[i] - y2.data[i]) < 1e-5);
  // Padding with a key mask gives the unpadded result.
  const pad = Tensor.zeros([2, 9, 2]);
  for (let b = 0; b < 2; b++) pad.data.set(x.data.subarray(b * 14, b * 14 + 14), b * 18);
  const mask = new Uint8Array(18);
  for (let b = 0; b < 2; b++) mask.fill(1, b * 9, b * 9 + 7);
  const y3 = noGrad(() => m.forward(pad, mask));
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(y1.data[i] - y3.data[i]) < 1e-5);
});

test('LoRA, prompt tuning, prefix tuning and head-only training change only their own parameters', () => {
  for (const mode of ['lora', 'prompt', 'prefix', 'head'] as const) {
    const m = new TransformerRegressor(cfg);
    train(m, 3); // some pretraining
    const rng = new Rng(5);
    if (mode === 'lora') m.enableLora(2, { rng, targets: ['attn.q', 'attn.v', 'ffn.in'] });
    else if (mode === 'prompt') m.enablePromptTuning(3, rng);
    else if (mode === 'prefix') m.enablePrefixTuning(2, rng);
    else m.enableHeadOnly();
    const before = new Map(m.namedParameters().map(([n, t]) => [n, t.data.slice()]));
    const trainable = new Set(m.namedParameters().filter(([, t]) => t.requiresGrad).map(([n]) => n));
    const losses = train(m, 8, 2);
    assert.ok(losses[7] < losses[0], `${mode}: loss did not fall`);
    for (const [name, t] of m.namedParameters()) {
      const changed = !Buffer.from(t.data.buffer).equals(Buffer.from(before.get(name)!.buffer));
      const expect = mode === 'lora' ? /lora_[AB]/.test(name) : mode === 'prompt' ? name === 'prompt.weight'
        : mode === 'prefix' ? /attn\.prefix_[kv]$/.test(name) : name.startsWith('head.');
      assert.equal(trainable.has(name), expect, `${mode}: ${name} trainable=${trainable.has(name)}`);
      if (!expect) assert.ok(!changed, `${mode}: frozen ${name} changed`);
    }
    if (mode === 'lora') assert.equal(m.numParameters(true), 2 * 2 * ((16 + 16) * 2 + (16 + 32)));
  }
});

test('merging LoRA into the weights keeps the function', () => {
  const m = new TransformerRegressor(cfg);
  m.enableLora(3, { rng: new Rng(1), alpha: 6 });
  train(m, 4);
  const { x } = data(4, 3, 5);
  const y1 = noGrad(() => m.forward(x));
  for (const [, lin] of m.linears()) lin.mergeLora();
  assert.ok(!m.namedParameters().some(([n]) => n.includes('lora')));
  const y2 = noGrad(() => m.forward(x));
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(y1.data[i] - y2.data[i]) < 1e-5);
});

test('Adam with L2 weight decay differs from AdamW; clipGradNorm caps the norm', () => {
  const p1 = Tensor.from([1, -2], [2], 'float64', true), p2 = Tensor.from([1, -2], [2], 'float64', true);
  p1.grad = Float64Array.from([0.1, 0.1]); p2.grad = Float64Array.from([0.1, 0.1]);
  new Adam([p1], { lr: 0.1, weightDecay: 0.5 }).step();
  new AdamW([p2], { lr: 0.1, weightDecay: 0.5 }).step();
  // Adam: g = 0.1 + 0.5·θ → steps of −0.1·sign(g); AdamW: θ·(1 − 0.05) − 0.1.
  assert.ok(Math.abs(p1.data[0] - 0.9) < 1e-6 && Math.abs(p1.data[1] - (-1.9)) < 1e-6);
  assert.ok(Math.abs(p2.data[0] - 0.85) < 1e-6 && Math.abs(p2.data[1] - (-2 * 0.95 - 0.1)) < 1e-6);
  const q = Tensor.from([0, 0], [2], 'float64', true);
  q.grad = Float64Array.from([3, 4]);
  assert.equal(clipGradNorm([q], 1), 5);
  assert.ok(Math.abs(Math.hypot(q.grad[0], q.grad[1]) - 1) < 1e-5);
  assert.equal(schedules.step(10, 0.5)(25), 0.25);
  assert.ok(Math.abs(schedules.cosine(0, 100)(50) - 0.5) < 1e-12);
  assert.equal(schedules.linear(10, 110)(4), 0.5);
});
