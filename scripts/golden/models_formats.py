"""Test files for genbound's ONNX and tfjs readers (test/models/readers.test.ts), written with a
hand-made protobuf encoder (onnx.proto field numbers) and plain json/numpy, plus the values a
reader must decode, computed here with numpy (float16/bfloat16 rounding included).
Run: python3 scripts/golden/models_formats.py   (writes test/fixtures/models/formats/)
"""
import json, os, struct, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'models', 'formats')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)


from onnx_pb import varint, key, fv, fb, tensor, node, const_node  # noqa: E402

N, H, D, I = 6, 2, 3, 8
w_qkv = rng.standard_normal((N, 3 * N)).astype(np.float32)
bias = rng.standard_normal(3 * N).astype(np.float32)
proj = rng.standard_normal((N, N)).astype(np.float16)
fc1 = rng.standard_normal((N, I)).astype(np.float32)
fc2 = rng.standard_normal((I, N)).astype(np.float32)
dbl = rng.standard_normal((2, 2))
bf16_src = rng.standard_normal(3).astype(np.float32)
bf16_bits = (bf16_src.view(np.uint32) >> 16).astype(np.uint16)  # truncation: exact bf16 values
bf16_vals = (bf16_bits.astype(np.uint32) << 16).view(np.float32)
i8 = np.array([-128, -1, 0, 127], dtype=np.int8)

ext = b'\x00' * 16 + fc2.astype('<f4').tobytes()
open(os.path.join(OUT, 'attn.weights'), 'wb').write(ext)

inits = [
    tensor('W_qkv', [N, 3 * N], 1, raw=w_qkv.astype('<f4').tobytes()),
    tensor('bias', [3 * N], 1, floats=bias.tolist()),
    tensor('fc2', [I, N], 1, external={'location': 'attn.weights', 'offset': 16, 'length': fc2.nbytes}),
    tensor('dbl', [2, 2], 11, doubles=dbl.ravel().tolist()),
    tensor('bf16', [3], 16, raw=bf16_bits.astype('<u2').tobytes()),
    tensor('i8', [4], 3, raw=i8.tobytes()),
]
nodes = [
    const_node('proj', tensor('', [N, N], 10, raw=proj.astype('<f2').tobytes())),
    const_node('fc1', tensor('', [N, I], 1, floats=fc1.ravel().tolist())),
    const_node('c0', tensor('', [1], 6, raw=np.array([0], '<i4').tobytes())),
    const_node('c1', tensor('', [1], 7, int64s=[-1])),
    node('Constant', [], ['c3'], 'const_c3', fb(5, fb(1, 'value_ints') + fb(8, varint(3)) + fv(20, 7))),
    const_node('ch', tensor('', [1], 7, raw=np.array([H], '<i8').tobytes())),
    const_node('cd', tensor('', [1], 7, raw=np.array([D], '<i8').tobytes())),
    node('Cast', ['c0'], ['c0_64'], 'cast0', fb(5, fb(1, 'to') + fv(3, 7) + fv(20, 2))),
    node('Concat', ['c0_64', 'c1', 'c3', 'ch', 'cd'], ['shape'], 'concat', fb(5, fb(1, 'axis') + fv(3, 0) + fv(20, 2))),
    node('MatMul', ['x', 'W_qkv'], ['mm0'], 'mm0'),
    node('Add', ['mm0', 'bias'], ['a0'], 'add0'),
    node('Reshape', ['a0', 'shape'], ['r0'], 'reshape0'),
    node('MatMul', ['r1', 'proj'], ['mm1'], 'mm1'),
    node('MatMul', ['r2', 'fc1'], ['mm2'], 'mm2'),
    node('MatMul', ['r3', 'fc2'], ['mm3'], 'mm3'),
]
graph = b''.join(fb(1, n) for n in nodes) + fb(2, 'test') + b''.join(fb(5, t) for t in inits)
model = fv(1, 8) + fb(2, 'genbound-golden') + fb(7, graph) + fb(8, fb(1, '') + fv(2, 13))
open(os.path.join(OUT, 'attn.onnx'), 'wb').write(model)


def summary(m):
    m = m.astype(np.float64)
    return {'rows': m.shape[0], 'cols': m.shape[1], 'fro': float(np.linalg.norm(m)), 'e01': float(m[0, 1]), 'e10': float(m[1, 0])}


W = w_qkv.astype(np.float64)
q, k, v = W[:, :N], W[:, N:2 * N], W[:, 2 * N:]
P = proj.astype(np.float64)
onnx_expected = {
    'tensors': {'W_qkv': w_qkv.ravel().tolist(), 'bias': bias.tolist(), 'proj': proj.astype(np.float64).ravel().tolist(), 'fc1': fc1.ravel().tolist(),
                'fc2': fc2.ravel().tolist(), 'dbl': dbl.ravel().tolist(), 'bf16': bf16_vals.astype(np.float64).tolist(), 'i8': i8.astype(float).tolist(),
                'c0': [0], 'c1': [-1], 'c3': [3], 'ch': [H], 'cd': [D]},
    'heads': [{'QK': summary(q[:, h * D:(h + 1) * D] @ k[:, h * D:(h + 1) * D].T), 'V_tilde': summary(v[:, h * D:(h + 1) * D] @ P[h * D:(h + 1) * D, :])} for h in range(H)],
    'M_in': summary(fc1), 'M_out': summary(fc2),
}

# ---- tfjs: one group over two shards, split inside a tensor ----
a = rng.standard_normal((3, 4)).astype(np.float32)
q8 = rng.integers(0, 256, (4, 5)).astype(np.uint8)
f16 = rng.standard_normal(5).astype(np.float16)
i32 = np.array([7, -3], dtype=np.int32)
q16 = rng.integers(0, 65536, (2, 3)).astype(np.uint16)
s8, m8, s16, m16 = 0.01, -1.0, 0.001, 2.5
blob = a.astype('<f4').tobytes() + q8.tobytes() + f16.astype('<f2').tobytes() + i32.astype('<i4').tobytes() + q16.astype('<u2').tobytes()
cut = 50
open(os.path.join(OUT, 'group1-shard1of2.bin'), 'wb').write(blob[:cut])
open(os.path.join(OUT, 'group1-shard2of2.bin'), 'wb').write(blob[cut:])
manifest = [{'paths': ['group1-shard1of2.bin', 'group1-shard2of2.bin'], 'weights': [
    {'name': 'a', 'shape': [3, 4], 'dtype': 'float32'},
    {'name': 'q8', 'shape': [4, 5], 'dtype': 'float32', 'quantization': {'dtype': 'uint8', 'scale': s8, 'min': m8}},
    {'name': 'f16', 'shape': [5], 'dtype': 'float32', 'quantization': {'dtype': 'float16'}},
    {'name': 'i', 'shape': [2], 'dtype': 'int32'},
    {'name': 'q16', 'shape': [2, 3], 'dtype': 'float32', 'quantization': {'dtype': 'uint16', 'scale': s16, 'min': m16}},
]}]
topo = {'node': [{'name': 'x', 'op': 'Placeholder'}, {'name': 'a', 'op': 'Const'}, {'name': 'mm', 'op': 'MatMul', 'input': ['x', 'a'], 'attr': {'transpose_a': {'b': False}}},
                 {'name': 'i', 'op': 'Const'}, {'name': 'r', 'op': 'Reshape', 'input': ['mm', 'i:0']}]}
json.dump({'format': 'graph-model', 'generatedBy': 'genbound-golden', 'modelTopology': topo, 'weightsManifest': manifest}, open(os.path.join(OUT, 'model.json'), 'w'))
tfjs_expected = {
    'a': a.astype(np.float64).ravel().tolist(),
    'q8': (q8.astype(np.float64) * s8 + m8).ravel().tolist(),
    'f16': f16.astype(np.float64).tolist(),
    'i': i32.astype(float).tolist(),
    'q16': (q16.astype(np.float64) * s16 + m16).ravel().tolist(),
}
# ---- a torch.onnx-style export of a 1-layer BERT: MatMul weights renamed onnx::MatMul_N and
# stored (in, out), biases keeping their module names (pytorch/pytorch issues 66786, 87452) ----
N, H, I = 8, 2, 12
D = N // H
mods = {'q': ('attention.self.query', N, N), 'k': ('attention.self.key', N, N), 'v': ('attention.self.value', N, N),
        'o': ('attention.output.dense', N, N), 'in': ('intermediate.dense', I, N), 'out': ('output.dense', N, I)}
lin = {r: rng.standard_normal((o, i)).astype(np.float32) for r, (_, o, i) in mods.items()}  # nn.Linear (out, in)
inits, nodes, x = [], [], 'hidden'
for j, (r, (mod, o, i)) in enumerate(mods.items()):
    wname = 'onnx::MatMul_%d' % (100 + j)
    bname = 'bert.encoder.layer.0.%s.bias' % mod
    inits.append(tensor(wname, [i, o], 1, raw=lin[r].T.astype('<f4').tobytes()))
    inits.append(tensor(bname, [o], 1, raw=rng.standard_normal(o).astype('<f4').tobytes()))
    nodes.append(node('MatMul', [x + str(j), wname], ['mm%d' % j], '/mm%d' % j))
    nodes.append(node('Add', ['mm%d' % j, bname] if j % 2 == 0 else [bname, 'mm%d' % j], ['add%d' % j], '/add%d' % j))
inits.append(tensor('bert.embeddings.word_embeddings.weight', [30, N], 1, raw=rng.standard_normal((30, N)).astype('<f4').tobytes()))
graph = b''.join(fb(1, n) for n in nodes) + fb(2, 'bert') + b''.join(fb(5, t) for t in inits)
os.makedirs(os.path.join(OUT, 'bert-onnx'), exist_ok=True)
open(os.path.join(OUT, 'bert-onnx', 'model.onnx'), 'wb').write(fv(1, 8) + fb(2, 'pytorch') + fb(7, graph) + fb(8, fb(1, '') + fv(2, 14)))
json.dump({'model_type': 'bert', 'hidden_size': N, 'num_attention_heads': H, 'num_hidden_layers': 1, 'intermediate_size': I}, open(os.path.join(OUT, 'bert-onnx', 'config.json'), 'w'))
R = {r: w.T.astype(np.float64) for r, w in lin.items()}  # row-vector matrices
bert_onnx_expected = {
    'heads': [{'QK': summary(R['q'][:, h * D:(h + 1) * D] @ R['k'][:, h * D:(h + 1) * D].T), 'V_tilde': summary(R['v'][:, h * D:(h + 1) * D] @ R['o'][h * D:(h + 1) * D, :])} for h in range(H)],
    'M_in': summary(R['in']), 'M_out': summary(R['out']),
    'params': int(sum(w.size + w.shape[0] for w in lin.values()) + 30 * N),
}

json.dump({'onnx': onnx_expected, 'tfjs': tfjs_expected, 'bert_onnx': bert_onnx_expected}, open(os.path.join(OUT, 'expected.json'), 'w'), indent=1)
print('wrote', OUT)
