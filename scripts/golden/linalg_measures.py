#!/usr/bin/env python3
"""Golden measures for test/linalg/measures.test.ts (LinalgBackend.measureDense / measureProduct):
numpy on the FORMED matrix W (the product A @ B in float64 for factored cases): singular values
(np.linalg.svd, values only; the top min(m, k, n) for products), column norms
(np.linalg.norm(W, axis=0)), the (1,1)-norm (np.abs(W).sum()) and the Frobenius norm.

Writes test/fixtures/linalg/measures_cases.bin (inputs, little-endian, row-major, float32 cases as
float32) and measures_cases.json. Run: python3 scripts/golden/linalg_measures.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261203)
out_dir = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "linalg"
blob = bytearray()
cases = []


def put(a):
    a = np.ascontiguousarray(a)
    off = len(blob)
    blob.extend(a.astype(a.dtype.newbyteorder("<")).tobytes())
    return {"rows": a.shape[0], "cols": a.shape[1], "dtype": str(a.dtype), "offset": off}


def measures(w, k=None):
    s = np.linalg.svd(w, compute_uv=False)
    if k is not None:
        s = s[:k]
    c = 2.0 ** -np.ceil(np.log2(np.abs(w).max()))  # exact power-of-two scale: no overflow at 1e200
    return {"sv": [float(x) for x in s], "columnNorms": [float(x) for x in np.linalg.norm(w * c, axis=0) / c],
            "norm11": float(np.abs(w).sum()), "frobenius": float(np.linalg.norm(w * c) / c)}


def product(name, a, b):
    w = a.astype(np.float64) @ b.astype(np.float64)
    cases.append({"name": name, "a": put(a), "b": put(b), **measures(w, min(a.shape[0], a.shape[1], b.shape[1]))})


def dense(name, w):
    cases.append({"name": name, "a": put(w), **measures(w.astype(np.float64))})


product("head-like 120x10 . 10x110", rng.standard_normal((120, 10)), rng.standard_normal((10, 110)))
product("float32 96x8 . 8x130", rng.standard_normal((96, 8)).astype(np.float32), rng.standard_normal((8, 130)).astype(np.float32))
a = rng.standard_normal((100, 12))
a[:, 6:] = a[:, :6] @ rng.standard_normal((6, 6))  # rank 6 of 12: the product has 6 zero values
product("rank-deficient 100x12 . 12x90", a, rng.standard_normal((12, 90)))
product("huge 80x7 . 7x60 (x1e150 each)", rng.standard_normal((80, 7)) * 1e150, rng.standard_normal((7, 60)) * 1e-140)
product("graded 64x16 . 16x70", rng.standard_normal((64, 16)) * np.logspace(0, -9, 16)[None, :], rng.standard_normal((16, 70)))
product("inner not thin 30x40 . 40x50", rng.standard_normal((30, 40)), rng.standard_normal((40, 50)))
dense("dense tall 90x40", rng.standard_normal((90, 40)))
dense("dense wide 35x100", rng.standard_normal((35, 100)))
dense("dense float32 64x48", rng.standard_normal((64, 48)).astype(np.float32))
dense("dense huge 30x20 (x1e200)", rng.standard_normal((30, 20)) * 1e200)
dense("dense tiny 30x20 (x1e-200)", rng.standard_normal((30, 20)) * 1e-200)

(out_dir / "measures_cases.bin").write_bytes(bytes(blob))
(out_dir / "measures_cases.json").write_text(json.dumps({"numpy": np.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases, {len(blob)} bytes")
