import { ModelError } from '../errors.js';
import { findStackPrefix } from './bert.js';
import { cfgInt, COMMON_NOTES, parameterCount, resolveHeads, resolveLayers, SpecAdapter, type LayerSpec, type WeightRef } from './common.js';
import type { AdapterFactory } from './types.js';

/**
 * GPT-2 (Hugging Face naming, with or without the "transformer." prefix): per layer `h.{i}.` +
 * attn.c_attn (N × 3N: Q, K, V side by side), attn.c_proj (N × N), mlp.c_fc (N × I),
 * mlp.c_proj (I × N). GPT-2's Conv1D stores weights (in, out): they already are the row-vector
 * matrices, no transpose.
 */
export const gpt2Factory: AdapterFactory = {
  name: 'gpt2',
  detect(src) {
    const t = src.config?.model_type;
    if (typeof t === 'string') return t === 'gpt2';
    return findStackPrefix(src, 'h.', 'attn.c_attn.weight') !== undefined;
  },
  create(src, opts) {
    const stack = findStackPrefix(src, 'h.', 'attn.c_attn.weight');
    if (!stack) throw new ModelError(`${src.path}: GPT-2 model but no tensor named like h.0.attn.c_attn.weight`);
    const cfg = src.config;
    const attn0 = src.list().find((t) => t.name === `${stack}0.attn.c_attn.weight`);
    const fc0 = src.list().find((t) => t.name === `${stack}0.mlp.c_fc.weight`);
    const hidden = cfgInt(cfg, 'n_embd', 'hidden_size') ?? attn0?.shape[0] ?? 0;
    const intermediate = cfgInt(cfg, 'n_inner') ?? fc0?.shape[1] ?? 4 * hidden;
    const heads = resolveHeads(src, cfgInt(cfg, 'n_head', 'num_attention_heads'), opts, hidden);
    const layers = resolveLayers(src, cfgInt(cfg, 'n_layer', 'num_hidden_layers'), new RegExp(`^${stack.replace(/\./g, '\\.')}(\\d+)\\.`));
    const conv = (tensor: string, shape: readonly [number, number], cols?: readonly [number, number]): WeightRef => ({ tensor, stored: 'in_out', shape, cols });
    const spec = (l: number): LayerSpec => {
      const p = `${stack}${l}.`;
      const qkv = p + 'attn.c_attn.weight';
      return {
        q: conv(qkv, [hidden, 3 * hidden], [0, hidden]),
        k: conv(qkv, [hidden, 3 * hidden], [hidden, 2 * hidden]),
        v: conv(qkv, [hidden, 3 * hidden], [2 * hidden, 3 * hidden]),
        o: conv(p + 'attn.c_proj.weight', [hidden, hidden]),
        heads,
        kvHeads: heads,
        headDim: hidden / heads,
        ffnIn: [conv(p + 'mlp.c_fc.weight', [hidden, intermediate])],
        ffnOut: conv(p + 'mlp.c_proj.weight', [intermediate, hidden]),
      };
    };
    return new SpecAdapter(
      src,
      { architecture: 'gpt2', layers, hidden, heads, headDim: hidden / heads, intermediate, kvHeads: heads, parameters: parameterCount(src), format: src.format },
      [
        'GPT-2 Conv1D weights are stored (in, out): used as the row-vector matrices without transpose',
        'fused c_attn split into Q, K, V as columns [0, N), [N, 2N), [2N, 3N)',
        'the causal mask does not change the matrices',
        ...COMMON_NOTES,
      ],
      spec,
    );
  },
};
