#!/usr/bin/env python3
"""End-to-end fixtures for `genbound analyze`: BERT-, GPT-2- and LLaMA-shaped (GQA) checkpoints with
constructed spectra at mixed scales, written as safetensors by hand (8-byte LE header length, JSON
header, raw little-endian data) in F32, F16 and BF16, plus an initial checkpoint for --init and a
PEFT LoRA adapter. The expected numbers are computed here with numpy from the theory's dense
matrices (analyze_theory.py), from the values AS STORED (after F16/BF16 rounding).
Writes test/fixtures/analyze/e2e/. Run: python3 scripts/golden/analyze_e2e.py
"""
import json, os, shutil, struct, sys
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from analyze_theory import analyse, matrix_quantities  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "analyze", "e2e")
rng = np.random.default_rng(7)


def orth(n, k):
    q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    return q


def spectral(rows, cols, top, bottom):
    k = min(rows, cols)
    return orth(rows, k) @ np.diag(np.geomspace(top, bottom, k)) @ orth(cols, k).T


def store(x, dtype):
    """Round float64 -> stored dtype; return (bytes, values as float64 exactly as decoded)."""
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    if dtype == "F32":
        return x32.tobytes(), x32.astype(np.float64)
    if dtype == "F16":
        h = x32.astype(np.float16)
        return h.tobytes(), h.astype(np.float64)
    if dtype == "BF16":
        bits = x32.view(np.uint32).astype(np.uint64)
        r = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)  # round to nearest even
        return r.tobytes(), (r.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype):
    """tensors: dict name -> float64 array. Returns dict name -> decoded float64 array."""
    header, blobs, decoded, off = {}, [], {}, 0
    for name, arr in tensors.items():
        raw, dec = store(arr, dtype)
        header[name] = dict(dtype=dtype, shape=list(arr.shape), data_offsets=[off, off + len(raw)])
        blobs.append(raw)
        decoded[name] = dec.reshape(arr.shape)
        off += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    return decoded


def layer_scale(l):
    return [2.5, 0.08, 0.7, 1.0][l % 4]


# ---------- architectures: raw weights (HF storage) and the theory's matrices from them ----------

def bert_weights(L, N, H, F, seed_shift=0.0):
    t = {"bert.embeddings.word_embeddings.weight": rng.standard_normal((10, N)) * 0.02}
    d = N // H
    for l in range(L):
        c = layer_scale(l) * (1 + seed_shift)
        p = f"bert.encoder.layer.{l}."
        q = spectral(N, N, 2 * c, 0.01 * c)
        q[d:d + 2, :] = 0.0  # head 1 of Q has two zero rows: its QK has rank d - 2 exactly
        t[p + "attention.self.query.weight"] = q
        t[p + "attention.self.query.bias"] = np.zeros(N)
        t[p + "attention.self.key.weight"] = spectral(N, N, 1.5, 0.05)
        t[p + "attention.self.value.weight"] = spectral(N, N, c, 0.2 * c)
        t[p + "attention.output.dense.weight"] = spectral(N, N, 1.2, 0.3)
        t[p + "intermediate.dense.weight"] = spectral(F, N, 3 * c, 1e-3 * c)
        t[p + "output.dense.weight"] = spectral(N, F, 0.9 / max(c, 0.3), 0.4)
        t[p + "output.LayerNorm.weight"] = np.ones(N)
    return t


def bert_theory(w, L, N, H):
    d = N // H
    layers = []
    for l in range(L):
        p = f"bert.encoder.layer.{l}."
        q, k, v = (w[p + f"attention.self.{x}.weight"] for x in ("query", "key", "value"))
        o = w[p + "attention.output.dense.weight"]
        hs = [slice(h * d, (h + 1) * d) for h in range(H)]
        layers.append(dict(qk=[q[s].T @ k[s] for s in hs], v=[v[s].T @ o.T[s] for s in hs],
                           qk_params=[2 * N * d] * H, v_params=[2 * N * d] * H,
                           m_in=w[p + "intermediate.dense.weight"].T, m_out=w[p + "output.dense.weight"].T))
    return layers


def gpt2_weights(L, N, H, F):
    t = {"wte.weight": rng.standard_normal((10, N)) * 0.02}
    for l in range(L):
        c = layer_scale(l + 1)
        p = f"h.{l}."
        t[p + "attn.c_attn.weight"] = np.concatenate([spectral(N, N, 2 * c, 0.02), spectral(N, N, 1.0, 0.1), spectral(N, N, c, 0.1 * c)], axis=1)
        t[p + "attn.c_attn.bias"] = np.zeros(3 * N)
        t[p + "attn.c_proj.weight"] = spectral(N, N, 1.1, 0.2)
        t[p + "mlp.c_fc.weight"] = spectral(N, F, 2 * c, 1e-2)
        t[p + "mlp.c_proj.weight"] = spectral(F, N, 0.8, 0.1)
    return t


def gpt2_theory(w, L, N, H):
    d = N // H
    layers = []
    for l in range(L):
        p = f"h.{l}."
        a = w[p + "attn.c_attn.weight"]
        q, k, v = a[:, :N], a[:, N:2 * N], a[:, 2 * N:]
        o = w[p + "attn.c_proj.weight"]
        hs = [slice(h * d, (h + 1) * d) for h in range(H)]
        layers.append(dict(qk=[q[:, s] @ k[:, s].T for s in hs], v=[v[:, s] @ o[s, :] for s in hs],
                           qk_params=[2 * N * d] * H, v_params=[2 * N * d] * H,
                           m_in=w[p + "mlp.c_fc.weight"], m_out=w[p + "mlp.c_proj.weight"]))
    return layers


def llama_weights(L, N, H, KV, I):
    d = N // H
    t = {"model.embed_tokens.weight": rng.standard_normal((10, N)) * 0.02}
    for l in range(L):
        c = layer_scale(l + 2)
        p = f"model.layers.{l}."
        t[p + "self_attn.q_proj.weight"] = spectral(H * d, N, 2 * c, 0.01)
        t[p + "self_attn.k_proj.weight"] = spectral(KV * d, N, 1.0, 0.1)
        t[p + "self_attn.v_proj.weight"] = spectral(KV * d, N, c, 0.1)
        t[p + "self_attn.o_proj.weight"] = spectral(N, H * d, 1.0, 0.2)
        t[p + "mlp.gate_proj.weight"] = spectral(I, N, 2 * c, 1e-2)
        t[p + "mlp.up_proj.weight"] = spectral(I, N, c, 1e-2)
        t[p + "mlp.down_proj.weight"] = spectral(N, I, 0.7, 0.1)
        t[p + "input_layernorm.weight"] = np.ones(N)
    return t


def llama_theory(w, L, N, H, KV):
    d = N // H
    g = H // KV
    layers = []
    for l in range(L):
        p = f"model.layers.{l}."
        q, k, v, o = (w[p + f"self_attn.{x}_proj.weight"] for x in "qkvo")
        qk, vt = [], []
        for h in range(H):
            s, kvs = slice(h * d, (h + 1) * d), slice((h // g) * d, (h // g + 1) * d)
            qk.append(q[s].T @ k[kvs])
            vt.append(v[kvs].T @ o[:, s].T)
        m_in = np.concatenate([w[p + "mlp.gate_proj.weight"].T, w[p + "mlp.up_proj.weight"].T], axis=1)
        layers.append(dict(qk=qk, v=vt, qk_params=[2 * N * d] * H, v_params=[2 * N * d] * H, m_in=m_in,
                           m_out=w[p + "mlp.down_proj.weight"].T))
    return layers


def write_model(name, config, tensors, dtype):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    return write_safetensors(os.path.join(d, "model.safetensors"), tensors, dtype)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    expected = {}
    BL, BN, BH, BF = 3, 32, 4, 64
    bert_cfg = dict(model_type="bert", hidden_size=BN, num_attention_heads=BH, num_hidden_layers=BL, intermediate_size=BF)
    bert = bert_weights(BL, BN, BH, BF)
    for dt in ("F32", "F16", "BF16"):
        dec = write_model(f"bert-{dt.lower()}", bert_cfg, bert, dt)
        expected[f"bert-{dt.lower()}"] = analyse(bert_theory(dec, BL, BN, BH), BN)
    dec32 = write_model("bert-f32", bert_cfg, bert, "F32")  # same bytes as above; decoded copy for options
    expected["bert-f32-lphi1.5-m7"] = analyse(bert_theory(dec32, BL, BN, BH), BN, lphi=1.5, grid_m=7)
    popts = {m["pOpt"] for m in expected["bert-f32"]["matrices"]}
    assert 0.0 in popts and 2.0 in popts and any(0 < p < 2 for p in popts), popts
    ranks = {m["rank"] for m in expected["bert-f32"]["matrices"] if m["type"] == "QK"}
    assert ranks == {6, 8}, ranks

    # --init: W0 is another BERT of the same shape; expected from the dense differences.
    init = bert_weights(BL, BN, BH, BF, seed_shift=0.1)
    dec0 = write_model("bert-init", bert_cfg, init, "F32")
    # The update of each theory matrix: QK_h - QK0_h, V_tilde_h - V0_h, M - M0 (not products of updated weights).
    t1, t0 = bert_theory(dec32, BL, BN, BH), bert_theory(dec0, BL, BN, BH)
    diff = [dict(ly, qk=[a - b for a, b in zip(ly["qk"], l0["qk"])], v=[a - b for a, b in zip(ly["v"], l0["v"])],
                 m_in=ly["m_in"] - l0["m_in"], m_out=ly["m_out"] - l0["m_out"]) for ly, l0 in zip(t1, t0)]
    expected["bert-f32-minus-init"] = analyse(diff, BN)

    GL, GN, GH, GF = 2, 32, 4, 128
    gpt = gpt2_weights(GL, GN, GH, GF)
    dec = write_model("gpt2-f16", dict(model_type="gpt2", n_embd=GN, n_head=GH, n_layer=GL, n_inner=GF), gpt, "F16")
    expected["gpt2-f16"] = analyse(gpt2_theory(dec, GL, GN, GH), GN)

    LL, LN, LH, LKV, LI = 2, 32, 4, 2, 48
    lw = llama_weights(LL, LN, LH, LKV, LI)
    dec = write_model("llama-bf16", dict(model_type="llama", hidden_size=LN, num_attention_heads=LH, num_key_value_heads=LKV,
                                          num_hidden_layers=LL, intermediate_size=LI), lw, "BF16")
    expected["llama-bf16"] = analyse(llama_theory(dec, LL, LN, LH, LKV), LN)

    # PEFT LoRA adapter on bert-f32: query and value of every layer, r = 4, lora_alpha = 8.
    r, alpha = 4, 8
    lora, lora_dec = {}, {}
    for l in range(BL):
        for mod in ("query", "value"):
            base = f"base_model.model.bert.encoder.layer.{l}.attention.self.{mod}"
            lora[base + ".lora_A.weight"] = rng.standard_normal((r, BN)) * 0.3
            lora[base + ".lora_B.weight"] = rng.standard_normal((BN, r)) * 0.2
    d = os.path.join(OUT, "bert-lora")
    os.makedirs(d)
    lora_dec = write_safetensors(os.path.join(d, "adapter_model.safetensors"), lora, "F32")
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(dict(peft_type="LORA", r=r, lora_alpha=alpha, target_modules=["query", "value"], fan_in_fan_out=False,
                       base_model_name_or_path="bert-f32"), f, indent=1)
    scale = alpha / r
    alone = []
    merged = {k: v.copy() for k, v in dec32.items()}
    for l in range(BL):
        for mod in ("query", "value"):
            base = f"base_model.model.bert.encoder.layer.{l}.attention.self.{mod}"
            delta = scale * lora_dec[base + ".lora_B.weight"] @ lora_dec[base + ".lora_A.weight"]  # (out, in)
            q = matrix_quantities(delta.T)
            alone.append(dict(name=base, layer=l, rank=q["rank"], spectralNorm=q["spectralNorm"], frobeniusNorm=q["frobeniusNorm"],
                              nuclearNorm=q["nuclearNorm"], norm21=q["norm21"], norm11=q["norm11"], singularValues=q["sv"][:r].tolist()))
            merged[f"bert.encoder.layer.{l}.attention.self.{mod}.weight"] += delta
    expected["bert-lora-alone"] = dict(matrices=alone, paramCount=sum(v.size for v in lora.values()))
    expected["bert-lora-merged"] = analyse(bert_theory(merged, BL, BN, BH), BN)

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    print({k: v.get("bounds", {}).get("spectrumAdaptive") for k, v in expected.items()}, file=sys.stderr)


if __name__ == "__main__":
    main()
