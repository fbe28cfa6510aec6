#!/usr/bin/env python3
"""Independent golden values for src/nn, computed with PyTorch (Debian's python3-torch 1.13).

Run: /usr/bin/python3 scripts/golden/nn_torch.py  ->  test/fixtures/nn/torch_golden.json

The weights and inputs are drawn here (numpy, seeded), so nothing comes from the code under test.
Each case holds the TransformerRegressor's parameters (names as src/nn saves them, W stored
(out, in)), the input bags, targets, optional key mask, the forward output, the MSE loss, every
parameter gradient, and the parameters after one torch.optim.Adam step (lr 1e-2). A separate case
checks conv1d forward and gradients, and one checks xoshiro128** against a plain-Python reference.
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def gelu_tanh(x):
    return torch.nn.functional.gelu(x, approximate="tanh")


def model_forward(P, x, cfg, key_mask):
    """Pre-LN Transformer regressor written directly with torch ops (no genbound code)."""
    D, H, L = cfg["hidden"], cfg["heads"], cfg["layers"]
    dh = D // H
    act = gelu_tanh if cfg["act"] == "gelu" else torch.relu
    B, n, _ = x.shape
    h = x @ P["input.weight"].T + P["input.bias"]
    npr = cfg["prompt"]
    if npr > 0:
        h = torch.cat([P["prompt.weight"].unsqueeze(0).expand(B, npr, D), h], dim=1)
    T = h.shape[1]
    if key_mask is not None:
        km = torch.cat([torch.ones(B, npr, dtype=torch.bool), key_mask], dim=1)
    for i in range(L):
        pre = f"layers.{i}."
        z = torch.nn.functional.layer_norm(h, (D,), P[pre + "ln1.weight"], P[pre + "ln1.bias"], 1e-5)
        q = (z @ P[pre + "attn.q.weight"].T + P[pre + "attn.q.bias"]).view(B, T, H, dh).transpose(1, 2)
        k = (z @ P[pre + "attn.k.weight"].T + P[pre + "attn.k.bias"]).view(B, T, H, dh).transpose(1, 2)
        v = (z @ P[pre + "attn.v.weight"].T + P[pre + "attn.v.bias"]).view(B, T, H, dh).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if key_mask is not None:
            s = s.masked_fill(~km[:, None, None, :], float("-inf"))
        a = torch.softmax(s, dim=-1) @ v
        a = a.transpose(1, 2).reshape(B, T, D)
        h = h + a @ P[pre + "attn.o.weight"].T + P[pre + "attn.o.bias"]
        z = torch.nn.functional.layer_norm(h, (D,), P[pre + "ln2.weight"], P[pre + "ln2.bias"], 1e-5)
        f = act(z @ P[pre + "ffn.in.weight"].T + P[pre + "ffn.in.bias"])
        h = h + f @ P[pre + "ffn.out.weight"].T + P[pre + "ffn.out.bias"]
    h = h[:, npr:, :]
    if key_mask is None:
        pooled = h.mean(dim=1)
    else:
        w = key_mask.to(h.dtype)
        pooled = (h * w[:, :, None]).sum(dim=1) / w.sum(dim=1, keepdim=True)
    return pooled @ P["head.weight"].T + P["head.bias"]


def param_shapes(cfg):
    D, F, d, L = cfg["hidden"], cfg["ffn"], cfg["input_dim"], cfg["layers"]
    s = {"input.weight": (D, d), "input.bias": (D,)}
    for i in range(L):
        p = f"layers.{i}."
        s[p + "ln1.weight"] = (D,)
        s[p + "ln1.bias"] = (D,)
        for m in "qkvo":
            s[p + f"attn.{m}.weight"] = (D, D)
            s[p + f"attn.{m}.bias"] = (D,)
        s[p + "ln2.weight"] = (D,)
        s[p + "ln2.bias"] = (D,)
        s[p + "ffn.in.weight"] = (F, D)
        s[p + "ffn.in.bias"] = (F,)
        s[p + "ffn.out.weight"] = (D, F)
        s[p + "ffn.out.bias"] = (D,)
    s["head.weight"] = (1, D)
    s["head.bias"] = (1,)
    if cfg["prompt"] > 0:
        s["prompt.weight"] = (cfg["prompt"], D)
    return s


def transformer_case(cfg, seed, masked):
    rng = np.random.default_rng(seed)
    P = {}
    for name, shape in param_shapes(cfg).items():
        scale = 0.5 if not name.endswith(("ln1.weight", "ln2.weight")) else 0.2
        base = 1.0 if name.endswith(("ln1.weight", "ln2.weight")) else 0.0
        P[name] = torch.tensor(base + scale * rng.uniform(-1, 1, size=shape), requires_grad=True)
    init = {k: v.detach().numpy().ravel().tolist() for k, v in P.items()}
    B, n = cfg["bags"], cfg["n"]
    x = torch.tensor(rng.normal(size=(B, n, cfg["input_dim"])))
    y = torch.tensor(rng.normal(size=(B, 1)))
    key_mask = None
    if masked:
        lengths = [n - (b % 3) for b in range(B)]
        key_mask = torch.tensor([[j < lengths[b] for j in range(n)] for b in range(B)])
    out = model_forward(P, x, cfg, key_mask)
    loss = torch.nn.functional.mse_loss(out, y)
    loss.backward()
    grads = {k: v.grad.detach().numpy().ravel().tolist() for k, v in P.items()}
    opt = torch.optim.Adam(list(P.values()), lr=1e-2)
    opt.step()
    return {
        "config": cfg,
        "params": init,
        "x": x.numpy().ravel().tolist(),
        "y": y.numpy().ravel().tolist(),
        "key_mask": None if key_mask is None else key_mask.numpy().astype(int).ravel().tolist(),
        "out": out.detach().numpy().ravel().tolist(),
        "loss": float(loss),
        "grads": grads,
        "after_adam": {k: v.detach().numpy().ravel().tolist() for k, v in P.items()},
    }


def conv_case(seed):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(2, 3, 9)), requires_grad=True)
    w = torch.tensor(rng.normal(size=(4, 3, 3)), requires_grad=True)
    b = torch.tensor(rng.normal(size=(4,)), requires_grad=True)
    y = torch.nn.functional.conv1d(x, w, b, stride=2, padding=1)
    gy = torch.tensor(rng.normal(size=tuple(y.shape)))
    (y * gy).sum().backward()
    return {
        "x": x.detach().numpy().ravel().tolist(), "x_shape": list(x.shape),
        "w": w.detach().numpy().ravel().tolist(), "w_shape": list(w.shape),
        "b": b.detach().numpy().ravel().tolist(), "stride": 2, "padding": 1,
        "y": y.detach().numpy().ravel().tolist(), "y_shape": list(y.shape),
        "gy": gy.numpy().ravel().tolist(),
        "gx": x.grad.numpy().ravel().tolist(), "gw": w.grad.numpy().ravel().tolist(), "gb": b.grad.numpy().ravel().tolist(),
    }


def xoshiro128ss(seed, count):
    """xoshiro128** 1.1 seeded by four splitmix32 outputs, in plain Python integers."""
    M = 0xFFFFFFFF
    x = seed & M
    st = []
    for _ in range(4):
        x = (x + 0x9E3779B9) & M
        z = x
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
        st.append((z ^ (z >> 16)) & M)
    rotl = lambda v, k: ((v << k) | (v >> (32 - k))) & M
    out = []
    for _ in range(count):
        res = (rotl((st[1] * 5) & M, 7) * 9) & M
        t = (st[1] << 9) & M
        st[2] ^= st[0]
        st[3] ^= st[1]
        st[1] ^= st[2]
        st[0] ^= st[3]
        st[2] ^= t
        st[3] = rotl(st[3], 11)
        out.append(res)
    return out


def main():
    cfg_a = {"input_dim": 2, "hidden": 8, "heads": 2, "layers": 2, "ffn": 16, "act": "gelu", "prompt": 0, "bags": 3, "n": 5}
    cfg_b = {"input_dim": 3, "hidden": 8, "heads": 4, "layers": 1, "ffn": 12, "act": "relu", "prompt": 2, "bags": 4, "n": 6}
    # Longer bags (37 = 2·16 + 5 keys, masked to 37/36/35) so the native kernels' 16-lane softmax
    # bodies and their scalar tails are both checked against PyTorch, not only the tails.
    cfg_c = {"input_dim": 2, "hidden": 16, "heads": 1, "layers": 1, "ffn": 24, "act": "gelu", "prompt": 0, "bags": 3, "n": 37}
    cases = []
    for cfg, seed, masked in [(cfg_a, 11, False), (cfg_b, 12, True), (cfg_c, 14, True)]:
        cases.append(transformer_case(cfg, seed, masked))
    golden = {
        "torch_version": torch.__version__,
        "transformer": cases,
        "conv1d": conv_case(13),
        "xoshiro128ss": {"seed": 42, "outputs": xoshiro128ss(42, 8), "seed2": 0, "outputs2": xoshiro128ss(0, 4)},
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "nn", "torch_golden.json")
    with open(path, "w") as f:
        json.dump(golden, f)
    print(f"wrote {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
