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
const TYPES = ['llama', 'mistral', 'qwen2', 'qwen3', 'phi3'];

export const llamaFactory: AdapterFactory = {
  name: 'llama',
  detect(src) {
    const t = src.config?.model_type;
    if (typeof t === 'string') return TYPES.includes(t);
    const separate = findStackPrefix(src, 'layers.', 'self_attn.q_proj.weight') !== undefined && findStackPrefix(src, 'layers.', 'mlp.gate_proj.weight') !== undefined;
    return separate || (findStackPrefix(src, 'layers.', 'self_attn.qkv_proj.weight') !== undefined && findStackPrefix(src, 'layers.', 'mlp.gate_up_proj.weight') !== undefined);
  },
  create(src, opts) {
    // Phi-3 fuses q|k|v into self_attn.qkv_proj and gate|up into mlp.gate_up_proj (rows stacked).
    const fused = findStackPrefix(src, 'layers.', 'self_attn.q_proj.weight') === undefined;
    const stack = findStackPrefix(src, 'layers.', fused ? 'self_attn.qkv_proj.weight' : 'self_attn.q_proj.weight');
    if (!stack) throw new ModelError(`${src.path}: LLaMA-style model but no tensor named like layers.0.self_attn.q_proj.weight or layers.0.self_attn.qkv_proj.weight`);
    const cfg = src.config;
    const find = (s: string) => {
      const t = src.list().find((x) => x.name === `${stack}0.${s}`);
      if (!t || t.shape.length !== 2) throw new ModelError(`${src.path}: missing tensor ${stack}0.${s}`);
      return t.shape;
    };
    const hidden = cfgInt(cfg, 'hidden_size') ?? find(fused ? 'self_attn.qkv_proj.weight' : 'self_attn.q_proj.weight')[1];
    const intermediate = cfgInt(cfg, 'intermediate_size') ?? (fused ? find('mlp.gate_up_proj.weight')[0] / 2 : find('mlp.up_proj.weight')[0]);
    const explicitHeadDim = cfgInt(cfg, 'head_dim');
    const kvCfg = cfgInt(cfg, 'num_key_value_heads');
    const qkvRows = fused ? find('self_attn.qkv_proj.weight')[0] : 0;
    const qRows = fused ? undefined : find('self_attn.q_proj.weight')[0];
    // With an explicit head_dim (Qwen3) heads·d need not equal hidden; check against q_proj instead.
    const heads = resolveHeads(src, cfgInt(cfg, 'num_attention_heads'), opts, explicitHeadDim && qRows ? qRows : hidden, explicitHeadDim && qRows ? 'q_proj output size' : 'hidden size');
    const headDim = explicitHeadDim ?? hidden / heads;
    if (qRows !== undefined && qRows !== heads * headDim) throw new ModelError(`${src.path}: q_proj has ${qRows} rows but ${heads} heads × ${headDim} = ${heads * headDim}`);
    const kRows = fused ? (qkvRows - heads * headDim) / 2 : find('self_attn.k_proj.weight')[0];
    const kvHeads = kvCfg ?? kRows / headDim;
    if (!Number.isInteger(kvHeads) || kvHeads <= 0) throw new ModelError(`${src.path}: ${fused ? 'qkv_proj' : 'k_proj'} has ${fused ? qkvRows : kRows} rows, which does not fit ${heads} query heads of ${headDim} plus whole key/value heads`);
    if (heads % kvHeads !== 0) throw new ModelError(`${src.path}: ${kvHeads} key/value heads do not divide ${heads} query heads`);
    const layers = resolveLayers(src, cfgInt(cfg, 'num_hidden_layers'), new RegExp(`^${stack.replace(/\./g, '\\.')}(\\d+)\\.`));
    const kvDim = kvHeads * headDim;
    const qDim = heads * headDim;
    const lin = (tensor: string, shape: readonly [number, number]) => ({ tensor, stored: 'out_in' as const, shape });
    const spec = (l: number): LayerSpec => {
      const p = `${stack}${l}.`;
      if (fused) {
        const qkv = p + 'self_attn.qkv_proj.weight';
        const all = [hidden, qDim + 2 * kvDim] as const;
        const gu = p + 'mlp.gate_up_proj.weight';
        return {
          q: { ...lin(qkv, all), cols: [0, qDim] },
          k: { ...lin(qkv, all), cols: [qDim, qDim + kvDim] },
          v: { ...lin(qkv, all), cols: [qDim + kvDim, qDim + 2 * kvDim] },
          o: lin(p + 'self_attn.o_proj.weight', [qDim, hidden]),
          heads,
          kvHeads,
          headDim,
          ffnIn: [lin(gu, [hidden, 2 * intermediate])],
          ffnOut: lin(p + 'mlp.down_proj.weight', [intermediate, hidden]),
        };
      }
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
      ...(fused ? ['Phi-3 fused weights: qkv_proj rows are [Q; K; V], gate_up_proj rows are [gate; up], so M_in = gate_up_projᵀ = [W_gate | W_up]'] : []),
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
