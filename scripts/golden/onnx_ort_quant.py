#!/usr/bin/env python3
"""Quantized ONNX files made by onnxruntime itself (quantize_dynamic: int8 per tensor, and uint8
per channel), from a 1-layer BERT exported the torch.onnx way (MatMul weights named onnx::MatMul_N,
stored (in, out), biases keeping module names), for test/models/readers.test.ts; with numpy's
dequantization of the stored integers (read back with onnx.numpy_helper) and the QK/V_tilde/M_in/
M_out summaries. The script also checks that each dequantized weight is within half a step of
the float original.
  pip install --no-index --find-links /opt/pypi/files onnx==1.23.1 onnxruntime==1.30.0
  python3 scripts/golden/onnx_ort_quant.py   (writes test/fixtures/models/formats/ort-quant/)
"""
import json
import os
import tempfile

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto as TP, helper as h, numpy_helper as nh
from onnxruntime.quantization import QuantType, quantize_dynamic

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'models', 'formats', 'ort-quant')
rng = np.random.default_rng(3)
N, H, I = 8, 2, 12
D = N // H
MODS = {'q': ('attention.self.query', N, N), 'k': ('attention.self.key', N, N), 'v': ('attention.self.value', N, N),
        'o': ('attention.output.dense', N, N), 'in': ('intermediate.dense', I, N), 'out': ('output.dense', N, I)}


def float_model(path):
    inits, nodes, w = [], [], {}
    for j, (r, (mod, o, i)) in enumerate(MODS.items()):
        w[r] = rng.standard_normal((i, o)).astype(np.float32)  # stored (in, out)
        wn, bn = 'onnx::MatMul_%d' % (100 + j), 'bert.encoder.layer.0.%s.bias' % mod
        inits += [nh.from_array(w[r], wn), nh.from_array(rng.standard_normal(o).astype(np.float32), bn)]
        src = 'x' if i == N else 'y4'
        nodes += [h.make_node('MatMul', [src, wn], ['m%d' % j], name='/mm%d' % j), h.make_node('Add', ['m%d' % j, bn], ['y%d' % j], name='/add%d' % j)]
    w['emb'] = rng.standard_normal((30, N)).astype(np.float32)
    inits.append(nh.from_array(w['emb'], 'bert.embeddings.word_embeddings.weight'))
    nodes.append(h.make_node('Gather', ['bert.embeddings.word_embeddings.weight', 'ids'], ['e'], name='/gather'))
    g = h.make_graph(nodes, 'bert', [h.make_tensor_value_info('x', TP.FLOAT, [1, 4, N]), h.make_tensor_value_info('ids', TP.INT64, [1, 4])],
                     [h.make_tensor_value_info('y%d' % j, TP.FLOAT, None) for j in range(6)] + [h.make_tensor_value_info('e', TP.FLOAT, None)], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid('', 17)]), path)
    return w


def dequantized(path, stored_name, axis=1):
    init = {t.name: nh.to_array(t) for t in onnx.load(path).graph.initializer}
    q = init[stored_name + '_quantized'].astype(np.float64)
    s = init[stored_name + '_scale'].astype(np.float64)
    z = init[stored_name + '_zero_point'].astype(np.float64)
    if s.ndim == 1 and axis == 1:
        s, z = s[None, :], z[None, :]
    elif s.ndim == 1:
        s, z = s[:, None], z[:, None]
    return (q - z) * s, s


def summary(m):
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'e10': float(m[1, 0])}


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    src = os.path.join(tmp, 'model.onnx')
    w = float_model(src)
    cfg = {'model_type': 'bert', 'hidden_size': N, 'num_attention_heads': H, 'num_hidden_layers': 1, 'intermediate_size': I}
    expected = {'onnxruntime': onnxruntime.__version__}
    for name, wt, pc in [('int8', QuantType.QInt8, False), ('uint8-per-channel', QuantType.QUInt8, True)]:
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, 'model.onnx')
        quantize_dynamic(src, path, weight_type=wt, per_channel=pc)
        json.dump(cfg, open(os.path.join(d, 'config.json'), 'w'))
        R = {}
        for j, r in enumerate(MODS):
            R[r], s = dequantized(path, 'onnx::MatMul_%d' % (100 + j))
            assert np.all(np.abs(R[r] - w[r]) <= s * 0.5 + 1e-6 * np.abs(w[r]).max()), (name, r)
        emb, _ = dequantized(path, 'bert.embeddings.word_embeddings.weight', axis=0)
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        expected[name] = {
            'ops': ops,
            'heads': [{'QK': summary(R['q'][:, h_ * D:(h_ + 1) * D] @ R['k'][:, h_ * D:(h_ + 1) * D].T),
                       'V_tilde': summary(R['v'][:, h_ * D:(h_ + 1) * D] @ R['o'][h_ * D:(h_ + 1) * D, :])} for h_ in range(H)],
            'M_in': summary(R['in']), 'M_out': summary(R['out']),
            'query_weight': R['q'].T.ravel().tolist(),
            'embedding': emb.ravel().tolist(),
        }
    json.dump(expected, open(os.path.join(OUT, 'expected.json'), 'w'), indent=1)
    print('wrote', OUT, {k: v['ops'] for k, v in expected.items() if isinstance(v, dict)})


main()
