import { Tensor, allocUninit, record, recycle, type Data } from '../tensor.js';
import { fastTanh } from './fastmath.js';
import { nnKernels, nativeThreads } from '../gemm.js';

/**
 * Element-wise ops, reductions and shape ops, each with its gradient next to its forward.
 * Shapes must match exactly (no implicit broadcasting: the few broadcasts the layers need, such
 * as a bias over rows, are fused into the ops that need them).
 */

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.size !== b.size || a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new RangeError(`${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
  if (a.dtype !== b.dtype) throw new TypeError(`${op}: dtypes ${a.dtype} and ${b.dtype} differ`);
}

function out(like: Tensor, shape: readonly number[] = like.shape): Tensor {
  let n = 1;
  for (const s of shape) n *= s;
  return new Tensor(allocUninit(like.dtype, n), shape);
}

function accumulate(dst: Tensor, g: Data, scale = 1): void {
  if (!dst.requiresGrad) return;
  const { buf: d, fresh } = dst.gradForWrite();
  const nn = scale === 1 && !fresh && d instanceof Float32Array ? nnKernels() : null;
  if (nn !== null) nn.vecAdd(d.length, d as Float32Array, g as Float32Array, d as Float32Array, nativeThreads());
  else if (fresh) {
    if (scale === 1) d.set(g);
    else for (let i = 0; i < d.length; i++) d[i] = scale * g[i];
  } else if (scale === 1) for (let i = 0; i < d.length; i++) d[i] += g[i];
  else for (let i = 0; i < d.length; i++) d[i] += scale * g[i];
}

/** a + b. */
export function add(a: Tensor, b: Tensor): Tensor {
  sameShape(a, b, 'add');
  const y = out(a);
  const ad = a.data, bd = b.data, yd = y.data;
  // The residual adds of a Transformer step touch ~4 MB each: native float32 when available.
  const nn = a.dtype === 'float32' ? nnKernels() : null;
  if (nn !== null) nn.vecAdd(yd.length, ad as Float32Array, bd as Float32Array, yd as Float32Array, nativeThreads());
  else for (let i = 0; i < yd.length; i++) yd[i] = ad[i] + bd[i];
  return record(y, [a, b], () => {
    const g = y.grad as Data;
    accumulate(a, g);
    accumulate(b, g);
  });
}

/** a - b. */
export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape(a, b, 'sub');
  const y = out(a);
  const ad = a.data, bd = b.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = ad[i] - bd[i];
  return record(y, [a, b], () => {
    const g = y.grad as Data;
    accumulate(a, g);
    accumulate(b, g, -1);
  });
}

/** Element-wise a ⊙ b. */
export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape(a, b, 'mul');
  const y = out(a);
  const ad = a.data, bd = b.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = ad[i] * bd[i];
  return record(y, [a, b], () => {
    const g = y.grad as Data;
    if (a.requiresGrad) { const d = a.gradBuffer(); for (let i = 0; i < d.length; i++) d[i] += g[i] * bd[i]; }
    if (b.requiresGrad) { const d = b.gradBuffer(); for (let i = 0; i < d.length; i++) d[i] += g[i] * ad[i]; }
  });
}

/** s·a for a constant s. */
export function scale(a: Tensor, s: number): Tensor {
  const y = out(a);
  const ad = a.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = s * ad[i];
  return record(y, [a], () => accumulate(a, y.grad as Data, s));
}

/** ReLU: max(x, 0); gradient 1 where x > 0, else 0 (PyTorch's convention at 0). */
export function relu(x: Tensor): Tensor {
  const y = out(x);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = xd[i] > 0 ? xd[i] : 0;
  return record(y, [x], () => {
    const g = y.grad as Data, d = x.gradBuffer();
    for (let i = 0; i < d.length; i++) if (xd[i] > 0) d[i] += g[i];
  });
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh form (Hendrycks & Gimpel 2016, eq. for the fast approximation; PyTorch's
 * nn.GELU(approximate='tanh'), Hugging Face "gelu_pytorch_tanh"):
 *   gelu(x) = x/2 · (1 + tanh(c·(x + a·x³))),  c = √(2/π), a = 0.044715;
 *   gelu'(x) = (1 + t)/2 + x/2 · (1 − t²) · c · (1 + 3a·x²),  t = tanh(c·(x + a·x³)).
 * Float32 tensors use fastTanh (fastmath.ts), float64 tensors Math.tanh.
 */
export function gelu(x: Tensor): Tensor {
  const y = out(x);
  const xd = x.data, yd = y.data;
  const t = allocUninit(x.dtype, x.size);
  const nn = x.dtype === 'float32' ? nnKernels() : null;
  if (nn !== null) {
    nn.geluForward(x.size, xd as Float32Array, yd as Float32Array, t as Float32Array, nativeThreads());
    const rec = record(y, [x], () => {
      const { buf, fresh } = x.gradForWrite();
      nn.geluBackward(x.size, xd as Float32Array, t as Float32Array, y.grad as Float32Array, buf as Float32Array, fresh, nativeThreads());
    });
    if (rec.backwardFn !== null) rec.scratch = [t];
    else recycle(t);
    return rec;
  }
  if (x.dtype === 'float32') {
    for (let i = 0; i < yd.length; i++) {
      const v = xd[i];
      const th = fastTanh(GELU_C * (v + GELU_A * v * v * v));
      t[i] = th;
      yd[i] = 0.5 * v * (1 + th);
    }
  } else {
    for (let i = 0; i < yd.length; i++) {
      const v = xd[i];
      const th = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
      t[i] = th;
      yd[i] = 0.5 * v * (1 + th);
    }
  }
  const rec = record(y, [x], () => {
    const g = y.grad as Data;
    const { buf: d, fresh } = x.gradForWrite();
    for (let i = 0; i < d.length; i++) {
      const v = xd[i], th = t[i];
      const gi = g[i] * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * GELU_C * (1 + 3 * GELU_A * v * v));
      d[i] = fresh ? gi : d[i] + gi;
    }
  });
  if (rec.backwardFn !== null) rec.scratch = [t];
  else recycle(t);
  return rec;
}

/** tanh(x); derivative 1 − tanh². */
export function tanh(x: Tensor): Tensor {
  const y = out(x);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = Math.tanh(xd[i]);
  return record(y, [x], () => {
    const g = y.grad as Data, d = x.gradBuffer();
    for (let i = 0; i < d.length; i++) d[i] += g[i] * (1 - yd[i] * yd[i]);
  });
}

/** Sum of all elements (a scalar, shape [1]). Accumulated in float64. */
export function sum(x: Tensor): Tensor {
  const y = out(x, [1]);
  let s = 0;
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) s += xd[i];
  y.data[0] = s;
  return record(y, [x], () => {
    const g = (y.grad as Data)[0], d = x.gradBuffer();
    for (let i = 0; i < d.length; i++) d[i] += g;
  });
}

/** Mean of all elements (a scalar). */
export function mean(x: Tensor): Tensor {
  return scale(sum(x), 1 / x.size);
}

/**
 * Mean squared error, mean over all elements: L = (1/N) Σ (p − t)², dL/dp = 2(p − t)/N
 * (PyTorch's nn.MSELoss(reduction='mean')). The target may be a plain array.
 */
export function mse(pred: Tensor, target: Tensor | Data): Tensor {
  const td = target instanceof Tensor ? target.data : target;
  if (td.length !== pred.size) throw new RangeError(`mse: prediction has ${pred.size} elements, target ${td.length}`);
  const y = out(pred, [1]);
  const pd = pred.data;
  let s = 0;
  for (let i = 0; i < pd.length; i++) { const r = pd[i] - td[i]; s += r * r; }
  y.data[0] = s / pd.length;
  const parents = target instanceof Tensor ? [pred, target] : [pred];
  return record(y, parents, () => {
    const g = (y.grad as Data)[0] * 2 / pd.length;
    if (pred.requiresGrad) { const d = pred.gradBuffer(); for (let i = 0; i < d.length; i++) d[i] += g * (pd[i] - td[i]); }
    if (target instanceof Tensor && target.requiresGrad) { const d = target.gradBuffer(); for (let i = 0; i < d.length; i++) d[i] -= g * (pd[i] - td[i]); }
  });
}

/** Same data under a new shape (no copy; element count must match). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const y = new Tensor(x.data, shape);
  x.pinned = true;
  y.pinned = true;
  return record(y, [x], () => accumulate(x, y.grad as Data));
}
