#!/usr/bin/env python3
"""Golden spectral norms for test/linalg/spectral-norm.test.ts: numpy's largest singular value
(np.linalg.svd(A, compute_uv=False)[0], LAPACK dgesdd), on matrices chosen to stress a Lanczos
iteration: a graded spectrum, a top cluster sigma_1 ~ sigma_2 (1e-10 apart), an exactly repeated top
value, rank one, a single row / column, tall and wide Gaussian, a Gaussian square (no gap at the
top of the spectrum: slow convergence), and huge / tiny scales.

Writes test/fixtures/linalg/spectral_norm.bin (float64 little-endian, row-major, concatenated) and
spectral_norm.json (name, shape, byte offset, sigma_1). Run: python3 scripts/golden/linalg_spectral_norm.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261202)
out_dir = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "linalg"


def orth(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def constructed(m, n, s):
    k = len(s)
    return (orth(m)[:, :k] * s) @ orth(n)[:, :k].T


cases = [
    ("graded 96x64 (1e1 down to 1e-12)", constructed(96, 64, np.logspace(1, -12, 64))),
    ("clustered top 80x80 (1, 1-1e-10, 1-2e-10, ...)",
     constructed(80, 80, np.concatenate([[1.0, 1 - 1e-10, 1 - 2e-10], np.linspace(0.5, 0.01, 77)]))),
    ("repeated top 64x64 (2, 2, 2, ...)", constructed(64, 64, np.concatenate([[2.0, 2.0, 2.0], np.linspace(1, 0.1, 61)]))),
    ("rank one 100x60", np.outer(rng.standard_normal(100), rng.standard_normal(60)) * 3.7),
    ("row 1x300", rng.standard_normal((1, 300))),
    ("column 300x1", rng.standard_normal((300, 1))),
    ("gaussian tall 240x50", rng.standard_normal((240, 50))),
    ("gaussian wide 50x240", rng.standard_normal((50, 240))),
    ("gaussian square 128x128", rng.standard_normal((128, 128))),
]
base = rng.standard_normal((100, 64))
cases.append(("huge 100x64 (x1e200)", base * 1e200))
cases.append(("tiny 100x64 (x1e-200)", base * 1e-200))

blob = bytearray()
meta = []
for name, a in cases:
    a = np.ascontiguousarray(a, dtype="<f8")
    s = np.linalg.svd(a, compute_uv=False)
    meta.append({"name": name, "rows": a.shape[0], "cols": a.shape[1], "offset": len(blob), "sigma1": float(s[0]),
                 "sigma2": float(s[1]) if len(s) > 1 else 0.0})
    blob.extend(a.tobytes())

(out_dir / "spectral_norm.bin").write_bytes(bytes(blob))
(out_dir / "spectral_norm.json").write_text(json.dumps({"numpy": np.__version__, "cases": meta}, indent=1) + "\n")
print(f"wrote {len(meta)} cases, {len(blob)} bytes")
