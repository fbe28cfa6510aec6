"""Independent ground truths for the lab's functionals and attention operator (numpy only).

Computed by brute force on very fine grids (midpoint rule with 2e6 cells, cumulative sums for the
CDF), numpy's own Gauss-Hermite/Legendre rules (numpy.polynomial), and closed forms written
independently of src/lab. Output: test/fixtures/lab/functionals.json.
Run: python3 scripts/golden/lab_functionals.py
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'lab', 'functionals.json')
SIGMA = 0.25
Q = 0.9


def grid_stats(lo, hi, pdf, cells=2_000_000):
    h = (hi - lo) / cells
    x = lo + h * (np.arange(cells) + 0.5)
    p = pdf(x)
    w = p * h
    w = w / w.sum()
    F = np.cumsum(w)
    mean = float((w * x).sum())
    m2 = float((w * x * x).sum())
    var = float((w * (x - mean) ** 2).sum())
    Fm = F - w / 2  # CDF at cell midpoints
    gini = float(2 * (Fm * (1 - Fm)).sum() * h)
    median = float(np.interp(0.5, F, x + h / 2))
    qv = float(np.interp(Q, F, x + h / 2))
    pp = p / (p * h).sum()
    with np.errstate(divide='ignore', invalid='ignore'):
        ent = float(-np.where(pp > 0, pp * np.log(pp), 0.0).sum() * h)
    # kernel self-similarity: Gauss-Legendre after the smoothstep substitution
    # x = lo + (hi - lo) s(t), s(t) = t^3 (10 - 15 t + 6 t^2), which tames edge singularities
    t, wt = np.polynomial.legendre.leggauss(2000)
    t = (t + 1) / 2
    wt = wt / 2
    x2 = lo + (hi - lo) * t ** 3 * (10 - 15 * t + 6 * t ** 2)
    w2 = pdf(x2) * (hi - lo) * 30 * t ** 2 * (1 - t) ** 2 * wt
    w2 = w2 / w2.sum()
    K = np.exp(-((x2[:, None] - x2[None, :]) ** 2) / (2 * SIGMA ** 2))
    kern = float(w2 @ K @ w2)
    return dict(mean=mean, smooth=math.sin(3 * mean) + m2, variance=var, gini=gini, kernel=kern,
                median=median, quantile=qv, entropy=ent)


def beta_pdf(a, b):
    lnB = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    def pdf(x):
        xc = np.clip(x, 1e-300, 1 - 1e-16)
        v = np.exp((a - 1) * np.log(xc) + (b - 1) * np.log1p(-xc) - lnB)
        return np.where((x > 0) & (x < 1), v, 0.0)
    return pdf


erf = np.vectorize(math.erf)


def gmix_pdf(w, m, s):
    return lambda x: sum(wi * np.exp(-0.5 * ((x - mi) / si) ** 2) / (si * math.sqrt(2 * math.pi)) for wi, mi, si in zip(w, m, s))


def teacher(points, weights, Qm, Km, Vm, a, c, inner=None):
    """T(mu) = int a.tanh(Att_mu(x) + c) dmu(x); inner = (points, weights) of a finer rule for the
    inner (attention) integral, defaulting to the outer one."""
    ip, iw = inner if inner is not None else (points, weights)
    q = points @ Qm.T
    k = ip @ Km.T
    v = ip @ Vm.T
    with np.errstate(divide='ignore'):
        L = q @ k.T + np.log(iw)[None, :]  # log space: the tilt may sit far in the tails
    L = L - L.max(axis=1, keepdims=True)
    E = np.exp(L)
    att = (E @ v) / E.sum(axis=1, keepdims=True)
    return float(weights @ (np.tanh(att + c[None, :]) @ a))


rs = np.random.default_rng(2026)
cases = []
heads = {}
for d in (1, 2, 4):
    sc = 0.5 if d == 2 else 1.0
    heads[d] = dict(Q=rs.normal(0, sc / math.sqrt(d), (4, d)), K=rs.normal(0, sc / math.sqrt(d), (4, d)),
                    V=rs.normal(0, 1 / math.sqrt(d), (4, d)), a=rs.normal(0, 0.5, 4), c=rs.normal(0, 0.5, 4))

# Beta
for a, b in [(2.5, 1.5), (1.3, 4.0), (3.0, 3.0)]:
    st = grid_stats(0.0, 1.0, beta_pdf(a, b))
    st['mean_closed'] = a / (a + b)
    xg, wg = np.polynomial.legendre.leggauss(3000)
    xg = (xg + 1) / 2
    wq = wg / 2 * beta_pdf(a, b)(xg)
    wq = wq / wq.sum()
    H = heads[1]
    st['teacher'] = teacher(xg[:, None], wq, H['Q'], H['K'], H['V'], H['a'], H['c'])
    cases.append(dict(kind='beta', params=dict(a=a, b=b), truth=st))

# Gaussian mixtures
for w, m, s in [([0.3, 0.7], [-1.0, 1.0], [0.5, 0.3]), ([0.2, 0.5, 0.3], [-1.5, 0.0, 2.0], [0.4, 0.8, 0.3])]:
    lo, hi = min(mi - 10 * si for mi, si in zip(m, s)), max(mi + 10 * si for mi, si in zip(m, s))
    st = grid_stats(lo, hi, gmix_pdf(w, m, s))
    # kernel self-similarity closed form for Gaussian mixtures
    kc = 0.0
    for wi, mi, si in zip(w, m, s):
        for wj, mj, sj in zip(w, m, s):
            v = SIGMA ** 2 + si ** 2 + sj ** 2
            kc += wi * wj * SIGMA / math.sqrt(v) * math.exp(-(mi - mj) ** 2 / (2 * v))
    st['kernel_closed'] = kc
    # outer integral: Gauss-Hermite; inner (attention) integral: a 100k-cell midpoint grid
    z, wz = np.polynomial.hermite_e.hermegauss(60)
    wz = wz / wz.sum()
    pts = np.concatenate([mi + si * z for mi, si in zip(m, s)])
    wts = np.concatenate([wi * wz for wi in w])
    hg = (hi - lo) / 100_000
    xi = lo + hg * (np.arange(100_000) + 0.5)
    wi_ = gmix_pdf(w, m, s)(xi) * hg
    H = heads[1]
    st['teacher'] = teacher(pts[:, None], wts, H['Q'], H['K'], H['V'], H['a'], H['c'], inner=(xi[:, None], wi_ / wi_.sum()))
    cases.append(dict(kind='gmix', params=dict(w=w, means=m, sds=s), truth=st))

# Rotated Gaussians: entropy of the first coordinate and the 2-D teacher
for th in (0.3, 1.2):
    lam = (1.0, 9.0)
    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    Lm = R @ np.diag(np.sqrt(lam))
    s11 = (Lm @ Lm.T)[0, 0]
    z, wz = np.polynomial.hermite_e.hermegauss(24)
    wz = wz / wz.sum()
    Z = np.stack(np.meshgrid(z, z, indexing='ij'), -1).reshape(-1, 2)
    W = np.outer(wz, wz).reshape(-1)
    pts = Z @ Lm.T
    # inner integral on a midpoint grid over [-40, 40]^2 in z space (h = 0.2; the midpoint rule converges geometrically for such analytic integrands): wide enough for the
    # exponential tilt of every outer node (the d = 2 head is scaled down by 0.5 for this)
    g = np.linspace(-40, 40, 401)
    gm = (g[1:] + g[:-1]) / 2
    ZI = np.stack(np.meshgrid(gm, gm, indexing='ij'), -1).reshape(-1, 2)
    # unnormalised weights exp(-|z|^2/2) kept in log space by teacher(); normalisation cancels
    WI = np.exp(-(ZI ** 2).sum(axis=1) / 2 + 700)
    YI = ZI @ Lm.T
    H = heads[2]
    tv = 0.0
    for part in np.array_split(np.arange(len(W)), 96):
        tv += teacher(pts[part], W[part], H['Q'], H['K'], H['V'], H['a'], H['c'], inner=(YI, WI))
    st = dict(entropy=0.5 * math.log(2 * math.pi * math.e * s11), variance=s11, teacher=tv)
    cases.append(dict(kind='rotgauss', params=dict(angle=th, lambda1=lam[0], lambda2=lam[1]), truth=st))

# A token law (exact sums)
V, d = 6, 4
emb = rs.normal(0, 1, (V, d))
emb[:, 0] = np.arange(V) / (V - 1)
p = rs.dirichlet(np.ones(V))
x = emb[:, 0]
mean = float(p @ x)
cdf = np.cumsum(p)
H = heads[4]
st = dict(mean=mean, smooth=math.sin(3 * mean) + float(p @ x ** 2), variance=float(p @ (x - mean) ** 2),
          gini=float(p @ np.abs(x[:, None] - x[None, :]) @ p),
          kernel=float(p @ np.exp(-((x[:, None] - x[None, :]) ** 2) / (2 * SIGMA ** 2)) @ p),
          median=float(x[np.argmax(cdf >= 0.5 - 1e-15)]), quantile=float(x[np.argmax(cdf >= Q - 1e-15)]),
          entropy=float(-(p * np.log(p)).sum()), teacher=teacher(emb, p, H['Q'], H['K'], H['V'], H['a'], H['c']))
cases.append(dict(kind='token', params=dict(p=p.tolist(), emb=emb.reshape(-1).tolist(), d=d), truth=st))

# Softmax self-attention on a bag (the empirical measure): batched reference
X = rs.normal(0, 1, (2, 7, 3))
Qa, Ka, Va = (rs.normal(0, 0.8, (5, 3)) for _ in range(3))
outs = []
for b in range(X.shape[0]):
    S = (X[b] @ Qa.T) @ (X[b] @ Ka.T).T
    S = S - S.max(axis=1, keepdims=True)
    P = np.exp(S)
    P = P / P.sum(axis=1, keepdims=True)
    outs.append((P @ (X[b] @ Va.T)).tolist())
attention = dict(X=X.tolist(), Q=Qa.tolist(), K=Ka.tolist(), V=Va.tolist(), out=outs)

res = dict(sigma=SIGMA, q=Q, heads={str(k): {kk: np.asarray(vv).tolist() for kk, vv in v.items()} for k, v in heads.items()},
           cases=cases, attention=attention)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(res, f, indent=1)
print('wrote', OUT)
