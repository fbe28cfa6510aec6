import { ModelError } from '../errors.js';
import { findStackPrefix } from './bert.js';
import { cfgInt, COMMON_NOTES, parameterCount, resolveHeads, resolveLayers, SpecAdapter, type LayerSpec } from './common.js';
import type { AdapterFactory } from './types.js';

/**
 * LLaMA-style decoders (LLaMA, Mistral, Qwen2, and others with the same naming): per layer
 * `<prefix>layers.{i}.` + self_attn.{q,k,v,o}_proj and mlp.{gate,up,down}_proj, nn.Linear
 * (out, in). Grouped-query attention: q_proj has heads·d rows, k_proj and v_proj kvHeads·d;
 * query head h uses key/value head floor(h / (heads / kvHeads)).
 *
 * Gated feed-forward FFN(x) = (act(x W_gate) ⊙ (x W_up)) W_down. The theory's two-matrix FFN
 * x -> act(x M_in) M_out is matched by M_in = [W_gate | W_up] (N × 2I) and M_out = W_down
 * (I × N): M_in is the whole linear map from the token to the pre-activation pair, so its
 * spectrum and norms cover both branches (||x M_in|| bounds ||x W_gate|| and ||x W_up||), while
 * M_out is the only matrix after the nonlinearity. docs/architectures.md says more.
 */
const TYPES = ['llama', 'mistral', 'qwen2', 'qwen3'];

export const llamaFactory: AdapterFactory = {
  name: 'llama',
  detect(src) {
    const t = src.config?.model_type;
    if (typeof t === 'string') return TYPES.includes(t);
    return findStackPrefix(src, 'layers.', 'self_attn.q_proj.weight') !== undefined && findStackPrefix(src, 'layers.', 'mlp.gate_proj.weight') !== undefined;
  },
  create(src, opts) {
    const stack = findStackPrefix(src, 'layers.', 'self_attn.q_proj.weight');
    if (!stack) throw new ModelError(`${src.path}: LLaMA-style model but no tensor named like layers.0.self_attn.q_proj.weight`);
    const cfg = src.config;
    const find = (s: string) => src.list().find((t) => t.name === `${stack}0.${s}`);
    const q0 = find('self_attn.q_proj.weight');
    const k0 = find('self_attn.k_proj.weight');
    const up0 = find('mlp.up_proj.weight');
    if (!q0 || !k0 || !up0) throw new ModelError(`${src.path}: missing tensor ${stack}0.${!q0 ? 'self_attn.q_proj' : !k0 ? 'self_attn.k_proj' : 'mlp.up_proj'}.weight`);
    const hidden = cfgInt(cfg, 'hidden_size') ?? q0.shape[1];
    const intermediate = cfgInt(cfg, 'intermediate_size') ?? up0.shape[0];
    const explicitHeadDim = cfgInt(cfg, 'head_dim');
    // With an explicit head_dim (Qwen3, Gemma) heads·d need not equal hidden; check against q_proj.
    const heads = explicitHeadDim ? resolveHeads(src, cfgInt(cfg, 'num_attention_heads'), opts, q0.shape[0], 'q_proj output size') : resolveHeads(src, cfgInt(cfg, 'num_attention_heads'), opts, hidden);
    const headDim = explicitHeadDim ?? hidden / heads;
    if (q0.shape[0] !== heads * headDim) throw new ModelError(`${src.path}: q_proj has ${q0.shape[0]} rows but ${heads} heads × ${headDim} = ${heads * headDim}`);
    const kvCfg = cfgInt(cfg, 'num_key_value_heads');
    const kvHeads = kvCfg ?? k0.shape[0] / headDim;
    if (!Number.isInteger(kvHeads) || kvHeads <= 0) throw new ModelError(`${src.path}: k_proj has ${k0.shape[0]} rows, not a multiple of the head dim ${headDim}`);
    if (heads % kvHeads !== 0) throw new ModelError(`${src.path}: ${kvHeads} key/value heads do not divide ${heads} query heads`);
    const layers = resolveLayers(src, cfgInt(cfg, 'num_hidden_layers'), new RegExp(`^${stack.replace(/\./g, '\\.')}(\\d+)\\.`));
    const kvDim = kvHeads * headDim;
    const qDim = heads * headDim;
    const lin = (tensor: string, shape: readonly [number, number]) => ({ tensor, stored: 'out_in' as const, shape });
    const spec = (l: number): LayerSpec => {
      const p = `${stack}${l}.`;
      return {
        q: lin(p + 'self_attn.q_proj.weight', [hidden, qDim]),
        k: lin(p + 'self_attn.k_proj.weight', [hidden, kvDim]),
        v: lin(p + 'self_attn.v_proj.weight', [hidden, kvDim]),
        o: lin(p + 'self_attn.o_proj.weight', [qDim, hidden]),
        heads,
        kvHeads,
        headDim,
        ffnIn: [lin(p + 'mlp.gate_proj.weight', [hidden, intermediate]), lin(p + 'mlp.up_proj.weight', [hidden, intermediate])],
        ffnOut: lin(p + 'mlp.down_proj.weight', [intermediate, hidden]),
      };
    };
    const t = cfg?.model_type;
    const notes = [
      'nn.Linear weights stored (out, in): row-vector matrices are their transposes',
      kvHeads === heads ? 'multi-head attention (as many key/value heads as query heads)' : `grouped-query attention: ${heads} query heads share ${kvHeads} key/value heads; query head h uses K/V head floor(h / ${heads / kvHeads})`,
      `gated feed-forward: M_in = [W_gate | W_up] (${hidden} × ${2 * intermediate}), M_out = W_down (${intermediate} × ${hidden})`,
      'rotary position embeddings (RoPE) rotate queries and keys per position; QK is the position-free bilinear form W_Q W_Kᵀ',
      'RMSNorm gains and any q/k/v biases (Qwen2) are left out',
      ...COMMON_NOTES,
    ];
    return new SpecAdapter(
      src,
      { architecture: typeof t === 'string' ? t : 'llama', layers, hidden, heads, headDim, intermediate, kvHeads, parameters: parameterCount(src), format: src.format },
      notes,
      spec,
    );
  },
};
