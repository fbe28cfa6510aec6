import { Rng } from './rng.js';
import { Tensor, backward, noGrad } from './tensor.js';

export interface GradCheckResult {
  /** Largest |analytic − numeric| / max(1, |numeric|) over all checked entries. */
  maxError: number;
  /** Where it occurred: input index and flat element index. */
  worst: { input: number; index: number; analytic: number; numeric: number };
  checked: number;
}

/**
 * Finite-difference check of the gradients of f at float64 inputs. The scalar checked is
 * L = Σ w ⊙ f(inputs) with fixed random weights w, so every output element is exercised; each
 * input entry's ∂L/∂x is compared with the central difference (L(x + h) − L(x − h)) / 2h,
 * h = 1e-6 (error O(h²) plus rounding O(ε/h) ≈ 1e-10 in float64).
 */
export function gradCheck(f: (inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: { h?: number; seed?: number } = {}): GradCheckResult {
  const h = opts.h ?? 1e-6;
  for (const t of inputs) {
    if (t.dtype !== 'float64') throw new TypeError('gradCheck: inputs must be float64');
  }
  const rng = new Rng(opts.seed ?? 7);
  const y0 = f(inputs);
  const w = new Float64Array(y0.size);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniformRange(-1, 1);
  const loss = (): number => noGrad(() => {
    const y = f(inputs);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * y.data[i];
    return s;
  });
  for (const t of inputs) t.grad = null;
  backward(y0, w);
  const result: GradCheckResult = { maxError: 0, worst: { input: -1, index: -1, analytic: 0, numeric: 0 }, checked: 0 };
  inputs.forEach((t, k) => {
    if (!t.requiresGrad) return;
    const g = t.grad;
    for (let i = 0; i < t.size; i++) {
      const x = t.data[i];
      t.data[i] = x + h;
      const lp = loss();
      t.data[i] = x - h;
      const lm = loss();
      t.data[i] = x;
      const num = (lp - lm) / (2 * h);
      const an = g ? g[i] : 0;
      const err = Math.abs(an - num) / Math.max(1, Math.abs(num));
      result.checked++;
      if (err > result.maxError || result.worst.input < 0) {
        if (err >= result.maxError) result.worst = { input: k, index: i, analytic: an, numeric: num };
        result.maxError = Math.max(result.maxError, err);
      }
    }
  });
  return result;
}

/** A float64 tensor of uniform(−1, 1) entries that requires a gradient (for checks and tests). */
export function randomTensor(shape: readonly number[], rng: Rng, requiresGrad = true, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const t = Tensor.zeros(shape, dtype, requiresGrad);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(-1, 1);
  return t;
}
