import { readChecked } from './common.js';
import type { TensorSource } from '../io/types.js';
import type { RawMatrix } from './types.js';

/**
 * Generic mode, for architectures without an adapter: every 2-D floating-point weight (after
 * dropping leading unit dimensions, so TensorFlow 1×1 kernels count) is exposed by name, as
 * stored. Per-matrix analyses (spectra, norms, ranks) work on these; the spectrum-adaptive
 * bound does not, because it needs to know which matrices are a head's Q, K, V, O and which
 * are the feed-forward layers: that is what an adapter (src/models/<arch>.ts) says.
 */
export const GENERIC_NOTE =
  'generic mode: no adapter knows this architecture, so only per-matrix analyses of its 2-D weights are possible; the generalization bound needs an adapter (see docs/architectures.md)';

const INT_DTYPE = /^(I|U)\d|^BOOL$|<-/;

function matrixShape(shape: readonly number[]): [number, number] | undefined {
  const s = [...shape];
  while (s.length > 2 && s[0] === 1) s.shift();
  return s.length === 2 && s[0] > 1 && s[1] > 1 ? [s[0], s[1]] : undefined;
}

/** Names and shapes of the 2-D weights generic mode would analyse, in the source's order. */
export function rawMatrixNames(src: TensorSource): { name: string; rows: number; cols: number }[] {
  const out: { name: string; rows: number; cols: number }[] = [];
  for (const t of src.list()) {
    if (INT_DTYPE.test(t.dtype) && !/^F/.test(t.dtype)) continue;
    const s = matrixShape(t.shape);
    if (s) out.push({ name: t.name, rows: s[0], cols: s[1] });
  }
  return out;
}

/** Every 2-D weight matrix, read one at a time. */
export async function* rawMatrices(src: TensorSource): AsyncIterable<RawMatrix> {
  for (const m of rawMatrixNames(src)) {
    const t = await readChecked(src, m.name);
    yield { name: m.name, matrix: { rows: m.rows, cols: m.cols, data: t.data, name: m.name } };
  }
}
