"""A quantized 1-layer BERT in ONNX, in the shapes onnxruntime.quantization writes (what
transformers.js ships as model_quantized.onnx), for test/models/readers.test.ts; with the
dequantized weights' summaries, W = (q - zero_point) * scale computed here in numpy float64.
Each linear layer uses another pattern:
  query   MatMulInteger -> Cast -> Mul(., Mul(x_scale, w_scale)) -> Add(bias)   uint8, per tensor
  key     the same, int8 per column, no zero point input
  value   DequantizeLinear(q, s, z; axis=1) -> MatMul -> Add(bias)             (QDQ)
  o       com.microsoft DynamicQuantizeMatMul(x, q, s, z, bias)
  in      com.microsoft MatMulIntegerToFloat(x, q, x_s, s, x_z, z, bias)
  out     QLinearMatMul(x, x_s, x_z, q, s, z, y_s, y_z) -> DequantizeLinear -> Add(bias)
plus a word-embedding table quantized for Gather, found by onnxruntime's naming convention only.
Run: python3 scripts/golden/onnx_quant.py   (writes test/fixtures/models/formats/bert-onnx-quant/)
"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_pb import fb, fv, node, tensor  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'models', 'formats', 'bert-onnx-quant')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(11)
N, H, I = 8, 2, 12
D = N // H
U8, I8, F32 = 2, 3, 1


def quant(shape, signed, per_col):
    """Random integer weights with scale and zero point; returns q, s, z (z None for symmetric int8)."""
    lo, hi, dt = (-128, 128, np.int8) if signed else (0, 256, np.uint8)
    q = rng.integers(lo, hi, shape).astype(dt)
    n = shape[1] if per_col else 1
    s = (rng.random(n) * 0.02 + 0.005).astype(np.float32)
    z = None if signed else rng.integers(100, 156, n).astype(np.uint8)
    return q, s, z


def deq(q, s, z):
    zz = 0 if z is None else z.astype(np.float64)
    return (q.astype(np.float64) - zz) * s.astype(np.float64)


def tq(name, a, dtype):
    return tensor(name, list(a.shape), dtype, raw=a.tobytes())


def scal(name, a, dtype):  # scalar (per tensor) or 1-D (per column)
    return tensor(name, [] if a.size == 1 else [a.size], dtype, raw=a.tobytes())


mods = {'q': 'attention.self.query', 'k': 'attention.self.key', 'v': 'attention.self.value',
        'o': 'attention.output.dense', 'in': 'intermediate.dense', 'out': 'output.dense'}
shapes = {'q': (N, N), 'k': (N, N), 'v': (N, N), 'o': (N, N), 'in': (N, I), 'out': (I, N)}  # stored (in, out)
spec = {'q': (False, False), 'k': (True, True), 'v': (False, True), 'o': (True, False), 'in': (False, True), 'out': (True, True)}
W = {}
inits, nodes = [], []
bias = lambda r: 'bert.encoder.layer.0.%s.bias' % mods[r]
for j, r in enumerate(mods):
    q, s, z = quant(shapes[r], *spec[r])
    W[r] = deq(q, s, z)
    stem = 'onnx::MatMul_%d' % (200 + j)
    qn, sn, zn = stem + '_quantized', stem + '_scale', stem + '_zero_point'
    inits += [tq(qn, q, I8 if spec[r][0] else U8), scal(sn, s, F32)]
    if z is not None:
        inits.append(scal(zn, z, U8))
    b = rng.standard_normal(shapes[r][1]).astype(np.float32)
    inits.append(tensor(bias(r), [b.size], F32, raw=b.tobytes()))
    x = 'h%d' % j
    if r in ('q', 'k'):
        nodes.append(node('DynamicQuantizeLinear', [x], [x + '_q', x + '_s', x + '_z'], x + '_dql'))
        nodes.append(node('MatMulInteger', [x + '_q', qn, x + '_z'] + ([zn] if z is not None else []), ['mi%d' % j], 'mi%d' % j))
        nodes.append(node('Cast', ['mi%d' % j], ['c%d' % j], 'cast%d' % j, fb(5, fb(1, 'to') + fv(3, 1) + fv(20, 2))))
        nodes.append(node('Mul', [x + '_s', sn], ['sm%d' % j], 'smul%d' % j))
        nodes.append(node('Mul', ['c%d' % j, 'sm%d' % j], ['mm%d' % j], 'omul%d' % j))
        nodes.append(node('Add', ['mm%d' % j, bias(r)], ['add%d' % j], 'add%d' % j))
    elif r == 'v':
        nodes.append(node('DequantizeLinear', [qn, sn, zn], ['dq%d' % j], 'dq%d' % j, fb(5, fb(1, 'axis') + fv(3, 1) + fv(20, 2))))
        nodes.append(node('MatMul', [x, 'dq%d' % j], ['mm%d' % j], 'mm%d' % j))
        nodes.append(node('Add', [bias(r), 'mm%d' % j], ['add%d' % j], 'add%d' % j))
    elif r == 'o':
        nodes.append(node('DynamicQuantizeMatMul', [x, qn, sn, '', bias(r)], ['add%d' % j], 'dqmm%d' % j))
    elif r == 'in':
        inits += [tensor('xs_in', [], F32, raw=np.float32(0.05).tobytes()), tensor('xz_in', [], U8, raw=np.uint8(128).tobytes())]
        nodes.append(node('MatMulIntegerToFloat', [x, qn, 'xs_in', sn, 'xz_in', zn, bias(r)], ['add%d' % j], 'mitf%d' % j))
    else:
        inits += [tensor('xs_out', [], F32, raw=np.float32(0.05).tobytes()), tensor('xz_out', [], U8, raw=np.uint8(128).tobytes()),
                  tensor('ys_out', [], F32, raw=np.float32(0.1).tobytes()), tensor('yz_out', [], U8, raw=np.uint8(128).tobytes())]
        nodes.append(node('QLinearMatMul', [x, 'xs_out', 'xz_out', qn, sn, zn, 'ys_out', 'yz_out'], ['qmm%d' % j], 'qmm%d' % j))
        nodes.append(node('DequantizeLinear', ['qmm%d' % j, 'ys_out', 'yz_out'], ['mm%d' % j], 'dqo%d' % j))
        nodes.append(node('Add', ['mm%d' % j, bias(r)], ['add%d' % j], 'add%d' % j))
# Word embeddings quantized for Gather: only the names tie q, scale and zero point together.
eq, es, ez = quant((30, N), False, False)
emb = 'bert.embeddings.word_embeddings.weight'
inits += [tq(emb + '_quantized', eq, U8), scal(emb + '_scale', es, F32), scal(emb + '_zero_point', ez, U8)]
nodes.append(node('Gather', [emb + '_quantized', 'ids'], ['g'], 'gather'))
nodes.append(node('DequantizeLinear', ['g', emb + '_scale', emb + '_zero_point'], ['emb'], 'gdq'))

graph = b''.join(fb(1, n) for n in nodes) + fb(2, 'bert') + b''.join(fb(5, t) for t in inits)
opsets = fb(8, fb(1, '') + fv(2, 14)) + fb(8, fb(1, 'com.microsoft') + fv(2, 1))
open(os.path.join(OUT, 'model.onnx'), 'wb').write(fv(1, 8) + fb(2, 'onnx.quantize') + fb(7, graph) + opsets)
json.dump({'model_type': 'bert', 'hidden_size': N, 'num_attention_heads': H, 'num_hidden_layers': 1, 'intermediate_size': I}, open(os.path.join(OUT, 'config.json'), 'w'))


def summary(m):
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'e10': float(m[1, 0])}


R = W  # stored (in, out) = row-vector convention
expected = {
    'heads': [{'QK': summary(R['q'][:, h * D:(h + 1) * D] @ R['k'][:, h * D:(h + 1) * D].T), 'V_tilde': summary(R['v'][:, h * D:(h + 1) * D] @ R['o'][h * D:(h + 1) * D, :])} for h in range(H)],
    'M_in': summary(R['in']), 'M_out': summary(R['out']),
    'embedding': deq(eq, es, ez).ravel().tolist(),
    'query_weight': W['q'].T.ravel().tolist(),  # nn.Linear layout (out, in)
    'params': int(sum(w.size + w.shape[1] for w in W.values()) + 30 * N),
}
json.dump(expected, open(os.path.join(OUT, 'expected.json'), 'w'), indent=1)
print('wrote', OUT)
