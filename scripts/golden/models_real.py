"""Golden values for the real trained models shipped in npm packages (test/models/real.test.ts).

Independent of genbound's readers: the tfjs model.json + shards of Universal Sentence Encoder
lite are parsed with json + numpy, and the PP-OCRv4 recogniser's ONNX file with the minimal
protobuf wire-format reader below (python's `onnx` package is not installed here). From the
weights, the theory matrices are formed with the formulas of shared/spec/spectrum-adaptive-bound.md
(TensorFlow / ONNX MatMul kernels are (in, out), i.e. already row-vector matrices; fused Q|K|V
column blocks). Head counts are read from the constants the graphs use to split heads.
Run: python3 scripts/golden/models_real.py   (needs `npm ci` first; writes test/fixtures/models/real.json)
"""
import json, os
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
USE = os.path.join(ROOT, 'node_modules', '@energetic-ai', 'model-embeddings-en', 'dist')
OCR = os.path.join(ROOT, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx')


def summary(m):
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'sigma1': float(np.linalg.svd(m, compute_uv=False)[0])}


def theory(qkv, o, fc1, fc2, heads):
    n3 = qkv.shape[1]
    a = n3 // 3
    d = a // heads
    q, k, v = qkv[:, :a], qkv[:, a:2 * a], qkv[:, 2 * a:]
    hs = [{'QK': summary(q[:, h * d:(h + 1) * d] @ k[:, h * d:(h + 1) * d].T), 'V_tilde': summary(v[:, h * d:(h + 1) * d] @ o[h * d:(h + 1) * d, :])} for h in range(heads)]
    return {'heads': hs, 'M_in': summary(fc1), 'M_out': summary(fc2)}


# ---- USE lite (tfjs) ----
m = json.load(open(os.path.join(USE, 'model.json')))
g = m['weightsManifest'][0]
buf = b''.join(open(os.path.join(USE, p), 'rb').read() for p in g['paths'])
W, off = {}, 0
for w in g['weights']:
    assert 'quantization' not in w
    n = int(np.prod(w['shape'])) if w['shape'] else 1
    W[w['name']] = np.frombuffer(buf, dtype={'float32': '<f4', 'int32': '<i4'}[w['dtype']], count=n, offset=off).reshape(w['shape']).astype(np.float64)
    off += 4 * n
assert off == len(buf)
K = 'module_apply_default/Encoder_en/KonaTransformer/Encode/'
KV = 'module/Encoder_en/KonaTransformer/Encode/'
heads_l1 = int(W[K + 'TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2'])
use = {'layers': [], 'params': int(sum(v.size for k, v in W.items() if next(x for x in g['weights'] if x['name'] == k)['dtype'] == 'float32'))}
for l in range(2):
    qkv = W[KV + f'Layer_{l}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0'][0, 0]
    o = W[KV + f'Layer_{l}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0'][0, 0]
    fc1 = W[K + f'TransformerStack/Layer_{l}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1']
    fc2 = W[K + f'TransformerStack/Layer_{l}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1']
    head_dim = int(W[K + f'TransformerStack/Layer_{l}/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3'])
    assert heads_l1 * head_dim == qkv.shape[1] // 3
    t = theory(qkv, o, fc1, fc2, heads_l1)
    t.update({'heads_count': heads_l1, 'head_dim': head_dim, 'width_in': qkv.shape[0], 'width_out': o.shape[1], 'qkv_fro': float(np.linalg.norm(qkv))})
    use['layers'].append(t)


# ---- PP-OCRv4 recogniser (ONNX, weights as Constant nodes) ----
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1
        r |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return r, i


def fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        elif wt == 5:
            v = b[i:i + 4]; i += 4
        elif wt == 1:
            v = b[i:i + 8]; i += 8
        else:
            raise ValueError('wire type %d' % wt)
        out.append((f, wt, v))
    return out


def tensor(tb):
    dims, dt, raw = [], None, None
    for f, wt, v in fields(tb):
        if f == 1:
            if wt == 0:
                dims.append(v)
            else:
                j = 0
                while j < len(v):
                    x, j = varint(v, j); dims.append(x)
        elif f == 2:
            dt = v
        elif f == 9:
            raw = bytes(v)
    np_dt = {1: '<f4', 6: '<i4', 7: '<i8'}.get(dt)
    if raw is None or np_dt is None:
        return None
    return np.frombuffer(raw, dtype=np_dt).reshape(dims).astype(np.float64)


model = open(OCR, 'rb').read()
graph = next(v for f, wt, v in fields(model) if f == 7)
consts, nodes = {}, []
for f, wt, v in fields(graph):
    if f != 1:
        continue
    ins, outs, op, attrs = [], [], '', []
    for nf, nwt, nv in fields(v):
        if nf == 1: ins.append(bytes(nv).decode())
        elif nf == 2: outs.append(bytes(nv).decode())
        elif nf == 4: op = bytes(nv).decode()
        elif nf == 5: attrs.append(nv)
    nodes.append((op, ins, outs))
    if op == 'Constant':
        for a in attrs:
            t = next((av for af, awt, av in fields(a) if af == 5), None)
            if t is not None:
                arr = tensor(t)
                if arr is not None:
                    consts[outs[0]] = arr
# Heads: paddle2onnx builds the qkv Reshape shape from fill_constant_{1,3,5,7} = [0, 3, heads, dim] (checked in the graph dump).
heads = int(consts['fill_constant_5.tmp_0'][0])
head_dim = int(consts['fill_constant_7.tmp_0'][0])
ocr = {'layers': [], 'heads_count': heads, 'head_dim': head_dim, 'constants': len(consts)}
for base in (77, 81):
    qkv, o, fc1, fc2 = (consts[f'linear_{base + j}.w_0'] for j in range(4))
    t = theory(qkv, o, fc1, fc2, heads)
    t['qkv_fro'] = float(np.linalg.norm(qkv))
    ocr['layers'].append(t)

out = os.path.join(ROOT, 'test', 'fixtures', 'models', 'real.json')
json.dump({'use_lite': use, 'ppocr_rec': ocr}, open(out, 'w'), indent=1)
print('wrote', out, 'USE heads', heads_l1, 'OCR heads', heads, 'x', head_dim)
