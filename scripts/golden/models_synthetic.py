"""Golden values for genbound's architecture adapters (test/models/adapters.test.ts).

Writes small checkpoints with seeded random weights, one per architecture (safetensors written
by hand here, plus config.json), and, computed independently with numpy from the stored arrays
and the formulas of shared/spec/spectrum-adaptive-bound.md, the expected theory matrices:
  QK_h = Wq_rv[:, q-head cols] @ Wk_rv[:, kv-head cols].T,  V_tilde_h = Wv_rv[:, kv cols] @ Wo_rv[q rows, :]
  M_in = W_in_rv (LLaMA: [W_gate_rv | W_up_rv]),  M_out = W_out_rv
with W_rv the row-vector matrix (nn.Linear weight transposed; GPT-2 Conv1D as stored).
Run: python3 scripts/golden/models_synthetic.py   (writes test/fixtures/models/synthetic/)
"""
import json, os, struct
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'models', 'synthetic')
rng = np.random.default_rng(20261122)
DT = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16}


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr.astype(DT[dtype])).astype('<' + np.dtype(DT[dtype]).str[1:]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def stored(tensors, dtype):
    """The values as the file holds them (rounded to the file's dtype), in float64."""
    return {k: v.astype(DT[dtype]).astype(np.float64) for k, v in tensors.items()}


def summary(m):
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'e10': float(m[1, 0])}


def expected(L, heads, kv, d, get):
    """get(l) -> dict of row-vector matrices q, k, v, o, min, mout."""
    layers = []
    for l in range(L):
        w = get(l)
        g = heads // kv
        hs = []
        for h in range(heads):
            qc = slice(h * d, (h + 1) * d)
            kc = slice((h // g) * d, (h // g + 1) * d)
            hs.append({'QK': summary(w['q'][:, qc] @ w['k'][:, kc].T), 'V_tilde': summary(w['v'][:, kc] @ w['o'][qc, :])})
        layers.append({'heads': hs, 'M_in': summary(w['min']), 'M_out': summary(w['mout'])})
    return layers


def rnd(*shape):
    return rng.standard_normal(shape)


models = {}


def hf_encoder(name, prefix, names, config, dtype, hidden, inter, L, heads, extra=None):
    t = {}
    for l in range(L):
        p = f'{prefix}{l}.'
        for role in ('q', 'k', 'v', 'o'):
            t[p + names[role]] = rnd(hidden, hidden)
            t[p + names[role].replace('weight', 'bias')] = rnd(hidden)
        t[p + names['in']] = rnd(inter, hidden)
        t[p + names['out']] = rnd(hidden, inter)
    t.update(extra or {})
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, 'model.safetensors'), t, dtype)
    if config is not None:
        json.dump(config, open(os.path.join(folder, 'config.json'), 'w'), indent=1)
    s = stored(t, dtype)
    get = lambda l: {r: s[f'{prefix}{l}.' + names[r]].T for r in ('q', 'k', 'v', 'o')} | {'min': s[f'{prefix}{l}.' + names['in']].T, 'mout': s[f'{prefix}{l}.' + names['out']].T}
    models[name] = {'layers': L, 'hidden': hidden, 'heads': heads, 'intermediate': inter, 'params': int(sum(v.size for v in t.values())), 'expected': expected(L, heads, heads, hidden // heads, get)}


BERT = {'q': 'attention.self.query.weight', 'k': 'attention.self.key.weight', 'v': 'attention.self.value.weight', 'o': 'attention.output.dense.weight', 'in': 'intermediate.dense.weight', 'out': 'output.dense.weight'}
hf_encoder('bert', 'bert.encoder.layer.', BERT, {'model_type': 'bert', 'hidden_size': 8, 'num_attention_heads': 2, 'num_hidden_layers': 2, 'intermediate_size': 12}, 'F32', 8, 12, 2, 2,
           {'bert.embeddings.word_embeddings.weight': rnd(20, 8)})
# No config.json: detected from tensor names; the head count comes from the test (--heads 2).
hf_encoder('roberta-noconfig', 'roberta.encoder.layer.', BERT, None, 'F64', 8, 16, 3, 2)
DISTIL = {'q': 'attention.q_lin.weight', 'k': 'attention.k_lin.weight', 'v': 'attention.v_lin.weight', 'o': 'attention.out_lin.weight', 'in': 'ffn.lin1.weight', 'out': 'ffn.lin2.weight'}
hf_encoder('distilbert', 'distilbert.transformer.layer.', DISTIL, {'model_type': 'distilbert', 'dim': 8, 'n_heads': 4, 'n_layers': 2, 'hidden_dim': 12}, 'F32', 8, 12, 2, 4)
VIT = dict(BERT, q='attention.attention.query.weight', k='attention.attention.key.weight', v='attention.attention.value.weight')
hf_encoder('vit', 'vit.encoder.layer.', VIT, {'model_type': 'vit', 'hidden_size': 8, 'num_attention_heads': 2, 'num_hidden_layers': 1, 'intermediate_size': 12}, 'F32', 8, 12, 1, 2)
GB = {'q': 'attn.q.weight', 'k': 'attn.k.weight', 'v': 'attn.v.weight', 'o': 'attn.o.weight', 'in': 'ffn.in.weight', 'out': 'ffn.out.weight'}
hf_encoder('genbound', 'layers.', GB, {'model_type': 'genbound-transformer', 'hidden_size': 8, 'num_attention_heads': 2, 'num_hidden_layers': 2, 'intermediate_size': 16, 'input_dim': 3}, 'F64', 8, 16, 2, 2,
           {'input.weight': rnd(8, 3), 'head.weight': rnd(1, 8)})

# GPT-2: Conv1D weights stored (in, out), fused c_attn; F16 storage.
N, I, L, H = 8, 32, 2, 2
t = {}
for l in range(L):
    p = f'transformer.h.{l}.'
    t[p + 'attn.c_attn.weight'] = rnd(N, 3 * N) * 0.5
    t[p + 'attn.c_proj.weight'] = rnd(N, N) * 0.5
    t[p + 'mlp.c_fc.weight'] = rnd(N, I) * 0.5
    t[p + 'mlp.c_proj.weight'] = rnd(I, N) * 0.5
os.makedirs(os.path.join(OUT, 'gpt2'), exist_ok=True)
write_safetensors(os.path.join(OUT, 'gpt2', 'model.safetensors'), t, 'F16')
json.dump({'model_type': 'gpt2', 'n_embd': N, 'n_head': H, 'n_layer': L, 'n_inner': None}, open(os.path.join(OUT, 'gpt2', 'config.json'), 'w'))
s = stored(t, 'F16')
def gpt2_get(l):
    p = f'transformer.h.{l}.'
    a = s[p + 'attn.c_attn.weight']
    return {'q': a[:, :N], 'k': a[:, N:2 * N], 'v': a[:, 2 * N:], 'o': s[p + 'attn.c_proj.weight'], 'min': s[p + 'mlp.c_fc.weight'], 'mout': s[p + 'mlp.c_proj.weight']}
models['gpt2'] = {'layers': L, 'hidden': N, 'heads': H, 'intermediate': I, 'params': int(sum(v.size for v in t.values())), 'expected': expected(L, H, H, N // H, gpt2_get)}

# LLaMA with grouped-query attention: 4 query heads, 2 key/value heads, head dim 2.
N, I, L, H, KV, D = 8, 10, 2, 4, 2, 2
t = {}
for l in range(L):
    p = f'model.layers.{l}.'
    t[p + 'self_attn.q_proj.weight'] = rnd(H * D, N)
    t[p + 'self_attn.k_proj.weight'] = rnd(KV * D, N)
    t[p + 'self_attn.v_proj.weight'] = rnd(KV * D, N)
    t[p + 'self_attn.o_proj.weight'] = rnd(N, H * D)
    t[p + 'mlp.gate_proj.weight'] = rnd(I, N)
    t[p + 'mlp.up_proj.weight'] = rnd(I, N)
    t[p + 'mlp.down_proj.weight'] = rnd(N, I)
    t[p + 'input_layernorm.weight'] = rnd(N)
t['model.embed_tokens.weight'] = rnd(16, N)
os.makedirs(os.path.join(OUT, 'llama'), exist_ok=True)
write_safetensors(os.path.join(OUT, 'llama', 'model.safetensors'), t, 'F32')
json.dump({'model_type': 'llama', 'hidden_size': N, 'num_attention_heads': H, 'num_key_value_heads': KV, 'num_hidden_layers': L, 'intermediate_size': I}, open(os.path.join(OUT, 'llama', 'config.json'), 'w'))
s = stored(t, 'F32')
def llama_get(l):
    p = f'model.layers.{l}.'
    w = lambda n: s[p + n].T
    return {'q': w('self_attn.q_proj.weight'), 'k': w('self_attn.k_proj.weight'), 'v': w('self_attn.v_proj.weight'), 'o': w('self_attn.o_proj.weight'),
            'min': np.hstack([w('mlp.gate_proj.weight'), w('mlp.up_proj.weight')]), 'mout': w('mlp.down_proj.weight')}
models['llama'] = {'layers': L, 'hidden': N, 'heads': H, 'kvHeads': KV, 'intermediate': I, 'params': int(sum(v.size for v in t.values())), 'expected': expected(L, H, KV, D, llama_get)}

# Phi-3: fused qkv_proj (rows [Q; K; V]) and gate_up_proj (rows [gate; up]); GQA 4 heads / 2 kv heads.
N, I, L, H, KV, D = 8, 6, 1, 4, 2, 2
t = {}
for l in range(L):
    p = f'model.layers.{l}.'
    t[p + 'self_attn.qkv_proj.weight'] = rnd((H + 2 * KV) * D, N)
    t[p + 'self_attn.o_proj.weight'] = rnd(N, H * D)
    t[p + 'mlp.gate_up_proj.weight'] = rnd(2 * I, N)
    t[p + 'mlp.down_proj.weight'] = rnd(N, I)
os.makedirs(os.path.join(OUT, 'phi3'), exist_ok=True)
write_safetensors(os.path.join(OUT, 'phi3', 'model.safetensors'), t, 'F32')
json.dump({'model_type': 'phi3', 'hidden_size': N, 'num_attention_heads': H, 'num_key_value_heads': KV, 'num_hidden_layers': L, 'intermediate_size': I}, open(os.path.join(OUT, 'phi3', 'config.json'), 'w'))
s = stored(t, 'F32')
def phi3_get(l):
    p = f'model.layers.{l}.'
    qkv = s[p + 'self_attn.qkv_proj.weight']
    gu = s[p + 'mlp.gate_up_proj.weight']
    return {'q': qkv[:H * D].T, 'k': qkv[H * D:(H + KV) * D].T, 'v': qkv[(H + KV) * D:].T, 'o': s[p + 'self_attn.o_proj.weight'].T,
            'min': np.hstack([gu[:I].T, gu[I:].T]), 'mout': s[p + 'mlp.down_proj.weight'].T}
models['phi3'] = {'layers': L, 'hidden': N, 'heads': H, 'kvHeads': KV, 'intermediate': I, 'params': int(sum(v.size for v in t.values())), 'expected': expected(L, H, KV, D, phi3_get)}

json.dump(models, open(os.path.join(OUT, 'expected.json'), 'w'), indent=1)
print('wrote', sorted(models))
