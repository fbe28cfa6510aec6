/**
 * Tensors and reverse-mode automatic differentiation.
 *
 * A Tensor is a row-major, contiguous Float32Array (training) or Float64Array (gradient
 * checks) with a shape. Every op records, on its output, the tensors it read and a closure that
 * adds the output's gradient into theirs (the micrograd/tinygrad pattern: each op's gradient sits
 * next to its forward in src/nn/ops/). `backward(loss)` orders the recorded graph topologically
 * from the loss and runs the closures in reverse. Gradients accumulate (`+=`) until zeroed, as in
 * PyTorch. Graph recording is skipped inside `noGrad()` and for ops none of whose inputs needs a
 * gradient, so inference and frozen sub-networks cost nothing extra.
 */
export type DType = 'float32' | 'float64';
export type Data = Float32Array | Float64Array;

export class Tensor {
  readonly shape: readonly number[];
  data: Data;
  /** Accumulated gradient (same dtype and size as data), or null before any backward. */
  grad: Data | null = null;
  requiresGrad: boolean;
  /** @internal inputs of the op that produced this tensor. */
  parents: readonly Tensor[] = [];
  /** @internal adds this tensor's grad into its parents' grads. */
  backwardFn: (() => void) | null = null;

  constructor(data: Data, shape: readonly number[], requiresGrad = false) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new RangeError(`Tensor: shape [${shape.join(', ')}] has ${n} elements but data has ${data.length}`);
    this.data = data;
    this.shape = shape.slice();
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  /** The gradient buffer, allocated as zeros on first use. */
  gradBuffer(): Data {
    if (this.grad === null) this.grad = alloc(this.dtype, this.data.length);
    return this.grad;
  }

  zeroGrad(): void {
    if (this.grad !== null) this.grad.fill(0);
  }

  /** Single element as a number (for scalars such as a loss). */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`item(): tensor has ${this.data.length} elements, expected 1`);
    return this.data[0];
  }

  /** A copy of the data detached from the graph. */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  static zeros(shape: readonly number[], dtype: DType = 'float32', requiresGrad = false): Tensor {
    return new Tensor(alloc(dtype, numel(shape)), shape, requiresGrad);
  }

  static from(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32', requiresGrad = false): Tensor {
    const d = alloc(dtype, values.length);
    d.set(values);
    return new Tensor(d, shape, requiresGrad);
  }

  /** Same values in another dtype (a leaf; no graph). */
  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const d = alloc(dtype, this.size);
    d.set(this.data);
    return new Tensor(d, this.shape, this.requiresGrad);
  }
}

export function alloc(dtype: DType, n: number): Data {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

let gradEnabled = true;

/** Runs fn without recording any graph (inference, evaluation, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Records `out` as produced from `parents` with the given gradient closure, when grad mode is on
 * and at least one parent needs a gradient. Ops call this after filling out.data.
 */
export function record(out: Tensor, parents: readonly Tensor[], backwardFn: () => void): Tensor {
  if (!gradEnabled) return out;
  let need = false;
  for (const p of parents) if (p.requiresGrad) need = true;
  if (!need) return out;
  out.requiresGrad = true;
  out.parents = parents;
  out.backwardFn = backwardFn;
  return out;
}

/**
 * Back-propagates from a scalar `loss` (or from `loss` seeded with `gradOutput`). Gradients are
 * added into every leaf with requiresGrad. The graph is released afterwards (saved activations
 * are freed) unless retainGraph is set.
 */
export function backward(loss: Tensor, gradOutput?: Data, retainGraph = false): void {
  if (!loss.requiresGrad) throw new Error('backward(): the tensor does not require a gradient (all inputs frozen, or built under noGrad)');
  if (gradOutput === undefined && loss.size !== 1) throw new RangeError(`backward(): loss has ${loss.size} elements; pass gradOutput for non-scalars`);
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS: parents before children in `order`.
  const stack: [Tensor, number][] = [[loss, 0]];
  seen.add(loss);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1] = i + 1;
      const p = t.parents[i];
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  const g = loss.gradBuffer();
  if (gradOutput === undefined) g[0] += 1;
  else for (let i = 0; i < g.length; i++) g[i] += gradOutput[i];
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (t.backwardFn !== null && t.grad !== null) t.backwardFn();
  }
  if (!retainGraph) {
    for (const t of order) {
      if (t.backwardFn !== null) {
        t.backwardFn = null;
        t.parents = [];
        t.grad = null;
      }
    }
  }
}
