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
  /** @internal created inside tidy() and not returned: its buffers are recycled when its graph is released. */
  internal = false;
  /** @internal another tensor views this one's data (reshape), so it must never be recycled. */
  pinned = false;
  /** @internal private buffers kept for the backward pass (recycled with the graph). */
  scratch: Data[] | null = null;

  constructor(data: Data, shape: readonly number[], requiresGrad = false) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new RangeError(`Tensor: shape [${shape.join(', ')}] has ${n} elements but data has ${data.length}`);
    this.data = data;
    this.shape = shape.slice();
    this.requiresGrad = requiresGrad;
    if (scope !== null) scope.push(this);
  }

  get size(): number {
    return this.data.length;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  /** The gradient buffer, allocated as zeros on first use. */
  gradBuffer(): Data {
    if (this.grad === null) this.grad = pooledZeros(this.dtype, this.data.length);
    return this.grad;
  }

  /**
   * For ops that write every element of this tensor's gradient: returns the buffer and whether
   * it is fresh (uninitialised: the op must assign, not add). Saves a zero-fill pass.
   */
  gradForWrite(): { buf: Data; fresh: boolean } {
    if (this.grad !== null) return { buf: this.grad, fresh: false };
    this.grad = allocUninit(this.dtype, this.data.length);
    return { buf: this.grad, fresh: true };
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

/*
 * Buffer recycling. Allocating a fresh multi-megabyte typed array costs page faults and zeroing
 * (measured 4-5× the cost of rewriting a reused one), and a training step of the lab's models
 * allocates hundreds of megabytes of activations and gradients of the same sizes every step. So
 * buffers that are provably private — scratch kept for backward, gradients of non-leaf tensors,
 * and the data of tensors created inside tidy() and not returned — go back to a pool, keyed by
 * dtype and length, when their graph is released by backward() (or at the end of tidy() under
 * noGrad). The pool is capped (POOL_CAP_BYTES); beyond it buffers are left to the GC.
 */
const POOL_CAP_BYTES = 512 * 1024 * 1024;
const MIN_POOLED = 1024;
const pool = new Map<number, Data[]>();
let pooledBytes = 0;
let poolEnabled = true;

/** Turns buffer recycling on or off (off: every buffer is freshly allocated; for tests). */
export function setBufferPooling(enabled: boolean): void {
  poolEnabled = enabled;
  if (!enabled) clearBufferPool();
}

function poolKey(dtype: DType, n: number): number {
  return dtype === 'float64' ? -n : n;
}

/** A buffer whose contents are arbitrary: only for outputs that the op overwrites entirely. */
export function allocUninit(dtype: DType, n: number): Data {
  if (n >= MIN_POOLED) {
    const list = pool.get(poolKey(dtype, n));
    if (list !== undefined && list.length > 0) {
      const d = list.pop() as Data;
      pooledBytes -= d.byteLength;
      return d;
    }
  }
  return alloc(dtype, n);
}

/** A zero-filled buffer, recycled when possible. */
export function pooledZeros(dtype: DType, n: number): Data {
  const d = allocUninit(dtype, n);
  d.fill(0);
  return d;
}

/** Returns a private buffer to the pool; the caller must hold no other reference to it. */
export function recycle(d: Data): void {
  if (!poolEnabled || d.length < MIN_POOLED || pooledBytes + d.byteLength > POOL_CAP_BYTES) return;
  const key = poolKey(d instanceof Float64Array ? 'float64' : 'float32', d.length);
  let list = pool.get(key);
  if (list === undefined) pool.set(key, (list = []));
  list.push(d);
  pooledBytes += d.byteLength;
}

/** Empties the buffer pool (frees its memory to the GC). */
export function clearBufferPool(): void {
  pool.clear();
  pooledBytes = 0;
}

const EMPTY32 = new Float32Array(0);
const EMPTY64 = new Float64Array(0);

/** Recycles an internal tensor's data and every node's gradient and scratch buffers. */
function releaseNode(t: Tensor): void {
  if (t.grad !== null) {
    recycle(t.grad);
    t.grad = null;
  }
  if (t.scratch !== null) {
    for (const d of t.scratch) recycle(d);
    t.scratch = null;
  }
  if (t.internal && !t.pinned && t.data.length > 0) {
    const d = t.data;
    t.data = d instanceof Float64Array ? EMPTY64 : EMPTY32;
    recycle(d);
  }
}

let scope: Tensor[] | null = null;

/**
 * Runs fn and marks every tensor it creates, except those it returns, as internal: their
 * buffers are recycled once no longer needed — after backward() has used them, or at once when
 * fn ran under noGrad. Reading an internal tensor after that finds it empty. Layers' forward
 * methods use this, so callers only ever hold the outputs.
 */
export function tidy<T extends Tensor | Tensor[]>(fn: () => T): T {
  const outer = scope;
  const mine: Tensor[] = [];
  scope = mine;
  let result: T;
  try {
    result = fn();
  } finally {
    scope = outer;
  }
  const keep = new Set<Tensor>(Array.isArray(result) ? result : [result]);
  for (const t of mine) {
    if (keep.has(t)) continue;
    t.internal = true;
    // Under noGrad nothing will read it again; with grad, backward() releases it (a tensor
    // outside the graph may still be read by a graph node's backward, so it is left to the GC).
    if (!gradEnabled) releaseNode(t);
  }
  if (outer !== null) for (const t of mine) outer.push(t);
  return result;
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
        releaseNode(t);
      }
    }
  }
}
