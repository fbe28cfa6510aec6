#!/usr/bin/env python3
"""Golden fixtures for genbound's PyTorch checkpoint reader, written by torch.save itself.

Run with Debian's python (torch 1.13):  /usr/bin/python3 scripts/golden/io_torch.py
Writes small files to test/fixtures/io/torch/: a BERT-like state dict in the zip format and the
legacy format (f32, f16, bf16, f64, i8, u8, i64, a Parameter, a transposed view, two views with
offsets and strides into one shared storage, an empty tensor), a wrapped training checkpoint, a
sharded folder with its index, and two malicious pickles that must be refused.
Expected values are the tensors' own values (tensor.to(float64)), not genbound's.
"""
import collections
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'io', 'torch')
torch.manual_seed(20261122)


def bert_like():
    sd = collections.OrderedDict()
    sd['embeddings.word_embeddings.weight'] = torch.randn(10, 8)
    sd['embeddings.position_ids'] = torch.arange(6).unsqueeze(0)
    p = 'encoder.layer.0.'
    sd[p + 'attention.self.query.weight'] = torch.randn(8, 8)
    sd[p + 'attention.self.query.bias'] = torch.randn(8)
    sd[p + 'attention.self.key.weight'] = torch.randn(8, 8).half()
    sd[p + 'attention.self.value.weight'] = torch.randn(8, 8).bfloat16()
    sd[p + 'intermediate.dense.weight'] = torch.randn(16, 8, dtype=torch.float64)
    sd[p + 'output.dense.weight'] = torch.randn(16, 8).t()  # non-contiguous, stride (1, 8)
    sd[p + 'output.LayerNorm.weight'] = torch.nn.Parameter(torch.randn(8))
    base = torch.randn(40)
    sd['shared.a'] = base[4:16].view(3, 4)  # offset 4
    sd['shared.b'] = base[20:40:2]  # offset 20, stride 2
    sd['shared.c'] = base.view(5, 8)[1:4, 2:5]  # offset 10, strides (8, 1)
    sd['quant.i8'] = torch.tensor([[-128, 0, 127]], dtype=torch.int8)
    sd['quant.u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd['empty'] = torch.zeros(0, 3)
    sd._metadata = collections.OrderedDict({'': {'version': 1}})
    return sd


def expected(sd):
    out = {}
    for k, v in sd.items():
        if v.dtype in (torch.int64,):
            out[k] = {'shape': list(v.shape), 'dtype': 'I64'}
            continue
        dt = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
              torch.int8: 'I8', torch.uint8: 'U8'}[v.dtype]
        out[k] = {'shape': list(v.shape), 'dtype': dt, 'values': v.detach().to(torch.float64).reshape(-1).tolist()}
    return out


class Evil:
    def __reduce__(self):
        return (os.system, ('echo this must never run',))


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = bert_like()
    torch.save(sd, os.path.join(OUT, 'bert_like.bin'))
    torch.save(sd, os.path.join(OUT, 'bert_like_legacy.bin'), _use_new_zipfile_serialization=False)
    with open(os.path.join(OUT, 'bert_like.json'), 'w') as fh:
        json.dump(expected(sd), fh, indent=1)

    w = collections.OrderedDict([('layer.weight', torch.randn(3, 2)), ('layer.bias', torch.randn(3))])
    torch.save({'epoch': 3, 'state_dict': w, 'optimizer': {'lr': 0.1}}, os.path.join(OUT, 'wrapped.pt'))
    with open(os.path.join(OUT, 'wrapped.json'), 'w') as fh:
        json.dump(expected(w), fh, indent=1)

    torch.save({'w': torch.ones(2), 'evil': Evil()}, os.path.join(OUT, 'evil.bin'))
    torch.save({'w': torch.ones(2), 'evil': Evil()}, os.path.join(OUT, 'evil_legacy.bin'), _use_new_zipfile_serialization=False)

    sdir = os.path.join(OUT, 'sharded')
    os.makedirs(sdir, exist_ok=True)
    parts = [collections.OrderedDict([('h.0.w', torch.randn(2, 2)), ('h.0.b', torch.randn(2))]),
             collections.OrderedDict([('h.1.w', torch.randn(2, 2).half())])]
    wmap = {}
    allv = {}
    for i, part in enumerate(parts):
        name = f'pytorch_model-0000{i + 1}-of-00002.bin'
        torch.save(part, os.path.join(sdir, name))
        for k in part:
            wmap[k] = name
        allv.update(expected(part))
    with open(os.path.join(sdir, 'pytorch_model.bin.index.json'), 'w') as fh:
        json.dump({'metadata': {'total_size': 36}, 'weight_map': wmap}, fh, indent=1)
    with open(os.path.join(sdir, 'config.json'), 'w') as fh:
        json.dump({'model_type': 'toy'}, fh)
    with open(os.path.join(sdir, 'expected.json'), 'w') as fh:
        json.dump(allv, fh, indent=1)


if __name__ == '__main__':
    main()
