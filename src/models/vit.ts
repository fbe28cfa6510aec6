import { ModelError } from '../errors.js';
import { encoderAdapter, findStackPrefix, type EncoderNames } from './bert.js';
import type { AdapterFactory } from './types.js';

/**
 * Vision Transformer, Hugging Face ViTModel / ViTForImageClassification naming (also DeiT):
 * `<prefix>encoder.layer.{i}.` + attention.attention.{query,key,value}, attention.output.dense,
 * intermediate.dense, output.dense; nn.Linear weights stored (out, in), as in BERT.
 */
const VIT_NAMES: EncoderNames = {
  q: 'attention.attention.query.weight',
  k: 'attention.attention.key.weight',
  v: 'attention.attention.value.weight',
  o: 'attention.output.dense.weight',
  ffnIn: 'intermediate.dense.weight',
  ffnOut: 'output.dense.weight',
};

const VIT_TYPES = ['vit', 'deit'];

export const vitFactory: AdapterFactory = {
  name: 'vit',
  detect(src) {
    const t = src.config?.model_type;
    if (typeof t === 'string') return VIT_TYPES.includes(t);
    return findStackPrefix(src, 'encoder.layer.', VIT_NAMES.q) !== undefined;
  },
  create(src, opts) {
    const prefix = findStackPrefix(src, 'encoder.layer.', VIT_NAMES.q);
    if (!prefix) throw new ModelError(`${src.path}: ViT model but no tensor named like encoder.layer.0.${VIT_NAMES.q}`);
    const t = src.config?.model_type;
    return encoderAdapter(src, opts, typeof t === 'string' ? t : 'vit', prefix, VIT_NAMES, { hidden: ['hidden_size'], heads: ['num_attention_heads'], layers: ['num_hidden_layers'], intermediate: ['intermediate_size'] }, [
      'ViT: the patch embedding (a convolution) and the classifier are left out; tokens are patches plus [CLS]',
    ]);
  },
};
