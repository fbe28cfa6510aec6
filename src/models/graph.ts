import type { GraphNode, GraphTensorSource } from '../io/types.js';

/**
 * Small helpers over a computation graph (ONNX or tfjs), for adapters that derive what the
 * weights do not say (head counts) from the graph's shape arithmetic.
 */
export class GraphIndex {
  /** Tensor name -> producing node. tfjs names a node's first output by the node's name. */
  private readonly producer = new Map<string, GraphNode>();
  /** Tensor name -> consuming nodes. */
  private readonly consumers = new Map<string, GraphNode[]>();

  constructor(readonly src: GraphTensorSource) {
    for (const n of src.graph()) {
      for (const o of n.outputs) this.producer.set(o, n);
      for (const i of n.inputs) {
        const key = GraphIndex.tensor(i);
        const list = this.consumers.get(key) ?? [];
        list.push(n);
        this.consumers.set(key, list);
      }
    }
  }

  /** Canonical tensor name: tfjs "node:0" is "node"; "^node" (control input) is "node". */
  static tensor(input: string): string {
    const s = input.startsWith('^') ? input.slice(1) : input;
    return s.endsWith(':0') ? s.slice(0, -2) : s;
  }

  producerOf(tensor: string): GraphNode | undefined {
    return this.producer.get(GraphIndex.tensor(tensor));
  }

  consumersOf(tensor: string): readonly GraphNode[] {
    return this.consumers.get(GraphIndex.tensor(tensor)) ?? [];
  }

  nodeNamed(name: string): GraphNode | undefined {
    return this.src.graph().find((n) => n.name === name);
  }

  /**
   * Folds a small integer-valued tensor to its values, NaN where a value depends on the input
   * (e.g. a batch size from Shape). Understands constants, Cast, Identity, Concat/ConcatV2 along
   * axis 0, Pack of scalars, Unsqueeze/Reshape of a constant. Undefined when the structure is
   * anything else.
   */
  fold(tensor: string, depth = 0): number[] | undefined {
    const name = GraphIndex.tensor(tensor);
    const c = this.src.smallConstant(name);
    if (c) return [...c];
    const n = this.producer.get(name);
    if (!n || depth > 12) return undefined;
    switch (n.op) {
      case 'Cast':
      case 'Identity':
      case 'Unsqueeze':
      case 'Squeeze':
        return this.fold(n.inputs[0], depth + 1);
      case 'Concat':
      case 'ConcatV2':
      case 'Pack': {
        const ins = n.op === 'ConcatV2' ? n.inputs.slice(0, -1) : n.inputs;
        const out: number[] = [];
        for (const i of ins) {
          const v = this.fold(i, depth + 1);
          if (v) out.push(...v);
          else if (n.op === 'Pack') out.push(NaN);
          else return undefined;
        }
        return out;
      }
      case 'Slice':
      case 'StridedSlice':
      case 'Shape':
      case 'Gather':
      case 'GatherV2':
        // Depends on the input's runtime shape: one unknown per scalar in the usual patterns.
        return [NaN];
      default:
        return undefined;
    }
  }
}
