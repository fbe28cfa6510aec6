import { gemmBatched, nnKernels, nativeThreads, type NnKernels } from '../gemm.js';
import { Tensor, allocUninit, record, recycle, type Data } from '../tensor.js';
import { fastExp } from './fastmath.js';

export interface AttentionOptions {
  /** Number of heads H; the model width D must be a multiple of H (head width D/H). */
  heads: number;
  /** Keys to attend to, [B·Tk], 1 = real token, 0 = padding. */
  keyMask?: Uint8Array;
  /** Query i sees keys j ≤ i + (Tk − Tq) only. */
  causal?: boolean;
  /** Score scale; default 1/√(D/H). */
  scale?: number;
}

/**
 * Multi-head softmax attention, fused per head (Vaswani et al. 2017, eq. 1; the attention
 * operator of spec/distribution-regression.md on an empirical measure). Inputs are the already
 * projected q [B, Tq, D], k [B, Tk, D], v [B, Tk, D]; head h uses columns h·dh..(h+1)·dh − 1.
 * For each head:  S = s·Q_h K_hᵀ,  P = softmax_rows(S + mask),  O_h = P V_h  → out [B, Tq, D].
 * Backward (with P kept from the forward):
 *   dP = dO_h V_hᵀ,  dV_h += Pᵀ dO_h,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *   dQ_h += s·dS K_h,  dK_h += s·dSᵀ Q_h.
 * Each product is one batched GEMM over the B bags reading the head's columns in place
 * (leading dimension D), so nothing is transposed or copied. A row whose keys are all masked
 * gives a zero output.
 */
export function multiHeadAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): Tensor {
  if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3) throw new RangeError('attention: q, k, v must be [B, T, D]');
  const [bn, tq, dm] = q.shape;
  const tk = k.shape[1];
  if (k.shape[0] !== bn || v.shape[0] !== bn || k.shape[2] !== dm || v.shape[2] !== dm || v.shape[1] !== tk) {
    throw new RangeError(`attention: shapes q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}] do not match`);
  }
  const h = opts.heads;
  if (!(h >= 1 && dm % h === 0)) throw new RangeError(`attention: width ${dm} is not a multiple of ${h} heads`);
  const dh = dm / h;
  const s = opts.scale ?? 1 / Math.sqrt(dh);
  const mask = opts.keyMask;
  if (mask && mask.length !== bn * tk) throw new RangeError(`attention: keyMask has ${mask.length} entries, expected ${bn * tk}`);
  const causal = opts.causal ?? false;
  const shift = tk - tq;
  const tt = tq * tk;
  // P laid out [B, H, Tq, Tk]. Work goes bag by bag, one batched GEMM over the H heads at a
  // time (head h of bag b starts at column h·dh, so the head stride is dh), so one bag's score
  // matrices (H·Tq·Tk floats) stay in cache between the GEMM, the softmax and the next GEMM.
  const bt = h * tt;
  const nn = q.dtype === 'float32' ? nnKernels() : null;
  if (nn !== null) return attentionNative(nn, q, k, v, h, s, mask ?? null, causal);
  const p = allocUninit(q.dtype, bn * bt);
  const y = new Tensor(allocUninit(q.dtype, bn * tq * dm), [bn, tq, dm]);
  const qd = q.data, kd = k.data, vd = v.data, yd = y.data;
  for (let b = 0; b < bn; b++) {
    const po = b * bt, qo = b * tq * dm, ko = b * tk * dm;
    gemmBatched(false, true, tq, tk, dh, s, qd, qo, dm, dh, kd, ko, dm, dh, 0, p, po, tk, tt, h);
    for (let hh = 0; hh < h; hh++) {
      for (let i = 0; i < tq; i++) softmaxRow(p, po + hh * tt + i * tk, tk, mask, b * tk, causal ? i + shift : tk - 1);
    }
    gemmBatched(false, false, tq, dh, tk, 1, p, po, tk, tt, vd, ko, dm, dh, 0, yd, qo, dm, dh, h);
  }
  const rec = record(y, [q, k, v], () => {
    const g = y.grad as Data;
    const dp = allocUninit(q.dtype, bt);
    // Each head writes its own columns of dq, dk, dv once, so a fresh (uninitialised) gradient
    // buffer is assigned (beta 0) rather than zeroed and added to — unless two of q, k, v are
    // the same tensor and share one gradient buffer.
    const distinct = q !== k && k !== v && q !== v;
    const take = (t: Tensor): [Data | null, number] => {
      if (!t.requiresGrad) return [null, 1];
      if (!distinct) return [t.gradBuffer(), 1];
      const w = t.gradForWrite();
      return [w.buf, w.fresh ? 0 : 1];
    };
    const [dq, bq] = take(q);
    const [dk, bk] = take(k);
    const [dv, bv] = take(v);
    for (let b = 0; b < bn; b++) {
      const po = b * bt, qo = b * tq * dm, ko = b * tk * dm;
      if (dv) gemmBatched(true, false, tk, dh, tq, 1, p, po, tk, tt, g, qo, dm, dh, bv, dv, ko, dm, dh, h);
      if (!dq && !dk) continue;
      gemmBatched(false, true, tq, tk, dh, 1, g, qo, dm, dh, vd, ko, dm, dh, 0, dp, 0, tk, tt, h);
      for (let r = 0; r < h * tq; r++) {
        const o = r * tk, op = po + o;
        let dot = 0;
        for (let j = 0; j < tk; j++) dot += dp[o + j] * p[op + j];
        for (let j = 0; j < tk; j++) dp[o + j] = s * p[op + j] * (dp[o + j] - dot);
      }
      if (dq) gemmBatched(false, false, tq, dh, tk, 1, dp, 0, tk, tt, kd, ko, dm, dh, bq, dq, qo, dm, dh, h);
      if (dk) gemmBatched(true, false, tk, dh, tq, 1, dp, 0, tk, tt, qd, qo, dm, dh, bk, dk, ko, dm, dh, h);
    }
    recycle(dp);
  });
  if (rec.backwardFn !== null) rec.scratch = [p];
  else recycle(p);
  return rec;
}

/**
 * The same computation in one native call per direction (native/nn.c: per bag and head, sgemm,
 * softmax with a float32 exp, sgemm), which removes the per-bag N-API calls and the JavaScript
 * softmax that dominated a float32 training step.
 */
function attentionNative(nn: NnKernels, q: Tensor, k: Tensor, v: Tensor, h: number, s: number, mask: Uint8Array | null, causal: boolean): Tensor {
  const [bn, tq, dm] = q.shape;
  const tk = k.shape[1];
  const p = allocUninit('float32', bn * h * tq * tk) as Float32Array;
  const y = new Tensor(allocUninit('float32', bn * tq * dm), [bn, tq, dm]);
  const qd = q.data as Float32Array, kd = k.data as Float32Array, vd = v.data as Float32Array;
  nn.attnForward(bn, tq, tk, dm, h, s, qd, kd, vd, mask, causal, p, y.data as Float32Array, nativeThreads());
  const rec = record(y, [q, k, v], () => {
    const distinct = q !== k && k !== v && q !== v;
    const take = (t: Tensor): [Float32Array | null, number] => {
      if (!t.requiresGrad) return [null, 1];
      if (!distinct) return [t.gradBuffer() as Float32Array, 1];
      const w = t.gradForWrite();
      return [w.buf as Float32Array, w.fresh ? 0 : 1];
    };
    const [dq, bq] = take(q);
    const [dk, bk] = take(k);
    const [dv, bv] = take(v);
    nn.attnBackward(bn, tq, tk, dm, h, s, qd, kd, vd, p, y.grad as Float32Array, dq, dk, dv, bq, bk, bv, nativeThreads());
  });
  if (rec.backwardFn !== null) rec.scratch = [p];
  else recycle(p);
  return rec;
}

/**
 * In-place softmax of row x[o .. o+n−1], keys > last or masked out get probability 0.
 * Unmasked float32 rows use fastExp (fastmath.ts); float64 rows Math.exp.
 */
function softmaxRow(x: Data, o: number, n: number, mask: Uint8Array | undefined, mo: number, last: number): void {
  let mx = -Infinity;
  const end = Math.min(n - 1, last);
  if (mask) {
    for (let j = 0; j <= end; j++) if (mask[mo + j] && x[o + j] > mx) mx = x[o + j];
  } else {
    for (let j = 0; j <= end; j++) if (x[o + j] > mx) mx = x[o + j];
  }
  if (mx === -Infinity) {
    x.fill(0, o, o + n);
    return;
  }
  let sum = 0;
  if (x instanceof Float32Array && !mask) {
    for (let j = 0; j <= end; j++) {
      const e = fastExp(x[o + j] - mx);
      x[o + j] = e;
      sum += e;
    }
  } else if (mask) {
    for (let j = 0; j <= end; j++) {
      const e = mask[mo + j] ? Math.exp(x[o + j] - mx) : 0;
      x[o + j] = e;
      sum += e;
    }
  } else {
    for (let j = 0; j <= end; j++) {
      const e = Math.exp(x[o + j] - mx);
      x[o + j] = e;
      sum += e;
    }
  }
  const inv = 1 / sum;
  for (let j = 0; j <= end; j++) x[o + j] *= inv;
  if (end < n - 1) x.fill(0, o + end + 1, o + n);
}
