import { gemm } from '../gemm.js';
import { Tensor, allocUninit, record, recycle, type Data } from '../tensor.js';

/**
 * 1-D convolution (cross-correlation), PyTorch's nn.functional.conv1d layout: x [B, Cin, L],
 * weight [Cout, Cin, K], bias [Cout], zero padding `padding` on both ends, stride `stride`:
 *   y[b, o, t] = bias[o] + Σ_{c,j} w[o, c, j] · x[b, c, t·stride + j − padding],
 *   Lout = ⌊(L + 2·padding − K)/stride⌋ + 1.
 * Computed as im2col + one GEMM per bag (cols [Cin·K, Lout]); backward dW += dy·colsᵀ,
 * dcols = Wᵀ·dy scattered back (col2im), db += Σ dy.
 */
export function conv1d(x: Tensor, w: Tensor, b: Tensor | null, stride = 1, padding = 0): Tensor {
  if (x.shape.length !== 3 || w.shape.length !== 3 || w.shape[1] !== x.shape[1]) {
    throw new RangeError(`conv1d: input [${x.shape.join(', ')}] and weight [${w.shape.join(', ')}] do not match (expected [B, Cin, L] and [Cout, Cin, K])`);
  }
  const [bn, cin, l] = x.shape;
  const [cout, , kw] = w.shape;
  const lout = Math.floor((l + 2 * padding - kw) / stride) + 1;
  if (lout < 1) throw new RangeError(`conv1d: kernel ${kw} is longer than the padded input ${l + 2 * padding}`);
  const ck = cin * kw;
  const cols = allocUninit(x.dtype, bn * ck * lout);
  const xd = x.data;
  for (let bb = 0; bb < bn; bb++) {
    for (let c = 0; c < cin; c++) {
      for (let j = 0; j < kw; j++) {
        const row = (bb * ck + c * kw + j) * lout;
        for (let t = 0; t < lout; t++) {
          const src = t * stride + j - padding;
          cols[row + t] = src >= 0 && src < l ? xd[(bb * cin + c) * l + src] : 0;
        }
      }
    }
  }
  const y = new Tensor(allocUninit(x.dtype, bn * cout * lout), [bn, cout, lout]);
  const yd = y.data;
  for (let bb = 0; bb < bn; bb++) {
    if (b) for (let o = 0; o < cout; o++) yd.fill(b.data[o], (bb * cout + o) * lout, (bb * cout + o + 1) * lout);
    gemm(false, false, cout, lout, ck, 1, w.data, 0, ck, cols, bb * ck * lout, lout, b ? 1 : 0, yd, bb * cout * lout, lout);
  }
  const parents = b ? [x, w, b] : [x, w];
  const rec = record(y, parents, () => {
    const g = y.grad as Data;
    if (w.requiresGrad) {
      const dw = w.gradBuffer();
      for (let bb = 0; bb < bn; bb++) gemm(false, true, cout, ck, lout, 1, g, bb * cout * lout, lout, cols, bb * ck * lout, lout, 1, dw, 0, ck);
    }
    if (b && b.requiresGrad) {
      const db = b.gradBuffer();
      for (let bb = 0; bb < bn; bb++) {
        for (let o = 0; o < cout; o++) {
          let s = 0;
          const r = (bb * cout + o) * lout;
          for (let t = 0; t < lout; t++) s += g[r + t];
          db[o] += s;
        }
      }
    }
    if (x.requiresGrad) {
      const dx = x.gradBuffer();
      const dcols = allocUninit(x.dtype, ck * lout);
      for (let bb = 0; bb < bn; bb++) {
        gemm(true, false, ck, lout, cout, 1, w.data, 0, ck, g, bb * cout * lout, lout, 0, dcols, 0, lout);
        for (let c = 0; c < cin; c++) {
          for (let j = 0; j < kw; j++) {
            const row = (c * kw + j) * lout;
            for (let t = 0; t < lout; t++) {
              const src = t * stride + j - padding;
              if (src >= 0 && src < l) dx[(bb * cin + c) * l + src] += dcols[row + t];
            }
          }
        }
      }
      recycle(dcols);
    }
  });
  if (rec.backwardFn !== null) rec.scratch = [cols];
  else recycle(cols);
  return rec;
}
