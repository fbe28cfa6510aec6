import type { GraphNode, TensorInfo } from '../../types.js';

/**
 * Recovers PyTorch parameter names lost in torch.onnx exports. With constant folding, the
 * exporter turns each nn.Linear into MatMul(x, Wᵀ) + Add(b): the weight becomes a new
 * initializer with a numeric name ("onnx::MatMul_1234", stored (in, out)), while the 1-D bias
 * keeps its name ("bert.encoder.layer.0.attention.self.query.bias"); see pytorch/pytorch
 * issues 66786 and 87452. For every MatMul whose weight is followed by an Add of a tensor named
 * "<module>.bias" of matching length, this gives the alias "<module>.weight" for the weight,
 * to be read transposed back to nn.Linear's (out, in) layout, so name-based adapters (BERT,
 * GPT-2, LLaMA, ...) work on exported models too. Names that exist already are never shadowed.
 */
export interface Alias {
  /** The stored (in, out) MatMul weight. */
  of: string;
  /** Shape of the alias: (out, in). */
  shape: [number, number];
}

/** Tensor name -> the nodes that read it, in graph order. */
export function consumersOf(nodes: readonly GraphNode[]): Map<string, GraphNode[]> {
  const consumers = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  return consumers;
}

export function recoverLinearNames(nodes: readonly GraphNode[], infos: ReadonlyMap<string, TensorInfo>): Map<string, Alias> {
  const consumers = consumersOf(nodes);
  const out = new Map<string, Alias>();
  for (const n of nodes) {
    if (n.op !== 'MatMul' || n.inputs.length !== 2) continue;
    const w = infos.get(n.inputs[1]);
    if (!w || w.shape.length !== 2) continue;
    for (const add of consumers.get(n.outputs[0]) ?? []) {
      if (add.op !== 'Add') continue;
      const other = add.inputs.find((i) => i !== n.outputs[0]);
      const b = other !== undefined ? infos.get(other) : undefined;
      if (!b || !b.name.endsWith('.bias') || b.shape.length !== 1 || b.shape[0] !== w.shape[1]) continue;
      const alias = b.name.slice(0, -'.bias'.length) + '.weight';
      if (infos.has(alias) || out.has(alias)) continue;
      out.set(alias, { of: w.name, shape: [w.shape[1], w.shape[0]] });
    }
  }
  return out;
}

/** Row-major transpose of a rows × cols matrix. */
export function transpose<T extends Float32Array | Float64Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as { new (n: number): T })(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}
