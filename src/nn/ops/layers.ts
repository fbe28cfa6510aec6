import { Tensor, allocUninit, record, recycle, type Data } from '../tensor.js';
import { nnKernels, nativeThreads } from '../gemm.js';

/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016; PyTorch nn.LayerNorm with
 * biased variance): y = (x − μ)/√(σ² + ε) · γ + β. With x̂ the normalised row and r = 1/√(σ²+ε),
 * the row gradient is dx = r · (ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), ĝ = dy ⊙ γ; dγ += Σ dy ⊙ x̂,
 * dβ += Σ dy. Statistics are computed in float64.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const d = x.shape[x.shape.length - 1];
  if (gamma.size !== d || beta.size !== d) throw new RangeError(`layerNorm: weight/bias must have ${d} elements`);
  const rows = x.size / d;
  const y = new Tensor(allocUninit(x.dtype, x.size), x.shape);
  const xhat = allocUninit(x.dtype, x.size);
  const nn = x.dtype === 'float32' ? nnKernels() : null;
  if (nn !== null) {
    // Native float32 kernel (native/nn.c): same formulas, 1/σ kept per row in float32.
    const rs = allocUninit('float32', rows) as Float32Array;
    const f = (t: Data): Float32Array => t as Float32Array;
    nn.layerNormForward(rows, d, eps, f(x.data), f(gamma.data), f(beta.data), f(y.data), f(xhat), rs, nativeThreads());
    const rec = record(y, [x, gamma, beta], () => {
      const dxw = x.requiresGrad ? x.gradForWrite() : null;
      nn.layerNormBackward(rows, d, f(y.grad as Data), f(xhat), rs, f(gamma.data), dxw ? f(dxw.buf) : null, dxw ? dxw.fresh : false,
        gamma.requiresGrad ? f(gamma.gradBuffer()) : null, beta.requiresGrad ? f(beta.gradBuffer()) : null, nativeThreads());
    });
    if (rec.backwardFn !== null) rec.scratch = [xhat, rs];
    else { recycle(xhat); recycle(rs); }
    return rec;
  }
  const rstd = new Float64Array(rows);
  const xd = x.data, yd = y.data, gd = gamma.data, bd = beta.data;
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let mu = 0;
    for (let j = 0; j < d; j++) mu += xd[o + j];
    mu /= d;
    let v = 0;
    for (let j = 0; j < d; j++) { const c = xd[o + j] - mu; v += c * c; }
    const rs = 1 / Math.sqrt(v / d + eps);
    rstd[r] = rs;
    for (let j = 0; j < d; j++) {
      const h = (xd[o + j] - mu) * rs;
      xhat[o + j] = h;
      yd[o + j] = h * gd[j] + bd[j];
    }
  }
  const rec = record(y, [x, gamma, beta], () => {
    const g = y.grad as Data;
    // One sweep over each row accumulates dγ, dβ and the two row means the dx formula needs;
    // a second writes dx.
    const wantP = gamma.requiresGrad || beta.requiresGrad;
    const dg = new Float64Array(d), db = new Float64Array(d);
    const dxw = x.requiresGrad ? x.gradForWrite() : null;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      let m1 = 0, m2 = 0;
      for (let j = 0; j < d; j++) {
        const gj = g[o + j], hj = xhat[o + j];
        if (wantP) { dg[j] += gj * hj; db[j] += gj; }
        const gh = gj * gd[j];
        m1 += gh;
        m2 += gh * hj;
      }
      if (dxw === null) continue;
      m1 /= d; m2 /= d;
      const rs = rstd[r], dx = dxw.buf;
      if (dxw.fresh) for (let j = 0; j < d; j++) dx[o + j] = rs * (g[o + j] * gd[j] - m1 - xhat[o + j] * m2);
      else for (let j = 0; j < d; j++) dx[o + j] += rs * (g[o + j] * gd[j] - m1 - xhat[o + j] * m2);
    }
    if (gamma.requiresGrad) { const t = gamma.gradBuffer(); for (let j = 0; j < d; j++) t[j] += dg[j]; }
    if (beta.requiresGrad) { const t = beta.gradBuffer(); for (let j = 0; j < d; j++) t[j] += db[j]; }
  });
  if (rec.backwardFn !== null) rec.scratch = [xhat];
  else recycle(xhat);
  return rec;
}

/**
 * Mean over the token axis of x [B, T, D] → [B, D], over tokens start..T−1 (prompt tokens in
 * front are skipped with start = their count) and, with keyMask [B·(T − start)] (1 = real
 * token), only over the real tokens of each bag (padding for bags of different sizes).
 */
export function meanPool(x: Tensor, opts: { start?: number; keyMask?: Uint8Array } = {}): Tensor {
  if (x.shape.length !== 3) throw new RangeError(`meanPool: expected [B, T, D], got [${x.shape.join(', ')}]`);
  const [bn, t, d] = x.shape;
  const start = opts.start ?? 0;
  const tn = t - start;
  const mask = opts.keyMask;
  if (mask && mask.length !== bn * tn) throw new RangeError(`meanPool: keyMask has ${mask.length} entries, expected ${bn * tn}`);
  const y = new Tensor(allocUninit(x.dtype, bn * d), [bn, d]);
  const w = new Float64Array(bn * tn);
  for (let b = 0; b < bn; b++) {
    let cnt = 0;
    for (let i = 0; i < tn; i++) cnt += mask ? (mask[b * tn + i] ? 1 : 0) : 1;
    for (let i = 0; i < tn; i++) w[b * tn + i] = cnt === 0 || (mask && !mask[b * tn + i]) ? 0 : 1 / cnt;
  }
  const xd = x.data, yd = y.data;
  const acc = new Float64Array(d);
  for (let b = 0; b < bn; b++) {
    acc.fill(0);
    for (let i = 0; i < tn; i++) {
      const wi = w[b * tn + i];
      if (wi === 0) continue;
      const o = (b * t + start + i) * d;
      for (let j = 0; j < d; j++) acc[j] += wi * xd[o + j];
    }
    for (let j = 0; j < d; j++) yd[b * d + j] = acc[j];
  }
  return record(y, [x], () => {
    const g = y.grad as Data;
    // A fresh gradient buffer is assigned (zeros for prompt and padding rows) rather than
    // zero-filled and then added to.
    const { buf: dx, fresh } = x.gradForWrite();
    for (let b = 0; b < bn; b++) {
      if (fresh && start > 0) dx.fill(0, b * t * d, (b * t + start) * d);
      for (let i = 0; i < tn; i++) {
        const wi = w[b * tn + i];
        const o = (b * t + start + i) * d;
        if (wi === 0) {
          if (fresh) dx.fill(0, o, o + d);
          continue;
        }
        if (fresh) for (let j = 0; j < d; j++) dx[o + j] = wi * g[b * d + j];
        else for (let j = 0; j < d; j++) dx[o + j] += wi * g[b * d + j];
      }
    }
  });
}

/** Rows of weight [V, D] picked by integer indices → [...indexShape, D]; gradient scatter-adds. */
export function embedding(weight: Tensor, indices: Int32Array | readonly number[], indexShape?: readonly number[]): Tensor {
  const [v, d] = weight.shape;
  const n = indices.length;
  const y = new Tensor(allocUninit(weight.dtype, n * d), [...(indexShape ?? [n]), d]);
  const wd = weight.data, yd = y.data;
  for (let i = 0; i < n; i++) {
    const id = indices[i];
    if (!(id >= 0 && id < v && Number.isInteger(id))) throw new RangeError(`embedding: index ${id} at position ${i} is outside 0..${v - 1}`);
    yd.set(wd.subarray(id * d, id * d + d), i * d);
  }
  return record(y, [weight], () => {
    const g = y.grad as Data, dw = weight.gradBuffer();
    for (let i = 0; i < n; i++) {
      const o = indices[i] * d;
      for (let j = 0; j < d; j++) dw[o + j] += g[i * d + j];
    }
  });
}

/** A key mask [B·n] widened to [B·(P + n)] with P leading ones (for prepended tokens). */
export function widenMask(keyMask: Uint8Array, bn: number, n: number, p: number): Uint8Array {
  const mask = new Uint8Array(bn * (n + p));
  for (let b = 0; b < bn; b++) {
    mask.fill(1, b * (n + p), b * (n + p) + p);
    mask.set(keyMask.subarray(b * n, (b + 1) * n), b * (n + p) + p);
  }
  return mask;
}

/** Prepends the same P tokens prompt [P, D] to every bag of x [B, T, D] → [B, P + T, D]. */
export function prependTokens(prompt: Tensor, x: Tensor): Tensor {
  if (x.shape.length !== 3 || prompt.shape.length !== 2 || prompt.shape[1] !== x.shape[2]) {
    throw new RangeError(`prependTokens: prompt [${prompt.shape.join(', ')}] does not fit x [${x.shape.join(', ')}]`);
  }
  const [bn, t, d] = x.shape;
  const p = prompt.shape[0];
  const tt = p + t;
  const y = new Tensor(allocUninit(x.dtype, bn * tt * d), [bn, tt, d]);
  for (let b = 0; b < bn; b++) {
    y.data.set(prompt.data, b * tt * d);
    y.data.set(x.data.subarray(b * t * d, (b + 1) * t * d), (b * tt + p) * d);
  }
  return record(y, [prompt, x], () => {
    const g = y.grad as Data;
    if (prompt.requiresGrad) {
      const dp = prompt.gradBuffer();
      for (let b = 0; b < bn; b++) for (let i = 0; i < p * d; i++) dp[i] += g[b * tt * d + i];
    }
    if (x.requiresGrad) {
      const dx = x.gradBuffer();
      for (let b = 0; b < bn; b++) {
        const src = (b * tt + p) * d, dst = b * t * d;
        for (let i = 0; i < t * d; i++) dx[dst + i] += g[src + i];
      }
    }
  });
}
