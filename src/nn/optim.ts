import type { Tensor, Data } from './tensor.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay. Default 0 (Adam), 0.01 (AdamW). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) exactly as PyTorch's torch.optim.Adam computes it:
 *   g ← g + λ·θ (Adam's L2 form, if λ > 0)
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * State is kept in float64 per parameter; parameters with no gradient this step are skipped.
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private t = 0;
  private readonly m = new Map<Tensor, Float64Array>();
  private readonly v = new Map<Tensor, Float64Array>();

  constructor(readonly params: readonly Tensor[], o: AdamOptions = {}) {
    this.lr = o.lr ?? 1e-3;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? this.defaultDecay();
  }

  protected defaultDecay(): number {
    return 0;
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.t;
  }

  step(): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, lr, weightDecay: wd } = this;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2s = Math.sqrt(1 - Math.pow(b2, this.t));
    const stepSize = lr / bc1;
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      let m = this.m.get(p), v = this.v.get(p);
      if (!m || !v) {
        m = new Float64Array(p.size);
        v = new Float64Array(p.size);
        this.m.set(p, m);
        this.v.set(p, v);
      }
      const th: Data = p.data;
      if (this.decoupled && wd !== 0) {
        const f = 1 - lr * wd;
        for (let i = 0; i < th.length; i++) th[i] *= f;
      }
      const l2 = this.decoupled ? 0 : wd;
      for (let i = 0; i < th.length; i++) {
        const gi = l2 === 0 ? g[i] : g[i] + l2 * th[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        th[i] -= stepSize * mi / (Math.sqrt(vi) / bc2s + eps);
      }
    }
  }

  /** Clears the gradients of all managed parameters. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019, Algorithm 2), PyTorch's torch.optim.AdamW: the decay is
 * decoupled, θ ← θ·(1 − lr·λ) before the Adam update; default λ = 0.01.
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  protected override defaultDecay(): number {
    return 0.01;
  }
}

/**
 * Rescales all gradients so their joint Euclidean norm is at most maxNorm (PyTorch's
 * clip_grad_norm_: factor maxNorm / (norm + 1e-6) when it is below 1). Returns the norm before
 * clipping.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let s = 0;
  for (const p of params) if (p.grad) for (const x of p.grad) s += x * x;
  const norm = Math.sqrt(s);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const p of params) if (p.grad) for (let i = 0; i < p.grad.length; i++) p.grad[i] *= coef;
  return norm;
}

/** A learning-rate schedule: the multiplier of the base rate at step t (0-based). */
export type Schedule = (step: number) => number;

export const schedules = {
  constant: (): Schedule => () => 1,
  /** × gamma every `every` steps (PyTorch StepLR). */
  step: (every: number, gamma: number): Schedule => (t) => Math.pow(gamma, Math.floor(t / every)),
  /** Linear warm-up from 0 over `warmup` steps, then linear decay to 0 at `total`. */
  linear: (warmup: number, total: number): Schedule => (t) =>
    t < warmup ? (t + 1) / warmup : Math.max(0, (total - t) / Math.max(1, total - warmup)),
  /**
   * Linear warm-up, then half-cosine from 1 to minFactor at `total` (Loshchilov & Hutter 2017,
   * SGDR eq. 5 without restarts).
   */
  cosine: (warmup: number, total: number, minFactor = 0): Schedule => (t) => {
    if (t < warmup) return (t + 1) / warmup;
    const u = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * u));
  },
};

/** Sets the optimiser's rate to base·schedule(step); call before each optimiser step. */
export function applySchedule(opt: Adam, base: number, schedule: Schedule, step: number): number {
  opt.lr = base * schedule(step);
  return opt.lr;
}
