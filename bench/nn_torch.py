#!/usr/bin/env python3
"""PyTorch CPU reference for bench/nn.bench.ts: one training step (forward + backward + Adam) of
the same Transformer regressor (pre-LN, no positional encoding, GELU tanh, mean pool, linear head).

usage: python3 bench/nn_torch.py BAGS N DIM WIDTH HEADS LAYERS FFN STEPS THREADS
Prints one JSON line: {"times_ms": [...], "threads": T, "torch": version, "loss": last loss}.
"""
import json
import sys
import time

import torch


class Block(torch.nn.Module):
    def __init__(self, d, h, f):
        super().__init__()
        self.h = h
        self.ln1 = torch.nn.LayerNorm(d)
        self.q = torch.nn.Linear(d, d)
        self.k = torch.nn.Linear(d, d)
        self.v = torch.nn.Linear(d, d)
        self.o = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.fin = torch.nn.Linear(d, f)
        self.fout = torch.nn.Linear(f, d)

    def forward(self, x):
        b, t, d = x.shape
        h, dh = self.h, d // self.h
        z = self.ln1(x)
        q = self.q(z).view(b, t, h, dh).transpose(1, 2)
        k = self.k(z).view(b, t, h, dh).transpose(1, 2)
        v = self.v(z).view(b, t, h, dh).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / dh ** 0.5, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        return x + self.fout(torch.nn.functional.gelu(self.fin(self.ln2(x)), approximate="tanh"))


class Regressor(torch.nn.Module):
    def __init__(self, dim, d, h, layers, f):
        super().__init__()
        self.inp = torch.nn.Linear(dim, d)
        self.blocks = torch.nn.ModuleList([Block(d, h, f) for _ in range(layers)])
        self.head = torch.nn.Linear(d, 1)

    def forward(self, x):
        x = self.inp(x)
        for blk in self.blocks:
            x = blk(x)
        return self.head(x.mean(dim=1))


def main():
    bags, n, dim, d, h, layers, f, steps, threads = map(int, sys.argv[1:10])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Regressor(dim, d, h, layers, f)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(bags, n, dim)
    y = torch.randn(bags, 1)
    times = []
    loss = None
    for s in range(steps + 3):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        dt = (time.perf_counter() - t0) * 1000
        if s >= 3:
            times.append(dt)
    print(json.dumps({"times_ms": times, "threads": torch.get_num_threads(), "torch": torch.__version__, "loss": float(loss)}))


if __name__ == "__main__":
    main()
