import { Rng } from './rng.js';
import { Tensor, alloc, noGrad, type DType } from './tensor.js';
import { add, scale } from './ops/elementwise.js';
import { linear } from './ops/linear.js';
import { layerNorm } from './ops/layers.js';
import { embedding } from './ops/layers.js';
import { conv1d } from './ops/conv.js';

/** Options every layer constructor takes: the seeded generator for its initial weights, and the dtype. */
export interface InitOptions {
  rng: Rng;
  dtype?: DType;
}

/**
 * A tree of named parameters, like PyTorch's nn.Module: `namedParameters()` yields dotted names
 * ("layers.0.attn.q.weight") in registration order, which is also the order the optimisers and
 * the safetensors writer use, so a run is reproducible.
 */
export abstract class Module {
  private readonly entries = new Map<string, Tensor | Module>();

  protected addParam(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.entries.set(name, t);
    return t;
  }

  protected addModule<M extends Module>(name: string, m: M): M {
    this.entries.set(name, m);
    return m;
  }

  protected removeEntry(name: string): void {
    this.entries.delete(name);
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, e] of this.entries) {
      const full = prefix ? `${prefix}.${name}` : name;
      if (e instanceof Tensor) out.push([full, e]);
      else out.push(...e.namedParameters(full));
    }
    return out;
  }

  /** Sub-modules with their dotted names (this module itself is ''). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, e] of this.entries) {
      if (e instanceof Module) out.push(...e.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Parameters that currently receive gradients (what an optimiser should update). */
  trainableParameters(): Tensor[] {
    return this.parameters().filter((t) => t.requiresGrad);
  }

  /** Stops gradients to every parameter of this module (frozen), or restores them. */
  freeze(frozen = true): this {
    for (const t of this.parameters()) t.requiresGrad = !frozen;
    return this;
  }

  zeroGrad(): void {
    for (const t of this.parameters()) t.grad = null;
  }

  /**
   * Copies values into parameters by dotted name. Every parameter must be given (unless
   * `partial`), with the right element count; unknown names are an error.
   */
  loadParameters(values: ReadonlyMap<string, ArrayLike<number>> | Record<string, ArrayLike<number>>, partial = false): void {
    const map = values instanceof Map ? values : new Map(Object.entries(values));
    const own = new Map(this.namedParameters());
    for (const name of map.keys()) if (!own.has(name)) throw new RangeError(`loadParameters: the model has no parameter "${name}"`);
    for (const [name, t] of own) {
      const v = map.get(name);
      if (v === undefined) {
        if (partial) continue;
        throw new RangeError(`loadParameters: no value for parameter "${name}"`);
      }
      if (v.length !== t.size) throw new RangeError(`loadParameters: "${name}" has ${v.length} values, expected ${t.size} ([${t.shape.join(', ')}])`);
      t.data.set(v);
    }
  }

  numParameters(trainableOnly = false): number {
    return (trainableOnly ? this.trainableParameters() : this.parameters()).reduce((s, t) => s + t.size, 0);
  }
}

function uniformTensor(shape: number[], bound: number, o: InitOptions): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = alloc(o.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) d[i] = o.rng.uniformRange(-bound, bound);
  return new Tensor(d, shape);
}

/** Constant-filled parameter tensor. */
function filled(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  const t = Tensor.zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

/**
 * y = x·Wᵀ + b, W stored (out, in) as nn.Linear. Initialisation as PyTorch's default
 * (kaiming_uniform with a = √5): W, b ~ U(−1/√in, 1/√in).
 *
 * LoRA (Hu et al. 2021, eq. 3): `addLora(r, alpha)` adds A [r, in] ~ U(−1/√in, 1/√in) and
 * B [out, r] = 0, and the layer computes y = x·Wᵀ + b + (alpha/r)·(x·Aᵀ)·Bᵀ; only A and B are
 * trained when the rest is frozen. `mergeLora()` folds W ← W + (alpha/r)·B·A.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  lora: { a: Tensor; b: Tensor; scaling: number; rank: number; alpha: number } | null = null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, o: InitOptions & { bias?: boolean }) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParam('weight', uniformTensor([outFeatures, inFeatures], bound, o));
    this.bias = o.bias === false ? null : this.addParam('bias', uniformTensor([outFeatures], bound, o));
  }

  forward(x: Tensor): Tensor {
    const y = linear(x, this.weight, this.bias);
    if (!this.lora) return y;
    const low = linear(linear(x, this.lora.a), this.lora.b);
    return add(y, scale(low, this.lora.scaling));
  }

  addLora(rank: number, o: InitOptions & { alpha?: number }): void {
    if (this.lora) throw new Error('addLora: this layer already has a LoRA adapter');
    if (!(Number.isInteger(rank) && rank >= 1)) throw new RangeError(`addLora: rank must be a positive integer, got ${rank}`);
    const alpha = o.alpha ?? rank;
    const a = this.addParam('lora_A.weight', uniformTensor([rank, this.inFeatures], 1 / Math.sqrt(this.inFeatures), { rng: o.rng, dtype: this.weight.dtype }));
    const b = this.addParam('lora_B.weight', Tensor.zeros([this.outFeatures, rank], this.weight.dtype));
    this.lora = { a, b, scaling: alpha / rank, rank, alpha };
  }

  /** W + (alpha/r)·B·A as a new array (W itself when there is no adapter). */
  effectiveWeight(): Float32Array | Float64Array {
    const w = this.weight.data.slice();
    if (!this.lora) return w;
    const { a, b, scaling, rank } = this.lora;
    const inF = this.inFeatures;
    for (let i = 0; i < this.outFeatures; i++) {
      for (let r = 0; r < rank; r++) {
        const s = scaling * b.data[i * rank + r];
        if (s === 0) continue;
        for (let j = 0; j < inF; j++) w[i * inF + j] += s * a.data[r * inF + j];
      }
    }
    return w;
  }

  mergeLora(): void {
    if (!this.lora) return;
    const w = this.effectiveWeight();
    noGrad(() => this.weight.data.set(w));
    this.removeEntry('lora_A.weight');
    this.removeEntry('lora_B.weight');
    this.lora = null;
  }
}

/** Layer normalisation over the last axis with γ = 1, β = 0 initially (nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly dim: number, readonly eps = 1e-5, dtype: DType = 'float32') {
    super();
    this.weight = this.addParam('weight', filled([dim], 1, dtype));
    this.bias = this.addParam('bias', filled([dim], 0, dtype));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** Lookup table [V, D], initialised N(0, 1) as nn.Embedding. */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly dim: number, o: InitOptions) {
    super();
    const d = alloc(o.dtype ?? 'float32', numEmbeddings * dim);
    for (let i = 0; i < d.length; i++) d[i] = o.rng.normal();
    this.weight = this.addParam('weight', new Tensor(d, [numEmbeddings, dim]));
  }
  forward(indices: Int32Array | readonly number[], indexShape?: readonly number[]): Tensor {
    return embedding(this.weight, indices, indexShape);
  }
}

/** nn.Conv1d: weight [Cout, Cin, K], bias [Cout], both ~ U(−1/√(Cin·K), 1/√(Cin·K)). */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number,
    o: InitOptions & { stride?: number; padding?: number; bias?: boolean }) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    const bound = 1 / Math.sqrt(inChannels * kernelSize);
    this.weight = this.addParam('weight', uniformTensor([outChannels, inChannels, kernelSize], bound, o));
    this.bias = o.bias === false ? null : this.addParam('bias', uniformTensor([outChannels], bound, o));
  }
  readonly stride: number;
  readonly padding: number;
  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.stride, this.padding);
  }
}

/**
 * P learnable prompt tokens [P, D] (prompt tuning, Lester, Al-Rfou & Constant 2021), initialised
 * U(−0.5, 0.5) as that paper's random-uniform baseline.
 */
export class PromptTokens extends Module {
  readonly weight: Tensor;
  constructor(readonly count: number, readonly dim: number, o: InitOptions) {
    super();
    this.weight = this.addParam('weight', uniformTensor([count, dim], 0.5, o));
  }
}
