import { gemm, nnKernels } from '../gemm.js';
import { Tensor, allocUninit, record, type Data } from '../tensor.js';

/**
 * Affine map over the last axis, PyTorch's nn.functional.linear: y = x·Wᵀ + b with W stored
 * (out, in). For x viewed as N×in: forward one GEMM; backward dx = dy·W, dW += dyᵀ·x,
 * db += column sums of dy — each skipped when that input needs no gradient (frozen weights).
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  const inF = x.shape[x.shape.length - 1];
  if (w.shape.length !== 2 || w.shape[1] !== inF) {
    throw new RangeError(`linear: weight [${w.shape.join(', ')}] does not take inputs with last axis ${inF}`);
  }
  const outF = w.shape[0];
  if (b && b.size !== outF) throw new RangeError(`linear: bias has ${b.size} elements, expected ${outF}`);
  const n = x.size / inF;
  const shape = [...x.shape.slice(0, -1), outF];
  const y = new Tensor(allocUninit(x.dtype, n * outF), shape);
  const yd = y.data;
  // The bias broadcast and its gradient's column sums run natively for float32 when available
  // (one call instead of a row loop of typed-array calls).
  const nn = x.dtype === 'float32' ? nnKernels() : null;
  if (b) {
    const bd = b.data;
    if (nn !== null) nn.biasRows(n, outF, bd as Float32Array, yd as Float32Array);
    else for (let r = 0; r < n; r++) yd.set(bd, r * outF);
  }
  gemm(false, true, n, outF, inF, 1, x.data, 0, inF, w.data, 0, inF, b ? 1 : 0, yd, 0, outF);
  const parents = b ? [x, w, b] : [x, w];
  return record(y, parents, () => {
    const g = y.grad as Data;
    if (x.requiresGrad) {
      const dx = x.gradForWrite();
      gemm(false, false, n, inF, outF, 1, g, 0, outF, w.data, 0, inF, dx.fresh ? 0 : 1, dx.buf, 0, inF);
    }
    if (w.requiresGrad) {
      const dw = w.gradForWrite();
      gemm(true, false, outF, inF, n, 1, g, 0, outF, x.data, 0, inF, dw.fresh ? 0 : 1, dw.buf, 0, inF);
    }
    if (b && b.requiresGrad) {
      const db = b.gradBuffer();
      if (nn !== null) {
        nn.colSums(n, outF, g as Float32Array, db as Float32Array);
        return;
      }
      // Column sums accumulated in float64, then added once.
      const acc = new Float64Array(outF);
      for (let r = 0; r < n; r++) {
        const o = r * outF;
        for (let j = 0; j < outF; j++) acc[j] += g[o + j];
      }
      for (let j = 0; j < outF; j++) db[j] += acc[j];
    }
  });
}
