#!/usr/bin/env python3
"""Golden fixtures for genbound's safetensors reader and dtype decoders.

Independent of the TypeScript code: the safetensors layout is written by hand from the format
description (8-byte LE header length, JSON header, raw LE data), values come from numpy and torch
(numpy float16 and torch bfloat16 conversions, both round-to-nearest-even).
Run with Debian's python (torch 1.13):  /usr/bin/python3 scripts/golden/io_safetensors.py
Outputs go to test/fixtures/io/ (small files, committed).
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'io')
rng = np.random.default_rng(20261122)


def st_bytes(tensors, metadata=None):
    """tensors: list of (name, dtype_str, shape, raw_bytes)."""
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    off = 0
    for name, dt, shape, raw in tensors:
        header[name] = {'dtype': dt, 'shape': list(shape), 'data_offsets': [off, off + len(raw)]}
        off += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(t[3] for t in tensors)


def bf16_raw(x):
    t = torch.tensor(x, dtype=torch.float32).to(torch.bfloat16)
    bits = t.view(torch.int16).numpy().astype('<i2')
    return bits.tobytes(), t.to(torch.float64).numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    tensors = []

    a = rng.standard_normal((3, 4))
    tensors.append(('f64', 'F64', a.shape, a.astype('<f8').tobytes()))
    expected['f64'] = {'shape': list(a.shape), 'values': a.ravel().tolist()}

    b = rng.standard_normal((2, 3, 2)).astype(np.float32)
    tensors.append(('enc.f32', 'F32', b.shape, b.astype('<f4').tobytes()))
    expected['enc.f32'] = {'shape': list(b.shape), 'values': b.astype(np.float64).ravel().tolist()}

    # float16 including subnormals, the largest finite value and signed zero
    c = np.concatenate([rng.standard_normal(10) * 3, [6.0e-8, -3.0e-5, 65504.0, -0.0, 1.0 / 3]]).astype(np.float16)
    tensors.append(('f16', 'F16', (c.size,), c.astype('<f2').tobytes()))
    expected['f16'] = {'shape': [c.size], 'values': c.astype(np.float64).tolist()}

    d = rng.standard_normal((4, 2)) * 100
    raw, vals = bf16_raw(d)
    tensors.append(('bf16', 'BF16', d.shape, raw))
    expected['bf16'] = {'shape': list(d.shape), 'values': vals.ravel().tolist()}

    e = np.array([-128, -1, 0, 1, 127], dtype=np.int8)
    tensors.append(('i8', 'I8', (5,), e.tobytes()))
    expected['i8'] = {'shape': [5], 'values': e.astype(np.float64).tolist()}

    f = np.array([[0, 1, 2], [128, 254, 255]], dtype=np.uint8)
    tensors.append(('u8', 'U8', f.shape, f.tobytes()))
    expected['u8'] = {'shape': [2, 3], 'values': f.astype(np.float64).ravel().tolist()}

    tensors.append(('empty', 'F32', (0, 4), b''))
    expected['empty'] = {'shape': [0, 4], 'values': []}

    g = np.array([1, 2, 3], dtype='<i8')
    tensors.append(('position_ids', 'I64', (3,), g.tobytes()))

    with open(os.path.join(OUT, 'st_small.safetensors'), 'wb') as fh:
        fh.write(st_bytes(tensors, {'format': 'pt', 'note': 'genbound golden'}))
    with open(os.path.join(OUT, 'st_small.json'), 'w') as fh:
        json.dump({'metadata': {'format': 'pt', 'note': 'genbound golden'}, 'tensors': expected}, fh, indent=1)

    # NaN / Inf
    bad = np.array([1.0, np.nan, 2.0], dtype=np.float32)
    inf = np.array([1.0, 2.0, -np.inf], dtype=np.float16)
    with open(os.path.join(OUT, 'st_nonfinite.safetensors'), 'wb') as fh:
        fh.write(st_bytes([('ok', 'F32', (1,), np.array([1.0], '<f4').tobytes()),
                           ('has_nan', 'F32', (3,), bad.tobytes()),
                           ('has_inf', 'F16', (3,), inf.tobytes())]))

    # sharded folder: two shards + index + config.json
    sdir = os.path.join(OUT, 'sharded')
    os.makedirs(sdir, exist_ok=True)
    w = {f'layer.{i}.weight': rng.standard_normal((2, 3)).astype(np.float32) for i in range(4)}
    names = sorted(w)
    shards = {'model-00001-of-00002.safetensors': names[:2], 'model-00002-of-00002.safetensors': names[2:]}
    wmap = {}
    for fname, ns in shards.items():
        with open(os.path.join(sdir, fname), 'wb') as fh:
            fh.write(st_bytes([(n, 'F32', w[n].shape, w[n].astype('<f4').tobytes()) for n in ns]))
        for n in ns:
            wmap[n] = fname
    with open(os.path.join(sdir, 'model.safetensors.index.json'), 'w') as fh:
        json.dump({'metadata': {'total_size': 96}, 'weight_map': wmap}, fh, indent=1)
    with open(os.path.join(sdir, 'config.json'), 'w') as fh:
        json.dump({'model_type': 'toy', 'hidden_size': 3}, fh)
    with open(os.path.join(sdir, 'expected.json'), 'w') as fh:
        json.dump({n: w[n].astype(np.float64).ravel().tolist() for n in names}, fh, indent=1)

    # encoder cases: float32 values (as bit patterns) -> f16 and bf16 bits (RNE)
    specials = [0.0, -0.0, 1.0, 65504.0, 65519.99, 65520.0, 1e5, 6.0e-8, 2.98e-8, 2.9802322e-8, 5.96e-8,
                1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, 6.1035156e-5, 6.097e-5,
                3.0e38, -3.0e38, float('inf'), float('-inf'), 1e-40, -2.5e-6]
    vals = np.concatenate([np.array(specials), rng.standard_normal(200) * 10.0 ** rng.integers(-9, 7, 200)]).astype(np.float32)
    f16 = vals.astype(np.float16).view(np.uint16)
    bf16 = torch.from_numpy(vals.copy()).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    cases = [{'f32': int(v), 'f16': int(h), 'bf16': int(bb)} for v, h, bb in zip(vals.view(np.uint32), f16, bf16)]
    with open(os.path.join(OUT, 'dtype_cases.json'), 'w') as fh:
        json.dump(cases, fh)


if __name__ == '__main__':
    main()
