import { Rng } from './rng.js';
import { Tensor, tidy, type DType } from './tensor.js';
import { Module, Linear, LayerNorm, PromptTokens } from './module.js';
import { add, gelu, relu } from './ops/elementwise.js';
import { meanPool, prependTokens, widenMask } from './ops/layers.js';
import { multiHeadAttention } from './ops/attention.js';

export type Activation = 'gelu' | 'relu';

export interface TransformerRegressorConfig {
  /** Dimension d of each sample (token) in a bag. */
  inputDim: number;
  hiddenSize: number;
  numHeads: number;
  numLayers: number;
  intermediateSize: number;
  /** Number of regression outputs (default 1). */
  outputDim?: number;
  /** Feed-forward activation: 'gelu' (tanh form) or 'relu'. Default 'gelu'. */
  activation?: Activation;
  layerNormEps?: number;
  /** Learnable prompt tokens prepended after the input projection (default 0). */
  promptTokens?: number;
  /** Learnable key/value prefix tokens in every attention layer (prefix tuning; default 0). */
  prefixTokens?: number;
  /** Seed of the initialisation (xoshiro128**, see rng.ts). */
  seed: number;
  dtype?: DType;
}

/** Hugging Face-style config.json written next to model.safetensors (read by src/models/). */
export interface TransformerConfigJson {
  model_type: 'genbound-transformer';
  architectures: ['TransformerRegressor'];
  input_dim: number;
  hidden_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  intermediate_size: number;
  output_dim: number;
  hidden_act: 'gelu_pytorch_tanh' | 'relu';
  layer_norm_eps: number;
  num_prompt_tokens: number;
  num_prefix_tokens: number;
  pre_norm: true;
  pooling: 'mean';
  position_embedding: 'none';
  [key: string]: unknown;
}

/**
 * The four attention projections of one block (names q, k, v, o as in the checkpoint), and
 * optional prefix tokens (prefix tuning, Li & Liang 2021): P learnable keys `prefix_k` and values
 * `prefix_v` [P, D], in projected space, prepended to every bag's keys and values, so each query
 * also attends to them.
 */
export class SelfAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  prefix: { k: Tensor; v: Tensor; count: number } | null = null;
  constructor(readonly dim: number, readonly heads: number, rng: Rng, dtype: DType) {
    super();
    this.q = this.addModule('q', new Linear(dim, dim, { rng, dtype }));
    this.k = this.addModule('k', new Linear(dim, dim, { rng, dtype }));
    this.v = this.addModule('v', new Linear(dim, dim, { rng, dtype }));
    this.o = this.addModule('o', new Linear(dim, dim, { rng, dtype }));
  }
  forward(x: Tensor, keyMask?: Uint8Array): Tensor {
    let k = this.k.forward(x), v = this.v.forward(x), mask = keyMask;
    if (this.prefix) {
      k = prependTokens(this.prefix.k, k);
      v = prependTokens(this.prefix.v, v);
      if (keyMask) mask = widenMask(keyMask, x.shape[0], x.shape[1], this.prefix.count);
    }
    return this.o.forward(multiHeadAttention(this.q.forward(x), k, v, { heads: this.heads, keyMask: mask }));
  }

  /** Adds P prefix keys and values, U(−0.5, 0.5). */
  addPrefix(count: number, rng: Rng): void {
    if (this.prefix) throw new Error('addPrefix: this layer already has prefix tokens');
    const make = (): Tensor => {
      const t = Tensor.zeros([count, this.dim], this.q.weight.dtype);
      for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(-0.5, 0.5);
      return t;
    };
    const k = this.addParam('prefix_k', make());
    const v = this.addParam('prefix_v', make());
    this.prefix = { k, v, count };
  }
}

export class FeedForward extends Module {
  readonly in: Linear;
  readonly out: Linear;
  constructor(dim: number, hidden: number, readonly activation: Activation, rng: Rng, dtype: DType) {
    super();
    this.in = this.addModule('in', new Linear(dim, hidden, { rng, dtype }));
    this.out = this.addModule('out', new Linear(hidden, dim, { rng, dtype }));
  }
  forward(x: Tensor): Tensor {
    const h = this.in.forward(x);
    return this.out.forward(this.activation === 'relu' ? relu(h) : gelu(h));
  }
}

/** Pre-LN block: h = x + Attn(LN1(x)); y = h + FFN(LN2(h)) (Xiong et al. 2020, "Pre-LN"). */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: SelfAttention;
  readonly ln2: LayerNorm;
  readonly ffn: FeedForward;
  constructor(c: Required<TransformerRegressorConfig>, rng: Rng) {
    super();
    this.ln1 = this.addModule('ln1', new LayerNorm(c.hiddenSize, c.layerNormEps, c.dtype));
    this.attn = this.addModule('attn', new SelfAttention(c.hiddenSize, c.numHeads, rng, c.dtype));
    this.ln2 = this.addModule('ln2', new LayerNorm(c.hiddenSize, c.layerNormEps, c.dtype));
    this.ffn = this.addModule('ffn', new FeedForward(c.hiddenSize, c.intermediateSize, c.activation, rng, c.dtype));
  }
  forward(x: Tensor, keyMask?: Uint8Array): Tensor {
    const h = add(x, this.attn.forward(this.ln1.forward(x), keyMask));
    return add(h, this.ffn.forward(this.ln2.forward(h)));
  }
}

/**
 * The distribution-regression Transformer of spec/distribution-regression.md: each bag of n
 * samples in R^d is projected to width D (`input`), passed through L pre-LN blocks with
 * multi-head softmax attention and no positional encoding (so the model is permutation
 * invariant and takes any n), mean-pooled over its samples, and read out by a linear `head`.
 * Optional learnable prompt tokens are prepended after the projection and excluded from the pool.
 * Parameters are initialised from one seeded generator in the order input, layers, head, so a
 * seed fixes the model.
 */
export class TransformerRegressor extends Module {
  readonly config: Required<TransformerRegressorConfig>;
  readonly input: Linear;
  readonly layers: Block[] = [];
  readonly head: Linear;
  prompt: PromptTokens | null = null;

  constructor(config: TransformerRegressorConfig) {
    super();
    const c: Required<TransformerRegressorConfig> = {
      outputDim: 1, activation: 'gelu', layerNormEps: 1e-5, promptTokens: 0, prefixTokens: 0, dtype: 'float32', ...config,
    };
    for (const key of ['inputDim', 'hiddenSize', 'numHeads', 'numLayers', 'intermediateSize', 'outputDim'] as const) {
      if (!(Number.isInteger(c[key]) && c[key] >= (key === 'numLayers' ? 0 : 1))) throw new RangeError(`TransformerRegressor: ${key} must be a positive integer, got ${c[key]}`);
    }
    if (c.hiddenSize % c.numHeads !== 0) throw new RangeError(`TransformerRegressor: hiddenSize ${c.hiddenSize} is not a multiple of numHeads ${c.numHeads}`);
    this.config = c;
    const rng = new Rng(c.seed);
    this.input = this.addModule('input', new Linear(c.inputDim, c.hiddenSize, { rng, dtype: c.dtype }));
    for (let i = 0; i < c.numLayers; i++) this.layers.push(this.addModule(`layers.${i}`, new Block(c, rng)));
    this.head = this.addModule('head', new Linear(c.hiddenSize, c.outputDim, { rng, dtype: c.dtype }));
    if (c.promptTokens > 0) this.addPromptTokens(c.promptTokens, rng);
    if (c.prefixTokens > 0) this.addPrefixTokens(c.prefixTokens, rng);
  }

  /**
   * x [B, n, inputDim] → predictions [B, outputDim]. keyMask [B·n] (1 = real sample) lets bags
   * of different sizes share one padded batch.
   */
  forward(x: Tensor, keyMask?: Uint8Array): Tensor {
    const c = this.config;
    if (x.shape.length !== 3 || x.shape[2] !== c.inputDim) {
      throw new RangeError(`TransformerRegressor: input must be [B, n, ${c.inputDim}], got [${x.shape.join(', ')}]`);
    }
    return tidy(() => this.forwardInner(x, keyMask));
  }

  private forwardInner(x: Tensor, keyMask?: Uint8Array): Tensor {
    let h = this.input.forward(x);
    let mask = keyMask;
    const p = this.prompt ? this.prompt.count : 0;
    if (this.prompt) {
      h = prependTokens(this.prompt.weight, h);
      if (keyMask) mask = widenMask(keyMask, x.shape[0], x.shape[1], p);
    }
    for (const layer of this.layers) h = layer.forward(h, mask);
    return this.head.forward(meanPool(h, { start: p, keyMask }));
  }

  /** Adds P learnable prompt tokens (registered as `prompt.weight`). */
  addPromptTokens(count: number, rng: Rng): PromptTokens {
    if (this.prompt) throw new Error('addPromptTokens: the model already has prompt tokens');
    this.prompt = this.addModule('prompt', new PromptTokens(count, this.config.hiddenSize, { rng, dtype: this.config.dtype }));
    this.config.promptTokens = count;
    return this.prompt;
  }

  /** Adds P prefix key/value tokens to every attention layer (`layers.{i}.attn.prefix_{k,v}`). */
  addPrefixTokens(count: number, rng: Rng): void {
    for (const layer of this.layers) layer.attn.addPrefix(count, rng);
    this.config.prefixTokens = count;
  }

  /** Every Linear of the model with its dotted name ("layers.0.attn.q", "head", ...). */
  linears(): [string, Linear][] {
    return this.namedModules().filter((e): e is [string, Linear] => e[1] instanceof Linear);
  }

  /**
   * Parameter-efficient fine-tuning set-ups. Each freezes the whole model first, then makes only
   * the named part trainable: LoRA adapters on the linears whose names end with one of `targets`
   * (default the attention projections), P prompt tokens, or the head only.
   */
  enableLora(rank: number, opts: { rng: Rng; alpha?: number; targets?: readonly string[] }): Linear[] {
    const targets = opts.targets ?? ['attn.q', 'attn.k', 'attn.v', 'attn.o'];
    this.freeze();
    const hit = this.linears().filter(([name]) => targets.some((t) => name === t || name.endsWith(`.${t}`)));
    if (hit.length === 0) throw new RangeError(`enableLora: no linear layer matches ${targets.join(', ')}`);
    for (const [, lin] of hit) lin.addLora(rank, { rng: opts.rng, alpha: opts.alpha });
    return hit.map(([, l]) => l);
  }

  enablePromptTuning(count: number, rng: Rng): PromptTokens {
    this.freeze();
    return this.addPromptTokens(count, rng);
  }

  enablePrefixTuning(count: number, rng: Rng): void {
    this.freeze();
    this.addPrefixTokens(count, rng);
  }

  enableHeadOnly(): void {
    this.freeze();
    this.head.freeze(false);
  }

  configJson(): TransformerConfigJson {
    const c = this.config;
    return {
      model_type: 'genbound-transformer',
      architectures: ['TransformerRegressor'],
      input_dim: c.inputDim,
      hidden_size: c.hiddenSize,
      num_attention_heads: c.numHeads,
      num_hidden_layers: c.numLayers,
      intermediate_size: c.intermediateSize,
      output_dim: c.outputDim,
      hidden_act: c.activation === 'relu' ? 'relu' : 'gelu_pytorch_tanh',
      layer_norm_eps: c.layerNormEps,
      num_prompt_tokens: this.prompt ? this.prompt.count : 0,
      num_prefix_tokens: this.config.prefixTokens,
      pre_norm: true,
      pooling: 'mean',
      position_embedding: 'none',
    };
  }
}
