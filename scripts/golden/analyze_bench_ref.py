#!/usr/bin/env python3
"""Reference for bench/analyze.bench.ts: the numpy pipeline genbound analyze is timed against.

  python3 scripts/golden/analyze_bench_ref.py generate DIR [LAYERS]   writes a BERT-base-shaped checkpoint
        (12 layers, width 768, 12 heads, FFN 3072; F32 safetensors + config.json; random weights
        with decaying spectra, about 340 MB)
  python3 scripts/golden/analyze_bench_ref.py reference DIR  reads it with numpy and runs a FULL
        dense SVD on every per-head product (QK_h, V_tilde_h, 768 x 768) and every feed-forward
        matrix, then every bound (analyze_theory.analyse); prints JSON {seconds, user, sys, numpy,
        blas (OpenBLAS config, the core it chose, threads), bounds}.
"""
import json, os, struct, sys, time
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from analyze_theory import analyse  # noqa: E402

L, N, H, F = 12, 768, 12, 3072


def generate(d, layers=L):
    rng = np.random.default_rng(0)
    os.makedirs(d, exist_ok=True)
    names = []
    for l in range(layers):
        p = f"bert.encoder.layer.{l}."
        for n, shape in (("attention.self.query.weight", (N, N)), ("attention.self.key.weight", (N, N)),
                         ("attention.self.value.weight", (N, N)), ("attention.output.dense.weight", (N, N)),
                         ("intermediate.dense.weight", (F, N)), ("output.dense.weight", (N, F))):
            names.append((p + n, shape))
    header, off = {}, 0
    for n, shape in names:
        size = shape[0] * shape[1] * 4
        header[n] = dict(dtype="F32", shape=list(shape), data_offsets=[off, off + size])
        off += size
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(d, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for n, shape in names:
            # Gaussian init times a power-law column scaling: a decaying, full-rank spectrum.
            w = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.04)
            w *= (np.arange(1, shape[1] + 1, dtype=np.float32) ** np.float32(-0.3))[None, :] * np.float32(3)
            f.write(w.astype("<f4").tobytes())
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(dict(model_type="bert", hidden_size=N, num_attention_heads=H, num_hidden_layers=layers, intermediate_size=F), f)


def load(d):
    path = os.path.join(d, "model.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(raw[a:b], dtype="<f4").reshape(v["shape"]).astype(np.float64)
    return out


def blas_info():
    """numpy's OpenBLAS: version/config, the kernel core it picked at run time, and its threads."""
    try:
        import ctypes, glob
        libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "libscipy_openblas*.so*"))
        for lib in libs:
            d = ctypes.CDLL(lib)
            for suffix in ("scipy_openblas_get_{}64_", "openblas_get_{}64_", "openblas_get_{}"):
                try:
                    core, conf, thr = (getattr(d, suffix.format(x)) for x in ("corename", "config", "num_threads"))
                except AttributeError:
                    continue
                core.restype = conf.restype = ctypes.c_char_p
                return f"{conf().decode()}; core {core().decode()}; threads {thr()}"
    except OSError:
        pass
    cfg = np.show_config(mode="dicts") or {}
    return str(cfg.get("Build Dependencies", {}).get("blas", {}).get("openblas configuration", "unknown BLAS"))


def reference(d):
    t0 = time.perf_counter()
    c0 = os.times()
    w = load(d)
    with open(os.path.join(d, "config.json")) as f:
        depth = json.load(f)["num_hidden_layers"]
    d_head = N // H
    layers = []
    for l in range(depth):
        p = f"bert.encoder.layer.{l}."
        q, k, v = (w[p + f"attention.self.{x}.weight"] for x in ("query", "key", "value"))
        o = w[p + "attention.output.dense.weight"]
        hs = [slice(h * d_head, (h + 1) * d_head) for h in range(H)]
        layers.append(dict(qk=[q[s].T @ k[s] for s in hs], v=[v[s].T @ o.T[s] for s in hs],
                           qk_params=[2 * N * d_head] * H, v_params=[2 * N * d_head] * H,
                           m_in=w[p + "intermediate.dense.weight"].T, m_out=w[p + "output.dense.weight"].T))
    r = analyse(layers, N)
    c1 = os.times()
    print(json.dumps(dict(seconds=time.perf_counter() - t0, user=c1.user - c0.user, sys=c1.system - c0.system,
                          numpy=np.__version__, blas=blas_info(), bounds=r["bounds"])))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else L)
    else:
        reference(sys.argv[2])
