import { ModelError } from '../errors.js';
import type { TensorSource } from '../io/types.js';
import { cfgInt, COMMON_NOTES, parameterCount, resolveHeads, resolveLayers, SpecAdapter, type LayerSpec } from './common.js';
import type { AdapterFactory, AdapterOptions, ModelAdapter } from './types.js';

/**
 * Hugging Face encoder naming shared by BERT, RoBERTa, ELECTRA (and ViT, see vit.ts): per layer
 * `<prefix>encoder.layer.{i}.` + attention.self.{query,key,value}, attention.output.dense,
 * intermediate.dense, output.dense; DistilBERT: `<prefix>transformer.layer.{i}.` +
 * attention.{q_lin,k_lin,v_lin,out_lin}, ffn.lin1, ffn.lin2. All are nn.Linear, stored (out, in).
 */
export interface EncoderNames {
  /** Layer-i name of each weight, given the layer's prefix (e.g. "bert.encoder.layer.3."). */
  q: string;
  k: string;
  v: string;
  o: string;
  ffnIn: string;
  ffnOut: string;
}

const BERT_NAMES: EncoderNames = {
  q: 'attention.self.query.weight',
  k: 'attention.self.key.weight',
  v: 'attention.self.value.weight',
  o: 'attention.output.dense.weight',
  ffnIn: 'intermediate.dense.weight',
  ffnOut: 'output.dense.weight',
};

const DISTILBERT_NAMES: EncoderNames = {
  q: 'attention.q_lin.weight',
  k: 'attention.k_lin.weight',
  v: 'attention.v_lin.weight',
  o: 'attention.out_lin.weight',
  ffnIn: 'ffn.lin1.weight',
  ffnOut: 'ffn.lin2.weight',
};

/** Finds `<prefix><stack>0.<probe>` among the tensor names; returns the prefix up to the stack. */
export function findStackPrefix(src: TensorSource, stack: string, probe: string): string | undefined {
  const tail = `${stack}0.${probe}`;
  for (const t of src.list()) if (t.name.endsWith(tail)) return t.name.slice(0, t.name.length - tail.length) + stack;
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds an adapter for an encoder with nn.Linear (out, in) weights and one head layout.
 * `stackPrefix` ends with "layer." (the layer index follows).
 */
export function encoderAdapter(
  src: TensorSource,
  opts: AdapterOptions,
  architecture: string,
  stackPrefix: string,
  names: EncoderNames,
  keys: { hidden: string[]; heads: string[]; layers: string[]; intermediate: string[] },
  extraNotes: readonly string[],
): ModelAdapter {
  const cfg = src.config;
  const first = src.list().find((t) => t.name === `${stackPrefix}0.${names.q}`);
  const ffn0 = src.list().find((t) => t.name === `${stackPrefix}0.${names.ffnIn}`);
  if (!first) throw new ModelError(`${src.path}: missing tensor ${stackPrefix}0.${names.q}`);
  if (!ffn0) throw new ModelError(`${src.path}: missing tensor ${stackPrefix}0.${names.ffnIn}`);
  const hidden = cfgInt(cfg, ...keys.hidden) ?? first.shape[1];
  const intermediate = cfgInt(cfg, ...keys.intermediate) ?? ffn0.shape[0];
  const heads = resolveHeads(src, cfgInt(cfg, ...keys.heads), opts, hidden);
  const layers = resolveLayers(src, cfgInt(cfg, ...keys.layers), new RegExp(`^${escapeRe(stackPrefix)}(\\d+)\\.`));
  const headDim = hidden / heads;
  const lin = (tensor: string, shape: readonly [number, number]) => ({ tensor, stored: 'out_in' as const, shape });
  const spec = (l: number): LayerSpec => {
    const p = `${stackPrefix}${l}.`;
    return {
      q: lin(p + names.q, [hidden, hidden]),
      k: lin(p + names.k, [hidden, hidden]),
      v: lin(p + names.v, [hidden, hidden]),
      o: lin(p + names.o, [hidden, hidden]),
      heads,
      kvHeads: heads,
      headDim,
      ffnIn: [lin(p + names.ffnIn, [hidden, intermediate])],
      ffnOut: lin(p + names.ffnOut, [intermediate, hidden]),
    };
  };
  const info = {
    architecture,
    layers,
    hidden,
    heads,
    headDim,
    intermediate,
    kvHeads: heads,
    parameters: parameterCount(src),
    format: src.format,
  };
  const notes = [
    `nn.Linear weights stored (out, in): row-vector matrices are their transposes; QK_h = W_q[hs,:]ᵀ W_k[hs,:], V_tilde_h = W_v[hs,:]ᵀ (W_o[:,hs])ᵀ with hs the head's ${headDim} rows`,
    ...extraNotes,
    ...COMMON_NOTES,
  ];
  return new SpecAdapter(src, info, notes, spec);
}

const BERT_TYPES = ['bert', 'roberta', 'xlm-roberta', 'camembert', 'electra', 'distilbert'];

function modelType(src: TensorSource): string | undefined {
  const t = src.config?.model_type;
  return typeof t === 'string' ? t : undefined;
}

export const bertFactory: AdapterFactory = {
  name: 'bert',
  detect(src) {
    const t = modelType(src);
    if (t !== undefined) return BERT_TYPES.includes(t);
    return findStackPrefix(src, 'encoder.layer.', BERT_NAMES.q) !== undefined || findStackPrefix(src, 'transformer.layer.', DISTILBERT_NAMES.q) !== undefined;
  },
  create(src, opts) {
    const t = modelType(src);
    const distil = t === 'distilbert' || (t === undefined && findStackPrefix(src, 'transformer.layer.', DISTILBERT_NAMES.q) !== undefined);
    if (distil) {
      const prefix = findStackPrefix(src, 'transformer.layer.', DISTILBERT_NAMES.q);
      if (!prefix) throw new ModelError(`${src.path}: DistilBERT config but no tensor named like transformer.layer.0.${DISTILBERT_NAMES.q}`);
      return encoderAdapter(src, opts, 'distilbert', prefix, DISTILBERT_NAMES, { hidden: ['dim'], heads: ['n_heads'], layers: ['n_layers'], intermediate: ['hidden_dim'] }, [
        'DistilBERT naming: q_lin/k_lin/v_lin/out_lin and ffn.lin1/ffn.lin2 play the roles of BERT query/key/value/attention.output.dense and intermediate/output dense',
      ]);
    }
    const prefix = findStackPrefix(src, 'encoder.layer.', BERT_NAMES.q);
    if (!prefix) throw new ModelError(`${src.path}: ${t ?? 'BERT'} model but no tensor named like encoder.layer.0.${BERT_NAMES.q}`);
    const notes = t === 'electra' ? ['ELECTRA: the discriminator/generator encoder is read; embeddings_project (embedding size -> hidden) is left out'] : [];
    return encoderAdapter(src, opts, t ?? 'bert', prefix, BERT_NAMES, { hidden: ['hidden_size'], heads: ['num_attention_heads'], layers: ['num_hidden_layers'], intermediate: ['intermediate_size'] }, notes);
  },
};
