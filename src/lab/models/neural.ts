/**
 * The neural learners of the lab, built on src/nn (float32 training, Adam/AdamW):
 *   transformer – nn's TransformerRegressor: input projection, pre-LN blocks with softmax attention
 *                 and no positional encoding (the attention operator on the empirical measure),
 *                 mean pool, linear head (spec: distribution-regression.md).
 *   deepsets    – ρ(mean_j φ(x_j)) with φ, ρ two-layer ReLU MLPs (Zaheer et al. 2017).
 *   fcn         – a fully connected net on a fixed pooled feature: the mean embedding of 32 random
 *                 Fourier features (Shi, Yu & Zhou 2025 study FCNs on mean embeddings).
 *   cnn         – a 1-D CNN on the binned empirical measure: a linear-interpolation histogram of
 *                 each coordinate on [−3, 3] (standardised units) with 32 bins, d channels
 *                 (Yu & Zhou 2023 study CNNs on embedded distributions).
 * Inputs are standardised per coordinate and labels to zero mean and unit variance with training
 * statistics (fixed affine maps, so permutation invariance is kept). The non-Transformer models
 * take a width chosen so that their parameter count is closest to the Transformer's.
 */
import {
  Adam, AdamW, Conv1d, Linear, Module, Rng as NnRng, Tensor, TransformerRegressor, backward, meanPool, mse as mseLoss, noGrad, relu, reshape,
} from '../../nn/index.js';
import { BadOptionError } from '../../errors.js';
import type { Bags } from '../data.js';
import { Rng } from '../rng.js';
import type { ModelKind, NeuralKind, Regressor, SizeConfig, TrainConfig, TrainReport } from './types.js';

/** A network mapping a batch of (preprocessed) inputs to [B, 1]. */
interface Net extends Module {
  forward(x: Tensor): Tensor;
}

class DeepSets extends Module implements Net {
  readonly phi1: Linear;
  readonly phi2: Linear;
  readonly rho1: Linear;
  readonly rho2: Linear;
  constructor(d: number, h: number, seed: number) {
    super();
    const nrng = nnRng(seed);
    this.phi1 = this.addModule('phi1', new Linear(d, h, { rng: nrng }));
    this.phi2 = this.addModule('phi2', new Linear(h, h, { rng: nrng }));
    this.rho1 = this.addModule('rho1', new Linear(h, h, { rng: nrng }));
    this.rho2 = this.addModule('rho2', new Linear(h, 1, { rng: nrng }));
  }
  forward(x: Tensor): Tensor {
    const e = relu(this.phi2.forward(relu(this.phi1.forward(x))));
    return this.rho2.forward(relu(this.rho1.forward(meanPool(e))));
  }
}

class Mlp extends Module implements Net {
  readonly l1: Linear;
  readonly l2: Linear;
  readonly l3: Linear;
  constructor(inF: number, h: number, seed: number) {
    super();
    const rng = nnRng(seed);
    this.l1 = this.addModule('l1', new Linear(inF, h, { rng }));
    this.l2 = this.addModule('l2', new Linear(h, h, { rng }));
    this.l3 = this.addModule('l3', new Linear(h, 1, { rng }));
  }
  forward(x: Tensor): Tensor {
    return this.l3.forward(relu(this.l2.forward(relu(this.l1.forward(x)))));
  }
}

export const CNN_BINS = 32;

class Cnn extends Module implements Net {
  readonly c1: Conv1d;
  readonly c2: Conv1d;
  readonly out: Linear;
  constructor(readonly d: number, readonly ch: number, seed: number) {
    super();
    const rng = nnRng(seed);
    this.c1 = this.addModule('c1', new Conv1d(d, ch, 5, { rng, padding: 2 }));
    this.c2 = this.addModule('c2', new Conv1d(ch, ch, 5, { rng, padding: 2, stride: 2 }));
    this.out = this.addModule('out', new Linear(ch * (CNN_BINS / 2), 1, { rng }));
  }
  forward(x: Tensor): Tensor {
    const h = relu(this.c2.forward(relu(this.c1.forward(x))));
    return this.out.forward(reshape(h, [h.shape[0], this.ch * (CNN_BINS / 2)]));
  }
}

function mseOf(p: Float64Array, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[i]) ** 2;
  return s / p.length;
}

function nnRng(seed: number): NnRng {
  return new NnRng(seed);
}

/** Standardisation of the inputs (per coordinate) fitted on training bags. */
interface Scaler {
  mean: Float64Array;
  sd: Float64Array;
}

function fitScaler(b: Bags): Scaler {
  const { d } = b;
  const N = b.m * b.n;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < N; i++) for (let k = 0; k < d; k++) mean[k] += b.x[i * d + k] / N;
  for (let i = 0; i < N; i++) for (let k = 0; k < d; k++) sd[k] += (b.x[i * d + k] - mean[k]) ** 2 / N;
  for (let k = 0; k < d; k++) sd[k] = Math.sqrt(sd[k]) || 1;
  return { mean, sd };
}

const FCN_FEATURES = 32;

/** The architectures' parameter counts as a function of width (exact, from the layer shapes). */
export function paramCountOf(kind: ModelKind, d: number, width: number, size: SizeConfig): number {
  const h = width;
  switch (kind) {
    case 'transformer': {
      const f = size.ffnMult * h;
      const block = 4 * (h * h + h) + 2 * (h * f) + f + h + 4 * h;
      return d * h + h + size.layers * block + h + 1;
    }
    case 'deepsets':
      return d * h + h + 2 * (h * h + h) + h + 1;
    case 'fcn':
      return FCN_FEATURES * h + h + h * h + h + h + 1;
    case 'cnn':
      return d * h * 5 + h + h * h * 5 + h + h * (CNN_BINS / 2) + 1;
    default:
      return 0;
  }
}

/** The width of `kind` whose parameter count is closest to `target` (Transformer: multiples of heads). */
export function matchWidth(kind: ModelKind, d: number, target: number, size: SizeConfig): number {
  const step = kind === 'transformer' ? size.heads : 1;
  let best = step;
  for (let w = step; w <= 1024; w += step) {
    if (Math.abs(paramCountOf(kind, d, w, size) - target) < Math.abs(paramCountOf(kind, d, best, size) - target)) best = w;
  }
  return best;
}

export class NeuralRegressor implements Regressor {
  readonly paramCount: number;
  net: Net | null = null;
  readonly width: number;
  private scaler: Scaler | null = null;
  private ymean = 0;
  private ysd = 1;
  private rff: { omega: Float64Array; phase: Float64Array } | null = null;

  /** What the last fit used (steps, early stopping). */
  report: TrainReport | null = null;

  /**
   * `paramScale` scales the parameter budget (the Transformer's count at size.hidden) before
   * matching the width: 1 = the matched count; the tuning grid of the experiments uses it.
   */
  constructor(readonly kind: NeuralKind, readonly d: number, readonly size: SizeConfig, readonly train: TrainConfig, paramScale = 1) {
    if (size.hidden % size.heads !== 0) throw new BadOptionError(`model size: hidden ${size.hidden} is not a multiple of heads ${size.heads}`);
    const target = paramCountOf('transformer', d, size.hidden, size) * paramScale;
    this.width = kind === 'transformer' && paramScale === 1 ? size.hidden : matchWidth(kind, d, target, size);
    this.paramCount = paramCountOf(kind, d, this.width, size);
  }

  /** Builds the network (fresh weights from the training seed). */
  build(): Net {
    const s = this.train.seed;
    switch (this.kind) {
      case 'transformer':
        return new TransformerRegressor({
          inputDim: this.d, hiddenSize: this.width, numHeads: this.size.heads, numLayers: this.size.layers,
          intermediateSize: this.size.ffnMult * this.width, seed: s,
        });
      case 'deepsets':
        return new DeepSets(this.d, this.width, s);
      case 'fcn':
        return new Mlp(FCN_FEATURES, this.width, s);
      case 'cnn':
        return new Cnn(this.d, this.width, s);
    }
  }

  /** Standardised bags → the network's input tensor for bags [from, to). */
  private input(b: Bags, idx: readonly number[]): Tensor {
    const sc = this.scaler as Scaler;
    const { n, d } = b;
    const B = idx.length;
    const z = (i: number, j: number, k: number): number => (b.x[(i * n + j) * d + k] - sc.mean[k]) / sc.sd[k];
    if (this.kind === 'transformer' || this.kind === 'deepsets') {
      const out = new Float32Array(B * n * d);
      idx.forEach((i, r) => {
        for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) out[(r * n + j) * d + k] = z(i, j, k);
      });
      return new Tensor(out, [B, n, d]);
    }
    if (this.kind === 'fcn') {
      const { omega, phase } = this.rff as { omega: Float64Array; phase: Float64Array };
      const out = new Float32Array(B * FCN_FEATURES);
      const c = Math.sqrt(2 / FCN_FEATURES);
      idx.forEach((i, r) => {
        for (let j = 0; j < n; j++) {
          for (let f = 0; f < FCN_FEATURES; f++) {
            let t = phase[f];
            for (let k = 0; k < d; k++) t += omega[f * d + k] * z(i, j, k);
            out[r * FCN_FEATURES + f] += (c * Math.cos(t)) / n;
          }
        }
      });
      return new Tensor(out, [B, FCN_FEATURES]);
    }
    // cnn: linear-interpolation histogram on [−3, 3], CNN_BINS bins per coordinate
    const out = new Float32Array(B * d * CNN_BINS);
    const lo = -3;
    const step = 6 / (CNN_BINS - 1);
    idx.forEach((i, r) => {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < d; k++) {
          const u = Math.min(CNN_BINS - 1, Math.max(0, (z(i, j, k) - lo) / step));
          const a = Math.min(CNN_BINS - 2, Math.floor(u));
          const t = u - a;
          out[(r * d + k) * CNN_BINS + a] += (1 - t) / n;
          out[(r * d + k) * CNN_BINS + a + 1] += t / n;
        }
      }
    });
    return new Tensor(out, [B, d, CNN_BINS]);
  }

  /** Prepares scalers and fixed features, builds the net if needed. */
  prepare(train: Bags, y: Float64Array): void {
    this.scaler = fitScaler(train);
    let m = 0;
    for (const v of y) m += v / y.length;
    let s = 0;
    for (const v of y) s += (v - m) ** 2 / y.length;
    this.ymean = m;
    this.ysd = Math.sqrt(s) || 1;
    if (this.kind === 'fcn') {
      const r = new Rng(this.train.seed + 101);
      this.rff = {
        omega: Float64Array.from({ length: FCN_FEATURES * this.d }, () => r.normal()),
        phase: Float64Array.from({ length: FCN_FEATURES }, () => r.range(0, 2 * Math.PI)),
      };
    }
    if (!this.net) this.net = this.build();
  }

  fit(train: Bags, y: Float64Array, progress?: (done: number, total: number) => void): number {
    this.prepare(train, y);
    return this.trainSteps(train, y, this.train, progress);
  }

  /** The current weights (to keep the best ones during early stopping). */
  private snapshot(): Float32Array[] {
    return (this.net as Net).parameters().map((t) => Float32Array.from(t.data as Float32Array));
  }

  private restore(w: readonly Float32Array[]): void {
    (this.net as Net).parameters().forEach((t, i) => (t.data as Float32Array).set(w[i]));
  }

  /** Runs Adam(W) on the net's trainable parameters (used by fine-tuning with a frozen base too). */
  trainSteps(all: Bags, yAll: Float64Array, tc: TrainConfig, progress?: (done: number, total: number) => void): number {
    const net = this.net as Net;
    const params = net.trainableParameters();
    const opt = tc.weightDecay > 0 ? new AdamW(params, { lr: tc.lr, weightDecay: tc.weightDecay }) : new Adam(params, { lr: tc.lr });
    const rng = new Rng(tc.seed + 7);
    const vf = tc.valFraction ?? 0;
    const mVal = vf > 0 ? Math.max(1, Math.round(vf * all.m)) : 0;
    if (mVal > 0 && all.m - mVal < 2) throw new BadOptionError(`early stopping: ${all.m} training bags are too few to hold out ${mVal}`);
    const mTr = all.m - mVal;
    const per = all.n * all.d;
    const train: Bags = { ...all, m: mTr, x: all.x.subarray(0, mTr * per) };
    const val: Bags = { ...all, m: mVal, x: all.x.subarray(mTr * per) };
    const y = yAll.subarray(0, mTr);
    const yVal = yAll.subarray(mTr);
    const evalEvery = Math.max(1, tc.evalEvery ?? 50);
    const patience = Math.max(1, tc.patience ?? 6);
    let best = { mse: Infinity, step: 0, w: [] as Float32Array[] };
    let bad = 0;
    let stepsRun = tc.steps;
    const B = Math.min(tc.batch, train.m);
    const perm = Array.from({ length: train.m }, (_, i) => i);
    let pos = train.m;
    for (let step = 0; step < tc.steps; step++) {
      if (mVal > 0 && step % evalEvery === 0) {
        const v = mseOf(this.predict(val), yVal);
        if (v < best.mse) {
          best = { mse: v, step, w: this.snapshot() };
          bad = 0;
        } else if (++bad >= patience) {
          stepsRun = step;
          break;
        }
      }
      if (pos + B > train.m) {
        for (let i = perm.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        pos = 0;
      }
      const idx = perm.slice(pos, pos + B);
      pos += B;
      const target = Float32Array.from(idx, (i) => (y[i] - this.ymean) / this.ysd);
      // cosine decay to 10% of the rate over the run
      opt.lr = tc.lr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * step) / tc.steps)));
      opt.zeroGrad();
      const loss = mseLoss(net.forward(this.input(train, idx)), target);
      backward(loss);
      opt.step();
      if (progress && (step % 10 === 9 || step === tc.steps - 1)) progress(step + 1, tc.steps);
    }
    if (mVal > 0) {
      const v = stepsRun === tc.steps ? mseOf(this.predict(val), yVal) : Infinity;
      if (v < best.mse) best = { mse: v, step: tc.steps, w: [] };
      else this.restore(best.w);
    }
    this.report = { stepsRun, bestStep: mVal > 0 ? best.step : tc.steps, valMse: mVal > 0 ? best.mse : NaN, stopped: stepsRun < tc.steps };
    // training MSE on the bags the gradient saw (the held-out ones are not training data)
    return mseOf(this.predict(train), y);
  }

  predict(bags: Bags): Float64Array {
    const net = this.net;
    if (!net || !this.scaler) throw new Error('predict before fit');
    const out = new Float64Array(bags.m);
    const chunk = 64;
    noGrad(() => {
      for (let a = 0; a < bags.m; a += chunk) {
        const idx = Array.from({ length: Math.min(chunk, bags.m - a) }, (_, k) => a + k);
        const p = net.forward(this.input(bags, idx)).data;
        idx.forEach((i, r) => (out[i] = p[r] * this.ysd + this.ymean));
      }
    });
    return out;
  }

  /** The affine label map (for saved models: y = ysd · net + ymean) and input scaler. */
  get normalisation(): { ymean: number; ysd: number; xmean: number[]; xsd: number[] } {
    const sc = this.scaler as Scaler;
    return { ymean: this.ymean, ysd: this.ysd, xmean: [...sc.mean], xsd: [...sc.sd] };
  }
}
