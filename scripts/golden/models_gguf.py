#!/usr/bin/env python3
"""A small LLaMA (grouped-query attention) as llama.cpp's converter writes it to GGUF, for the GGUF
name/config mapping (src/io/formats/gguf/names.ts, test/models/gguf.test.ts), with numpy's summaries of
every theory matrix computed from the Hugging Face-layout weights.

As convert_hf_to_gguf.py does, Q and K rows are permuted within each head (its LlamaModel.permute,
for the RoPE layout); QK = W_Q,h W_K,hᵀ is unchanged by that (the same row permutation on both
factors), which the test relies on. ffn_up of layer 1 is stored as Q8_0 (gguf-py's quantizer), and
its expected values use gguf-py's dequantization.
  pip install --no-index --find-links /opt/pypi/files gguf==0.19.0
  python3 scripts/golden/models_gguf.py   (writes test/fixtures/models/gguf-llama/)
"""
import json
import os

import numpy as np
import gguf
from gguf.quants import dequantize, quantize

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'models', 'gguf-llama')
rng = np.random.default_rng(5)
N, I, L, H, KV, D = 32, 64, 2, 4, 2, 8


def permute(w, n_head, n_head_kv):  # convert_hf_to_gguf.py, LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def summary(m):
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'e10': float(m[1, 0])}


os.makedirs(OUT, exist_ok=True)
w = gguf.GGUFWriter(os.path.join(OUT, 'model.gguf'), 'llama')
w.add_name('tiny llama')
w.add_block_count(L)
w.add_context_length(64)
w.add_embedding_length(N)
w.add_feed_forward_length(I)
w.add_head_count(H)
w.add_head_count_kv(KV)
w.add_rope_freq_base(10000.0)
r = lambda *s: rng.standard_normal(s).astype(np.float32)
emb = r(40, N)
w.add_tensor('token_embd.weight', emb)
params = emb.size
layers = []
for l in range(L):
    hf = {'q': r(H * D, N), 'k': r(KV * D, N), 'v': r(KV * D, N), 'o': r(N, H * D), 'gate': r(I, N), 'up': r(I, N), 'down': r(N, I)}
    norm = r(N)
    p = f'blk.{l}.'
    w.add_tensor(p + 'attn_norm.weight', norm)
    w.add_tensor(p + 'attn_q.weight', permute(hf['q'], H, H))
    w.add_tensor(p + 'attn_k.weight', permute(hf['k'], H, KV))
    w.add_tensor(p + 'attn_v.weight', hf['v'])
    w.add_tensor(p + 'attn_output.weight', hf['o'])
    w.add_tensor(p + 'ffn_gate.weight', hf['gate'])
    if l == 1:
        qd = quantize(hf['up'], gguf.GGMLQuantizationType.Q8_0)
        w.add_tensor(p + 'ffn_up.weight', qd, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        hf['up'] = dequantize(qd, gguf.GGMLQuantizationType.Q8_0)
    else:
        w.add_tensor(p + 'ffn_up.weight', hf['up'])
    w.add_tensor(p + 'ffn_down.weight', hf['down'])
    params += norm.size + sum(x.size for x in hf.values())
    rv = {k: v.astype(np.float64).T for k, v in hf.items()}  # row-vector matrices
    hs = []
    for h in range(H):
        qc, kc = slice(h * D, (h + 1) * D), slice((h // (H // KV)) * D, (h // (H // KV) + 1) * D)
        hs.append({'QK': summary(rv['q'][:, qc] @ rv['k'][:, kc].T), 'V_tilde': summary(rv['v'][:, kc] @ rv['o'][qc, :])})
    layers.append({'heads': hs, 'M_in': summary(np.hstack([rv['gate'], rv['up']])), 'M_out': summary(rv['down'])})
out_norm = r(N)
w.add_tensor('output_norm.weight', out_norm)
params += out_norm.size
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
json.dump({'layers': L, 'hidden': N, 'heads': H, 'kvHeads': KV, 'headDim': D, 'intermediate': I, 'params': int(params), 'expected': layers},
          open(os.path.join(OUT, 'expected.json'), 'w'), indent=1)
print('wrote', OUT)
