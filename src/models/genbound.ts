import { cfgInt, COMMON_NOTES, parameterCount, resolveHeads, resolveLayers, SpecAdapter, type LayerSpec } from './common.js';
import type { AdapterFactory } from './types.js';
import { ModelError } from '../errors.js';

/**
 * genbound's own trained Transformers (saved by src/nn): config.json with model_type
 * "genbound-transformer", hidden_size, num_attention_heads, num_hidden_layers,
 * intermediate_size, input_dim; tensors `layers.{i}.attn.{q,k,v,o}.weight` and
 * `layers.{i}.ffn.{in,out}.weight`, all stored (out, in) like nn.Linear.
 */
export const genboundFactory: AdapterFactory = {
  name: 'genbound-transformer',
  detect(src) {
    const t = src.config?.model_type;
    if (typeof t === 'string') return t === 'genbound-transformer';
    return src.has('layers.0.attn.q.weight') && src.has('layers.0.ffn.in.weight');
  },
  create(src, opts) {
    const cfg = src.config;
    const q0 = src.list().find((t) => t.name === 'layers.0.attn.q.weight');
    const in0 = src.list().find((t) => t.name === 'layers.0.ffn.in.weight');
    if (!q0) throw new ModelError(`${src.path}: missing tensor layers.0.attn.q.weight`);
    if (!in0) throw new ModelError(`${src.path}: missing tensor layers.0.ffn.in.weight`);
    const hidden = cfgInt(cfg, 'hidden_size') ?? q0.shape[1];
    const intermediate = cfgInt(cfg, 'intermediate_size') ?? in0.shape[0];
    const heads = resolveHeads(src, cfgInt(cfg, 'num_attention_heads'), opts, hidden);
    const layers = resolveLayers(src, cfgInt(cfg, 'num_hidden_layers'), /^layers\.(\d+)\./);
    const lin = (tensor: string, shape: readonly [number, number]) => ({ tensor, stored: 'out_in' as const, shape });
    const spec = (l: number): LayerSpec => {
      const p = `layers.${l}.`;
      return {
        q: lin(p + 'attn.q.weight', [hidden, hidden]),
        k: lin(p + 'attn.k.weight', [hidden, hidden]),
        v: lin(p + 'attn.v.weight', [hidden, hidden]),
        o: lin(p + 'attn.o.weight', [hidden, hidden]),
        heads,
        kvHeads: heads,
        headDim: hidden / heads,
        ffnIn: [lin(p + 'ffn.in.weight', [hidden, intermediate])],
        ffnOut: lin(p + 'ffn.out.weight', [intermediate, hidden]),
      };
    };
    const inputDim = cfgInt(cfg, 'input_dim');
    return new SpecAdapter(
      src,
      { architecture: 'genbound-transformer', layers, hidden, heads, headDim: hidden / heads, intermediate, kvHeads: heads, parameters: parameterCount(src), format: src.format, ...(inputDim ? { inputDim } : {}) },
      ['weights stored (out, in) like nn.Linear: row-vector matrices are their transposes', 'input.weight (input_dim -> hidden) and head.weight are left out', ...COMMON_NOTES],
      spec,
    );
  },
};
