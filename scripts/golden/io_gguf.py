#!/usr/bin/env python3
"""Golden GGUF fixtures for genbound, written by hand from llama.cpp's GGUF description
(the `gguf` pip package is not available offline).

Run: /usr/bin/python3 scripts/golden/io_gguf.py   (numpy; torch only for bfloat16 rounding)
Writes test/fixtures/io/gguf/{small.gguf, small.json, align64.gguf}.
Q8_0 expected values follow ggml's dequantize_row_q8_0: float32(f16 d) * int8 q.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'io', 'gguf')
rng = np.random.default_rng(7)

T = {'F32': 0, 'F16': 1, 'Q8_0': 8, 'Q4_K': 12, 'F64': 28, 'BF16': 30, 'I8': 24}


def s(x):
    b = x.encode()
    return struct.pack('<Q', len(b)) + b


def kv(key, vtype, payload):
    return s(key) + struct.pack('<I', vtype) + payload


def q8_0(x):
    x = x.astype(np.float32).reshape(-1, 32)
    out = b''
    vals = []
    for blk in x:
        amax = np.abs(blk).max()
        d = np.float16(amax / 127.0)
        q = np.clip(np.round(blk / np.float32(d)), -127, 127).astype(np.int8) if d != 0 else np.zeros(32, np.int8)
        out += np.array([d], '<f2').tobytes() + q.tobytes()
        vals.append(np.float32(d) * q.astype(np.float32))
    return out, np.concatenate(vals)


def write(path, tensors, align=32, extra_kv=b'', n_extra=0):
    """tensors: list of (name, type_name, shape_rowmajor, raw_bytes)."""
    kvs = [kv('general.architecture', 8, s('llama')), kv('llama.block_count', 4, struct.pack('<I', 1)),
           kv('llama.attention.head_count', 4, struct.pack('<I', 2)), kv('general.name', 8, s('tiny test')),
           kv('llama.rope.freq_base', 6, struct.pack('<f', 10000.0)),
           kv('tokenizer.ggml.tokens', 9, struct.pack('<IQ', 8, 3) + s('a') + s('b') + s('<s>')),
           kv('general.alignment', 4, struct.pack('<I', align))]
    head = b'GGUF' + struct.pack('<IQQ', 3, len(tensors), len(kvs) + n_extra) + b''.join(kvs) + extra_kv
    infos = b''
    off = 0
    offsets = []
    for name, ty, shape, raw in tensors:
        off = (off + align - 1) // align * align
        offsets.append(off)
        ne = list(reversed(shape))
        infos += s(name) + struct.pack('<I', len(ne)) + b''.join(struct.pack('<Q', d) for d in ne) + struct.pack('<IQ', T[ty], off)
        off += len(raw)
    head += infos
    head += b'\0' * ((align - len(head) % align) % align)
    data = bytearray()
    for (name, ty, shape, raw), o in zip(tensors, offsets):
        data += b'\0' * (o - len(data))
        data += raw
    with open(path, 'wb') as fh:
        fh.write(head + bytes(data))


def main():
    os.makedirs(OUT, exist_ok=True)
    exp = {}
    tensors = []
    a = rng.standard_normal((3, 4)).astype(np.float32)
    tensors.append(('blk.0.attn_q.weight', 'F32', a.shape, a.astype('<f4').tobytes()))
    exp['blk.0.attn_q.weight'] = {'shape': [3, 4], 'values': a.astype(np.float64).ravel().tolist()}
    b = rng.standard_normal((2, 5)).astype(np.float16)
    tensors.append(('blk.0.attn_k.weight', 'F16', b.shape, b.astype('<f2').tobytes()))
    exp['blk.0.attn_k.weight'] = {'shape': [2, 5], 'values': b.astype(np.float64).ravel().tolist()}
    c = torch.randn(2, 3, generator=torch.Generator().manual_seed(1)).bfloat16()
    tensors.append(('blk.0.attn_v.weight', 'BF16', (2, 3), c.view(torch.int16).numpy().astype('<i2').tobytes()))
    exp['blk.0.attn_v.weight'] = {'shape': [2, 3], 'values': c.to(torch.float64).reshape(-1).tolist()}
    d = rng.standard_normal((3, 64)) * 2
    raw, vals = q8_0(d)
    tensors.append(('blk.0.ffn_up.weight', 'Q8_0', (3, 64), raw))
    exp['blk.0.ffn_up.weight'] = {'shape': [3, 64], 'values': vals.astype(np.float64).tolist()}
    e = rng.standard_normal(3)
    tensors.append(('output_norm.weight', 'F64', (3,), e.astype('<f8').tobytes()))
    exp['output_norm.weight'] = {'shape': [3], 'values': e.tolist()}
    tensors.append(('blk.0.ffn_down.weight', 'Q4_K', (2, 256), rng.integers(0, 255, 2 * 144, dtype=np.uint8).tobytes()))
    write(os.path.join(OUT, 'small.gguf'), tensors)
    write(os.path.join(OUT, 'align64.gguf'), tensors[:2], align=64)
    with open(os.path.join(OUT, 'small.json'), 'w') as fh:
        json.dump({'tensors': exp, 'metadata': {'general.architecture': 'llama', 'llama.block_count': 1,
                                                'llama.attention.head_count': 2, 'general.name': 'tiny test',
                                                'llama.rope.freq_base': 10000.0, 'tokenizer.ggml.tokens': ['a', 'b', '<s>'],
                                                'general.alignment': 32}}, fh, indent=1)


if __name__ == '__main__':
    main()
