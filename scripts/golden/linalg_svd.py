#!/usr/bin/env python3
"""Golden singular values for test/linalg: numpy/LAPACK (np.linalg.svd(A, compute_uv=False)).

Writes test/fixtures/linalg/svd_cases.bin (every matrix, float64 little-endian, row-major,
concatenated; float32 cases as float32) and svd_cases.json (for each case: name, shape, dtype,
byte offset, numpy's singular values, numpy's numerical rank with matrix_rank's default tolerance
sigma_1 * max(m, n) * eps). Run: python3 scripts/golden/linalg_svd.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261122)
out_dir = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "linalg"
out_dir.mkdir(parents=True, exist_ok=True)


def orth(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def constructed(m, n, s):
    """U diag(s) V^T with Haar-like random orthogonal U (m x m) and V (n x n)."""
    k = len(s)
    return (orth(m)[:, :k] * s) @ orth(n)[:, :k].T


cases = []
cases.append(("gaussian tall 80x50", rng.standard_normal((80, 50))))
cases.append(("gaussian wide 30x90", rng.standard_normal((30, 90))))
cases.append(("near square wide 50x60", rng.standard_normal((50, 60))))
cases.append(("graded 64x64 down to 1e-12", constructed(64, 64, np.logspace(0, -12, 64))))
cases.append(("graded tall 70x40 down to 1e-12", constructed(70, 40, np.logspace(2, -10, 40))))
cases.append(("exact rank 24 of 96x96", rng.standard_normal((96, 24)) @ rng.standard_normal((24, 96))))
cases.append(("very tall 240x16", rng.standard_normal((240, 16))))
cases.append(("row 1x50", rng.standard_normal((1, 50))))
cases.append(("column 40x1", rng.standard_normal((40, 1))))
cases.append(("all zero 20x30", np.zeros((20, 30))))
cases.append(("orthogonal 40x40 (all sigma = 1)", orth(40)))
base = rng.standard_normal((24, 16))
cases.append(("huge 24x16 (x1e150)", base * 1e150))
cases.append(("tiny 24x16 (x1e-150)", base * 1e-150))
cases.append(("clustered 30x30", constructed(30, 30, np.array([1.0] * 10 + [1 - 1e-9] * 10 + [1e-3] * 10))))
f32 = rng.standard_normal((48, 32)).astype(np.float32)

# Product case for the factored path: A (120x10) . B (10x110), reference = top 10 of the dense SVD.
pa = rng.standard_normal((120, 10))
pb = rng.standard_normal((10, 110))

blob = bytearray()
meta = []


def add(name, a, extra=None):
    a = np.ascontiguousarray(a)
    entry = {"name": name, "rows": a.shape[0], "cols": a.shape[1], "dtype": str(a.dtype), "offset": len(blob)}
    blob.extend(a.astype(a.dtype.newbyteorder("<")).tobytes())
    if extra:
        entry.update(extra)
    meta.append(entry)


def svd_ref(a):
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    tol = (s.max() if s.size else 0.0) * max(a.shape) * np.finfo(np.float64).eps
    return {"sv": [float(x) for x in s], "rank": int(np.sum(s > tol))}


for name, a in cases:
    add(name, a, svd_ref(a))
add("float32 48x32", f32, svd_ref(f32))
dense = pa @ pb
ref = np.linalg.svd(dense, compute_uv=False)
add("product A 120x10", pa, {"role": "productA"})
add("product B 10x110", pb, {"role": "productB", "sv": [float(x) for x in ref[:10]],
                             "rank": int(np.linalg.matrix_rank(dense))})

(out_dir / "svd_cases.bin").write_bytes(bytes(blob))
(out_dir / "svd_cases.json").write_text(json.dumps({"numpy": np.__version__, "cases": meta}, indent=1) + "\n")
print(f"wrote {len(meta)} cases, {len(blob)} bytes")
