#!/usr/bin/env python3
"""Golden values for the ESD power-law fit (src/measures/esd.ts): an independent numpy
implementation of Clauset, Shalizi & Newman's method (continuous MLE for alpha, lambda_min by the
smallest KS distance, empirical CDF i/n at the i-th smallest tail value, every distinct eigenvalue
but the largest a candidate), on eigenvalues lambda = sigma^2 of a few matrices' singular values.
Run: python3 scripts/golden/measures_esd.py   (writes test/fixtures/measures/esd.json)
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'measures')
rng = np.random.default_rng(12)


def fit(sv, zero_tol=1e-10):
    sv = np.abs(np.asarray(sv, dtype=np.float64))
    lam = np.sort(sv[sv > zero_tol * sv.max()] ** 2)
    best = None
    cands = np.unique(lam)[:-1]
    for xmin in cands:
        tail = lam[lam >= xmin]
        n = tail.size
        alpha = 1.0 + n / np.sum(np.log(tail / xmin))
        theo = 1.0 - (tail / xmin) ** (1.0 - alpha)
        emp = np.arange(n) / n
        d = np.max(np.abs(theo - emp))
        if best is None or d < best[2]:
            best = (alpha, xmin, d, n)
    alpha, xmin, d, n = best
    return {'alpha': alpha, 'alphaWeighted': alpha * np.log10(lam[-1]), 'lambdaMin': xmin, 'tail': int(n), 'ks': d,
            'sigma': (alpha - 1) / np.sqrt(n), 'logSpectralNorm': float(np.log10(lam[-1]))}


cases = {}
g = rng.standard_normal((200, 100))
cases['gaussian 200x100 (Marchenko-Pastur)'] = np.linalg.svd(g, compute_uv=False)
t = rng.standard_t(2.5, (300, 150))
cases['student-t(2.5) 300x150 (heavy-tailed)'] = np.linalg.svd(t, compute_uv=False)
# ties, numerical zeros and an unsorted order
tied = np.concatenate([np.full(5, 2.0), np.full(7, 1.0), np.linspace(3, 9, 20), [1e-14, 0.0]])
cases['ties and zeros'] = rng.permutation(tied)
low = np.linalg.svd(rng.standard_normal((60, 12)) @ rng.standard_normal((12, 80)), compute_uv=False)
cases['rank 12 of 60x80'] = low
os.makedirs(OUT, exist_ok=True)
json.dump({k: {'sv': v.tolist(), 'fit': fit(v)} for k, v in cases.items()}, open(os.path.join(OUT, 'esd.json'), 'w'), indent=1)
print('wrote', os.path.join(OUT, 'esd.json'))
