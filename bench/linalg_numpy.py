#!/usr/bin/env python3
"""numpy reference timer for bench/linalg.bench.ts. Reads lines "<path> <rows> <cols> <repeats>" on
stdin (a row-major float64 file), times np.linalg.svd(A, compute_uv=False) `repeats` times, and
prints one JSON line per request: {"median": s, "times": [...], "sv0": sigma_1}."""
import json
import sys
import time

import numpy as np

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "scripts", "golden"))
from analyze_bench_ref import blas_info  # noqa: E402

print(json.dumps({"numpy": np.__version__, "blas": blas_info()}), flush=True)
for line in sys.stdin:
    path, rows, cols, reps = line.split()
    a = np.fromfile(path, dtype="<f8").reshape(int(rows), int(cols))
    times = []
    s = None
    for _ in range(int(reps)):
        t = time.perf_counter()
        s = np.linalg.svd(a, compute_uv=False)
        times.append(time.perf_counter() - t)
    print(json.dumps({"median": float(np.median(times)), "times": times, "sv0": float(s[0])}), flush=True)
