import type { GraphNode, GraphTensorSource } from '../io/types.js';
import { MAX_FOLD_NODES, MAX_FOLD_VALUES } from '../io/limits.js';

/** Ops whose (small, integer) output constant folding derives from their inputs. */
const PASS = new Set(['Cast', 'Identity', 'Unsqueeze', 'Squeeze']);
const JOIN = new Set(['Concat', 'ConcatV2', 'Pack']);
/** Ops whose value depends on the input's runtime shape: one unknown per scalar in the usual patterns. */
const RUNTIME = new Set(['Slice', 'StridedSlice', 'Shape', 'Gather', 'GatherV2']);

/**
 * Small helpers over a computation graph (ONNX or tfjs), for adapters that derive what the
 * weights do not say (head counts) from the graph's shape arithmetic.
 */
export class GraphIndex {
  /** Tensor name -> producing node. tfjs names a node's first output by the node's name. */
  private readonly producer = new Map<string, GraphNode>();
  /** Tensor name -> consuming nodes. */
  private readonly consumers = new Map<string, GraphNode[]>();
  /** Node name -> node (first of that name). */
  private readonly byName = new Map<string, GraphNode>();
  /** Folded values by canonical tensor name; null = not foldable. Shared by all queries. */
  private readonly folded = new Map<string, number[] | null>();

  constructor(readonly src: GraphTensorSource) {
    for (const n of src.graph()) {
      if (!this.byName.has(n.name)) this.byName.set(n.name, n);
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
    return this.byName.get(name);
  }

  /**
   * Folds a small integer-valued tensor to its values, NaN where a value depends on the input
   * (e.g. a batch size from Shape). Understands constants, Cast, Identity, Concat/ConcatV2 along
   * axis 0, Pack of scalars, Unsqueeze/Reshape of a constant. Undefined when the structure is
   * anything else, when the result would hold more than MAX_FOLD_VALUES values, or when the
   * query would visit more than MAX_FOLD_NODES nodes. Iterative (no recursion, so deep graphs
   * cannot overflow the stack) and memoised across queries (a shared sub-graph is folded once),
   * so folding every tensor of a graph is linear in its size.
   */
  fold(tensor: string): number[] | undefined {
    const root = GraphIndex.tensor(tensor);
    const stack = [root];
    /** Nodes expanded and not finished: exactly the ancestors of the stack's top (an input among them is a cycle). */
    const open = new Set<string>();
    let visited = 0;
    while (stack.length > 0) {
      const name = stack[stack.length - 1];
      if (this.folded.has(name)) {
        stack.pop();
        continue;
      }
      const c = this.src.smallConstant(name);
      const n = this.producer.get(name);
      if (c || !n || !(PASS.has(n.op) || JOIN.has(n.op)) || (PASS.has(n.op) && n.inputs.length === 0)) {
        this.folded.set(name, c ? [...c] : n && RUNTIME.has(n.op) ? [NaN] : null);
        continue;
      }
      const ins = (PASS.has(n.op) ? n.inputs.slice(0, 1) : n.op === 'ConcatV2' ? n.inputs.slice(0, -1) : n.inputs).map(GraphIndex.tensor);
      if (!open.has(name)) {
        open.add(name);
        if (++visited > MAX_FOLD_NODES) return undefined;
      }
      let ready = true;
      for (const i of ins) {
        if (this.folded.has(i)) continue;
        ready = false;
        if (open.has(i)) this.folded.set(i, null); // a cycle: not a constant
        else stack.push(i);
      }
      if (!ready) continue;
      open.delete(name);
      let out: number[] | null = [];
      for (const i of ins) {
        const v = this.folded.get(i) ?? null;
        if (v) out.push(...v);
        else if (n.op === 'Pack') out.push(NaN);
        else {
          out = null;
          break;
        }
        if (out.length > MAX_FOLD_VALUES) {
          out = null;
          break;
        }
      }
      this.folded.set(name, out);
    }
    const v = this.folded.get(root);
    return v ? [...v] : undefined;
  }
}
