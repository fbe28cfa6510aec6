import { ggufCount, ggufPerLayerCount, ggufString, type GgufMetadata } from './metadata.js';

/**
 * Hugging Face names and config for GGUF files of LLaMA-family decoders, so that the LLaMA
 * adapter (src/models/llama.ts) reads llama.cpp's files as it reads safetensors checkpoints.
 * llama.cpp's converter (convert_hf_to_gguf.py) renames tensors to `blk.{i}.attn_q.weight` …
 * and moves config.json's numbers into `{arch}.embedding_length` … keys; this inverts both.
 *
 * It also permutes the rows of Q and K within each head (RoPE layout). The theory's matrices
 * do not see that: QK_h = W_Q,h W_K,hᵀ has the same row permutation on both factors, and V, O
 * and the FFN are stored unpermuted (checked against numpy in test/models/gguf.test.ts).
 */

/** GGUF `general.architecture` -> Hugging Face model_type, for the families the LLaMA adapter reads. */
const ARCHS: Readonly<Record<string, string>> = { llama: 'llama', mistral: 'mistral', qwen2: 'qwen2', qwen3: 'qwen3', phi3: 'phi3' };

/** llama.cpp tensor name (without blk.{i}. and .weight/.bias) -> Hugging Face module name. */
const LAYER: Readonly<Record<string, string>> = {
  attn_norm: 'input_layernorm',
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_qkv: 'self_attn.qkv_proj',
  attn_output: 'self_attn.o_proj',
  attn_q_norm: 'self_attn.q_norm',
  attn_k_norm: 'self_attn.k_norm',
  ffn_norm: 'post_attention_layernorm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
};
const GLOBAL: Readonly<Record<string, string>> = { token_embd: 'model.embed_tokens', output_norm: 'model.norm', output: 'lm_head' };

export interface HfView {
  /** config.json keys recovered from the GGUF metadata. */
  config: Record<string, unknown>;
  /** Hugging Face name -> GGUF name. */
  aliases: Map<string, string>;
}

/**
 * The Hugging Face view of a GGUF file's names and metadata; undefined for other architectures.
 * The metadata it reads is typed (metadata.ts): a size or count stored as a string, a float, a
 * negative or too large number, or an array of the wrong kind is a one-line error naming `file`
 * and the key, not a silently missing config field.
 */
export function hfView(md: GgufMetadata, names: readonly string[], file: string): HfView | undefined {
  const arch = ggufString(md, 'general.architecture', file);
  if (arch === undefined || !(arch in ARCHS)) return undefined;
  const count = (key: string) => ggufCount(md, `${arch}.${key}`, file);
  const layers = count('block_count');
  const perLayer = (key: string, what: string) => ggufPerLayerCount(md, `${arch}.${key}`, file, what, layers);
  const hidden = count('embedding_length');
  const heads = perLayer('attention.head_count', 'head counts');
  const keyLength = count('attention.key_length');
  const found: Record<string, number | undefined> = {
    hidden_size: hidden,
    num_hidden_layers: layers,
    intermediate_size: perLayer('feed_forward_length', 'feed-forward lengths'),
    num_attention_heads: heads,
    num_key_value_heads: perLayer('attention.head_count_kv', 'key-value head counts'),
  };
  const config: Record<string, unknown> = { model_type: ARCHS[arch] };
  for (const [k, v] of Object.entries(found)) if (v !== undefined) config[k] = v;
  if (keyLength !== undefined && hidden !== undefined && heads !== undefined && keyLength * heads !== hidden) config.head_dim = keyLength;

  // Phi-3 files keep gate and up stacked in ffn_up (there is no ffn_gate).
  const fusedUp = names.some((n) => /\.attn_qkv\.weight$/.test(n)) && !names.some((n) => /\.ffn_gate\.weight$/.test(n));
  const aliases = new Map<string, string>();
  const present = new Set(names);
  for (const name of names) {
    const m = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(name);
    let hf: string | undefined;
    if (m) {
      const mod = m[2] === 'ffn_up' && fusedUp ? 'mlp.gate_up_proj' : LAYER[m[2]];
      if (mod) hf = `model.layers.${m[1]}.${mod}.${m[3]}`;
    } else {
      const g = /^([a-z_]+)\.(weight|bias)$/.exec(name);
      if (g && GLOBAL[g[1]]) hf = `${GLOBAL[g[1]]}.${g[2]}`;
    }
    if (hf !== undefined && !present.has(hf)) aliases.set(hf, name);
  }
  return { config, aliases };
}
