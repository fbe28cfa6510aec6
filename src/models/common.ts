import { BadOptionError, ModelError, NumericError } from '../errors.js';
import { intField, originOf } from '../io/json.js';
import type { Tensor, TensorSource } from '../io/types.js';
import type { Matrix } from '../linalg/types.js';
import { hconcat, Linear, transposedDense } from './linear.js';
import type { AdapterOptions, ModelAdapter, ModelInfo, TheoryMatrix } from './types.js';

/**
 * Shared machinery of the architecture adapters: a layer is described by which stored tensors
 * hold W_Q, W_K, W_V, W_O and the feed-forward matrices (as row-vector matrices, see Linear),
 * and `layerFromSpec` turns that into the theory's matrices of
 * ../shared/spec/spectrum-adaptive-bound.md ("The matrices of the theory"):
 *   QK_h      = W_Q[:, hs] · W_K[:, ks]ᵀ      (N × d)·(d × N), kept factored
 *   V_tilde_h = W_V[:, ks] · W_O[hs, :]       (N × d)·(d × N), kept factored
 *   M_in      = W_in  (N × I; several parts are placed side by side, e.g. [W_gate | W_up])
 *   M_out     = W_out (I × N)
 * with hs the head's d columns, and ks = hs except under grouped-query attention, where query
 * head h uses key/value head floor(h / (heads / kvHeads)).
 */

/** Where one row-vector weight comes from. */
export interface WeightRef {
  tensor: string;
  stored: 'out_in' | 'in_out';
  /** Expected row-vector shape [in, out] of the whole stored tensor. */
  shape: readonly [number, number];
  /** A column block [c0, c1) of W (fused weights). */
  cols?: readonly [number, number];
}

export interface LayerSpec {
  q: WeightRef;
  k: WeightRef;
  v: WeightRef;
  o: WeightRef;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Parts of M_in, placed side by side. */
  ffnIn: readonly WeightRef[];
  ffnOut: WeightRef;
}

/** Reads a tensor, naming the file and tensor when it is missing or holds NaN/Inf. */
export async function readChecked(src: TensorSource, name: string): Promise<Tensor> {
  if (!src.has(name)) throw new ModelError(`${src.path}: missing tensor ${name}`);
  const t = await src.read(name);
  const i = t.data instanceof Float32Array ? firstNonFinite32(t.data) : firstNonFinite64(t.data);
  if (i >= 0) throw new NumericError(`${src.path}: tensor ${name} holds ${t.data[i]} at flat index ${i}`);
  return t;
}

/*
 * Index of the first NaN/±Inf in a float32 tensor, or -1: one branch-free pass (v − v is NaN exactly
 * for NaN and ±Inf, 0 otherwise) with four partial sums, then a search only when something was
 * found; one function per array type, so each loop sees one element kind (the loop shared by both
 * types ran at ~4 ns per value, this one at ~1).
 */
function firstNonFinite32(d: Float32Array): number {
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  const n4 = d.length - (d.length % 4);
  for (let i = 0; i < n4; i += 4) {
    b0 += d[i] - d[i];
    b1 += d[i + 1] - d[i + 1];
    b2 += d[i + 2] - d[i + 2];
    b3 += d[i + 3] - d[i + 3];
  }
  for (let i = n4; i < d.length; i++) b0 += d[i] - d[i];
  if (b0 + b1 + b2 + b3 === 0) return -1;
  for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return i;
  return -1;
}

/** The same for float64 tensors (rare: F64 checkpoints), a plain loop. */
function firstNonFinite64(d: Float64Array): number {
  for (let i = 0; i < d.length; i++) if (d[i] - d[i] !== 0) return i;
  return -1;
}

/** Drops leading unit dimensions ([1, 1, a, b] -> [a, b], TensorFlow 1×1 conv kernels). */
function squeeze2d(shape: readonly number[]): number[] | null {
  const s = [...shape];
  while (s.length > 2 && s[0] === 1) s.shift();
  return s.length === 2 ? s : null;
}

async function loadLinear(src: TensorSource, ref: WeightRef, cache: Map<string, Promise<Tensor>>): Promise<Linear> {
  let p = cache.get(ref.tensor);
  if (!p) {
    p = readChecked(src, ref.tensor);
    cache.set(ref.tensor, p);
  }
  const t = await p;
  const [inDim, outDim] = ref.shape;
  const want = ref.stored === 'in_out' ? [inDim, outDim] : [outDim, inDim];
  const got = squeeze2d(t.shape);
  if (!got || got[0] !== want[0] || got[1] !== want[1]) {
    throw new ModelError(`${src.path}: tensor ${ref.tensor} has shape [${t.shape.join(', ')}], expected [${want.join(', ')}] from the model's configuration`);
  }
  const lin = new Linear(ref.tensor, t.data, inDim, outDim, ref.stored);
  return ref.cols ? lin.sub(ref.cols[0], ref.cols[1]) : lin;
}

/** The theory's matrices of one layer, reading only the tensors the spec names. */
export async function layerFromSpec(src: TensorSource, layer: number, s: LayerSpec): Promise<TheoryMatrix[]> {
  const cache = new Map<string, Promise<Tensor>>();
  const [q, k, v, o, wOut] = await Promise.all([s.q, s.k, s.v, s.o, s.ffnOut].map((r) => loadLinear(src, r, cache)));
  const ins = await Promise.all(s.ffnIn.map((r) => loadLinear(src, r, cache)));
  const d = s.headDim;
  const group = s.heads / s.kvHeads;
  const out: TheoryMatrix[] = [];
  for (let h = 0; h < s.heads; h++) {
    const g = Math.floor(h / group);
    const qk = `layer ${layer} head ${h} QK`;
    const a = q.cols(h * d, (h + 1) * d, `${qk} (W_Q factor)`);
    const b = k.colsT(g * d, (g + 1) * d, `${qk} (W_K factor)`);
    out.push({ layer, head: h, type: 'QK', rows: a.rows, cols: b.cols, factors: [a, b] });
    const vt = `layer ${layer} head ${h} V_tilde`;
    const va = v.cols(g * d, (g + 1) * d, `${vt} (W_V factor)`);
    const vb = o.rows(h * d, (h + 1) * d, `${vt} (W_O factor)`);
    out.push({ layer, head: h, type: 'V_tilde', rows: va.rows, cols: vb.cols, factors: [va, vb] });
  }
  // M_in = [W_in parts side by side] (inDim × Σ outDim) and M_out; PyTorch-stored float32 weights
  // are handed over as stored (their transpose), without a transposing copy (TheoryMatrix.denseT).
  const inName = `layer ${layer} M_in`, outName = `layer ${layer} M_out`;
  const inCols = ins.reduce((a, l) => a + l.outDim, 0);
  const tIn = transposedDense(ins, inName);
  if (tIn) out.push(withDenseT({ layer, head: -1, type: 'M_in', rows: ins[0].inDim, cols: inCols }, tIn));
  else {
    const parts = ins.map((l) => l.dense());
    const mIn = parts.length === 1 ? { ...parts[0], name: inName } : hconcat(parts, inName);
    out.push({ layer, head: -1, type: 'M_in', rows: mIn.rows, cols: mIn.cols, dense: mIn });
  }
  const tOut = transposedDense([wOut], outName);
  if (tOut) out.push(withDenseT({ layer, head: -1, type: 'M_out', rows: wOut.inDim, cols: wOut.outDim }, tOut));
  else {
    const mOut = wOut.dense(outName);
    out.push({ layer, head: -1, type: 'M_out', rows: mOut.rows, cols: mOut.cols, dense: mOut });
  }
  return out;
}

/** A dense theory matrix whose `dense` stays a getter (formed only if read). */
function withDenseT(m: Omit<TheoryMatrix, 'dense' | 'denseT'>, t: { denseT: Matrix; readonly dense: Matrix }): TheoryMatrix {
  return Object.defineProperties({ ...m, denseT: t.denseT } as TheoryMatrix, {
    dense: { get: () => t.dense, enumerable: true, configurable: true },
  });
}

/**
 * The first of `keys` that the config gives (a field that is absent or null is skipped, as
 * Hugging Face writes `"head_dim": null` for "derive it"). A field present with any other type, or
 * as a float, zero, negative or above MAX_CONFIG_INT, is a one-line BadFileError naming the config
 * file, the field and its value (src/io/json.ts intField): it is never silently ignored.
 */
export function cfgInt(config: Record<string, unknown> | undefined, ...keys: string[]): number | undefined {
  if (!config) return undefined;
  const file = originOf(config) ?? 'config.json';
  for (const k of keys) {
    const v = intField(config, k, file);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Distinct values of the first capture group over tensor names, sorted. */
export function layerIndices(src: TensorSource, re: RegExp): number[] {
  const set = new Set<number>();
  for (const t of src.list()) {
    const m = re.exec(t.name);
    if (m) set.add(Number(m[1]));
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * Layer count from the config, checked against the tensors (indices 0..L-1 must all appear).
 * Without config, the tensors decide.
 */
export function resolveLayers(src: TensorSource, fromConfig: number | undefined, re: RegExp): number {
  const idx = layerIndices(src, re);
  const L = fromConfig ?? idx.length;
  if (L === 0) throw new ModelError(`${src.path}: no layers found`);
  for (let l = 0; l < L; l++) if (!idx.includes(l)) throw new ModelError(`${src.path}: layer ${l} has no tensors (expected ${L} layers)`);
  if (idx.length > L) throw new ModelError(`${src.path}: the config says ${L} layers but the tensors hold ${idx.length}`);
  return L;
}

/** Head count from the config or --heads; a contradiction or an absence is an error. */
export function resolveHeads(src: TensorSource, fromConfig: number | undefined, opts: AdapterOptions, hidden: number, what = 'hidden size'): number {
  if (opts.heads !== undefined && (!Number.isInteger(opts.heads) || opts.heads <= 0)) throw new BadOptionError(`--heads must be a positive integer (got ${opts.heads})`);
  if (fromConfig !== undefined && opts.heads !== undefined && fromConfig !== opts.heads) {
    throw new BadOptionError(`--heads ${opts.heads} contradicts ${src.path}, which says ${fromConfig} heads`);
  }
  const heads = fromConfig ?? opts.heads;
  if (heads === undefined) throw new ModelError(`${src.path}: the model does not say its number of attention heads; pass --heads`);
  if (hidden % heads !== 0) throw new ModelError(`${src.path}: ${heads} attention heads do not divide the ${what} ${hidden}`);
  return heads;
}

/** Total element count of the floating-point tensors (the model's parameter count). */
export function parameterCount(src: TensorSource): number {
  let n = 0;
  for (const t of src.list()) {
    if (/^(I|U)\d|^BOOL$/.test(t.dtype)) continue;
    n += t.shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

/** First tensor-name prefix P such that P + suffix exists, among the candidates. */
export function findPrefix(src: TensorSource, candidates: readonly string[], suffix: string): string | undefined {
  return candidates.find((p) => src.has(p + suffix));
}

/** An adapter whose layers are described by LayerSpecs. */
export class SpecAdapter implements ModelAdapter {
  constructor(
    private readonly src: TensorSource,
    readonly info: ModelInfo,
    readonly notes: readonly string[],
    private readonly spec: (layer: number) => LayerSpec,
  ) {}

  layerMatrices(layer: number): Promise<TheoryMatrix[]> {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.info.layers) {
      return Promise.reject(new BadOptionError(`layer ${layer} is out of range (the model has ${this.info.layers} layers)`));
    }
    return layerFromSpec(this.src, layer, this.spec(layer));
  }
}

/** The notes every adapter shares (what the reference proxies leave out). */
export const COMMON_NOTES: readonly string[] = [
  'biases, LayerNorm gains, the 1/sqrt(d_head) logit scale, embeddings and pooler/heads are left out, as in the reference proxies',
];
