#!/usr/bin/env python3
"""Golden values for genbound's GGUF block dequantizers (src/io/formats/gguf/quants.ts), from llama.cpp's
own Python package gguf-py (gguf.quants.dequantize), which is independent of genbound's code.

Install it offline from the wheel on this machine, then run:
  pip install --no-index --find-links /opt/pypi/files gguf==0.19.0
  python3 scripts/golden/io_gguf_quants.py
Writes test/fixtures/io/gguf/quants.gguf (one 2 x 512 tensor per block format, random blocks with
finite float16 scales, written by gguf.GGUFWriter, plus one IQ2_XXS tensor that genbound must
refuse by name) and quants.json (gguf-py's dequantized values; also those of small.gguf's Q4_K
tensor, read back with gguf.GGUFReader).
"""
import json
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.quants import dequantize

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'io', 'gguf')
rng = np.random.default_rng(2026)
ROWS, COLS = 2, 512

# byte offsets of the float16 fields (d, m or dmin) inside each block (ggml-common.h)
HALVES = {Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0], Q.Q2_K: [80, 82],
          Q.Q3_K: [108], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208], Q.IQ4_NL: [0], Q.IQ4_XS: [0]}


def random_blocks(qt):
    block, size = gguf.GGML_QUANT_SIZES[qt]
    n = ROWS * COLS // block
    b = rng.integers(0, 256, (n, size), dtype=np.uint8)
    for off in HALVES[qt]:
        h = (rng.uniform(0.001, 0.05, n) * rng.choice([-1, 1], n)).astype('<f2')
        b[:, off:off + 2] = h.view(np.uint8).reshape(n, 2)
    return b.reshape(ROWS, -1)


def short(a):
    """float32 values to 9 significant digits (enough to round-trip a float32)."""
    return [float('%.9g' % x) for x in a.ravel()]


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'quants.gguf')
    w = gguf.GGUFWriter(path, 'llama')
    w.add_block_count(1)
    exp = {}
    for qt in HALVES:
        raw = random_blocks(qt)
        name = 'q.' + qt.name
        w.add_tensor(name, raw, raw_dtype=qt)
        vals = dequantize(raw, qt).astype(np.float64)
        assert vals.shape == (ROWS, COLS) and np.isfinite(vals).all()
        exp[name] = {'type': qt.name, 'shape': [ROWS, COLS], 'values': short(vals)}
    w.add_tensor('q.IQ2_XXS', rng.integers(0, 256, (1, gguf.GGML_QUANT_SIZES[Q.IQ2_XXS][1]), dtype=np.uint8), raw_dtype=Q.IQ2_XXS)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    r = gguf.GGUFReader(os.path.join(OUT, 'small.gguf'))
    t = next(t for t in r.tensors if t.name == 'blk.0.ffn_down.weight')
    v = dequantize(np.asarray(t.data), t.tensor_type).astype(np.float64)
    exp['small.gguf blk.0.ffn_down.weight'] = {'type': t.tensor_type.name, 'shape': list(v.shape), 'values': short(v),
                                              'finite': bool(np.isfinite(v).all())}
    with open(os.path.join(OUT, 'quants.json'), 'w') as fh:
        json.dump(exp, fh)
    print('wrote', path)


main()
