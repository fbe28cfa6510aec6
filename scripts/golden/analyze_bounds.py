#!/usr/bin/env python3
"""Golden values for test/bounds and test/measures, computed with numpy INDEPENDENTLY of genbound,
straight from ../shared/spec/spectrum-adaptive-bound.md (and the baseline formulas documented in
src/bounds/*.ts). Writes test/fixtures/analyze/bounds.json.

A small model (L=3 layers, N=16, 2 heads of dim 8, FFN 64) with constructed spectra at mixed scales,
so that the optimal Schatten index is 0 for some matrices, 2 for others and in between for others.
Run: python3 scripts/golden/analyze_bounds.py
"""
import json, math, os, sys
import numpy as np

rng = np.random.default_rng(20261122)
L, N, H, D, F = 3, 16, 2, 8, 64
LPHI, TOL = 1.13, 1e-10
TINY = np.finfo(np.float64).tiny


def orth(n, k):
    q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    return q


def factors(s):
    """N x D and D x N factors whose product has singular values s (zeros allowed), with a random
    invertible mixing G so the factors themselves are not orthogonal."""
    u, v = orth(N, D), orth(N, D)
    g = rng.standard_normal((D, D)) + 3 * np.eye(D)
    a = u @ np.diag(s) @ g
    b = np.linalg.solve(g, v.T)
    return a, b


def dense(rows, cols, s):
    k = len(s)
    return orth(rows, k) @ np.diag(s) @ orth(cols, k).T


# Scales per layer: large in layer 0 (tiny alphas downstream are not what we want), mixed elsewhere.
layer_scale = [3.0, 0.05, 0.6]
mats = []  # dicts with layer, head, type, factors or dense
for l in range(L):
    c = layer_scale[l]
    for h in range(H):
        sq = c * np.geomspace(2.0, 0.01, D)
        if h == 1:
            sq[5:] = 0.0  # rank-deficient head: rank 5 of 8
        sv = c * np.geomspace(1.5, 0.2, D) * (0.3 if h == 1 else 1.0)
        a, b = factors(sq)
        mats.append(dict(layer=l, head=h, type="QK", a=a, b=b))
        a, b = factors(sv)
        mats.append(dict(layer=l, head=h, type="V_tilde", a=a, b=b))
    mats.append(dict(layer=l, head=-1, type="M_in", w=dense(N, F, c * np.geomspace(4.0, 1e-3, N))))
    mats.append(dict(layer=l, head=-1, type="M_out", w=dense(F, N, np.geomspace(0.9, 0.5, N) / max(c, 0.3))))

for m in mats:
    m["full"] = m["a"] @ m["b"] if "a" in m else m["w"]
    w = m["full"]
    s = np.linalg.svd(w, compute_uv=False)
    m["sv"] = s
    thr = TOL * min(w.shape) * max(s[0], 1.0)
    m["rank"] = int(np.sum(s > thr))
    m["spectral"] = float(s[0])
    m["frob"] = float(np.sqrt(np.sum(w * w)))
    m["nuclear"] = float(np.sum(s))
    m["norm21"] = float(np.sum(np.sqrt(np.sum(w * w, axis=0))))  # column norms
    m["norm11"] = float(np.sum(np.abs(w)))
    m["stable"] = float(np.sum(s ** 2) / s[0] ** 2)
    # Non-zero part of the spectrum (what the factored path returns: min(rows, inner, cols) values).
    k = min(w.shape[0], w.shape[1], m["a"].shape[1]) if "a" in m else min(w.shape)
    m["sv_thin"] = s[:k]


def get(l, t, h=-1):
    return next(m for m in mats if m["layer"] == l and m["type"] == t and m["head"] == h)


def layer_factor(k):
    heads = sum(get(k, "V_tilde", h)["spectral"] * (1 + 4 * get(k, "QK", h)["spectral"]) for h in range(H))
    return LPHI * get(k, "M_in")["spectral"] * get(k, "M_out")["spectral"] * heads


alpha = [float(np.prod([layer_factor(k) for k in range(l + 1, L)])) for l in range(L)]


def gamma(m):
    l, t = m["layer"], m["type"]
    if t == "QK":
        return 2 * get(l, "V_tilde", m["head"])["spectral"] * get(l, "M_out")["spectral"] * get(l, "M_in")["spectral"]
    if t == "V_tilde":
        return get(l, "M_out")["spectral"] * get(l, "M_in")["spectral"]
    if t == "M_in":
        return get(l, "M_out")["spectral"]
    return 1.0


def S(sv, rank, p, convention):
    if p == 0:
        return float(rank)
    vals = sv[:rank] if convention == "consistent" else sv
    return float(np.sum(vals ** p))


def T(sv, rank, p, scale, convention):
    scale = max(scale, TINY)
    return S(sv, rank, p, convention) ** (1 / (p + 2)) * scale ** (p / (p + 2)) * N ** ((p + 1) / (p + 2))


def ours(convention, m_grid, use_full):
    grid = [i / m_grid for i in range(2 * m_grid + 1)]
    total, per = 0.0, []
    for m in mats:
        scale = gamma(m) * alpha[m["layer"]] * L
        sv = m["sv"] if use_full else m["sv_thin"]
        ts = [T(sv, m["rank"], p, scale, convention) for p in grid]
        i = int(np.argmin(ts))  # numpy argmin = first minimum
        per.append(dict(pOpt=grid[i], contribution=ts[i], t=ts))
        total += ts[i]
    return total + math.sqrt(L), per, grid


M_DEFAULT = math.ceil(L + math.log(N))
b_cons, per_cons, grid = ours("consistent", M_DEFAULT, False)
b_cons_full, _, _ = ours("consistent", M_DEFAULT, True)
assert abs(b_cons - b_cons_full) < 1e-9 * b_cons  # the zero block plays no part in `consistent`
b_ref, per_ref, _ = ours("reference", M_DEFAULT, True)
b_m5, per_m5, _ = ours("consistent", 5, False)

popts = sorted(set(p["pOpt"] for p in per_cons))
assert 0.0 in popts and 2.0 in popts and any(0 < p < 2 for p in popts), popts

# Edelman et al. proxy.
total = 1.0
for l in range(L):
    mo, mi = get(l, "M_out")["spectral"], get(l, "M_in")["spectral"]
    xi = 0.0
    for h in range(H):
        v, qk = get(l, "V_tilde", h), get(l, "QK", h)
        xi += (mo * mi * v["spectral"] * qk["norm21"]) ** (2 / 3) + (mo * mi * v["norm21"]) ** (2 / 3)
    xi += (mo * get(l, "M_in")["norm21"]) ** (2 / 3) + get(l, "M_out")["norm21"] ** (2 / 3)
    total += alpha[l] ** (2 / 3) * xi
edelman = total ** 1.5

# Chain for Bartlett-Foster-Telgarsky and the Frobenius product: V_l = sum_h V_tilde, M_in, M_out.
chain = []
for l in range(L):
    vl = sum(get(l, "V_tilde", h)["full"] for h in range(H))
    for w, rho in ((vl, 1.0), (get(l, "M_in")["full"], LPHI), (get(l, "M_out")["full"], 1.0)):
        chain.append(dict(spectral=float(np.linalg.norm(w, 2)), norm21=float(np.sum(np.linalg.norm(w, axis=0))),
                          frobenius=float(np.linalg.norm(w, "fro")), rho=rho))
bft = np.prod([c["rho"] * c["spectral"] for c in chain]) * sum((c["norm21"] / c["spectral"]) ** (2 / 3) for c in chain) ** 1.5
frob = np.prod([c["rho"] * c["frobenius"] for c in chain])

# (1,1) quantities.
n11_sum = sum(m["norm11"] for m in mats)
n11_prod = 1.0
for l in range(L):
    heads = sum(get(l, "V_tilde", h)["norm11"] * (1 + 4 * get(l, "QK", h)["norm11"]) for h in range(H))
    n11_prod *= LPHI * get(l, "M_in")["norm11"] * get(l, "M_out")["norm11"] * heads

params = sum(m["a"].size + m["b"].size if "a" in m else m["w"].size for m in mats)


def mat_json(m, i):
    out = dict(layer=m["layer"], head=m["head"], type=m["type"], rows=m["full"].shape[0], cols=m["full"].shape[1],
               rank=m["rank"], spectralNorm=m["spectral"], frobeniusNorm=m["frob"], nuclearNorm=m["nuclear"],
               norm21=m["norm21"], norm11=m["norm11"], stableRank=m["stable"],
               svFull=m["sv"].tolist(), svThin=m["sv_thin"].tolist(),
               alpha=alpha[m["layer"]], gamma=gamma(m),
               pOpt=per_cons[i]["pOpt"], contribution=per_cons[i]["contribution"], tCurve=per_cons[i]["t"],
               pOptReference=per_ref[i]["pOpt"], contributionReference=per_ref[i]["contribution"], tCurveReference=per_ref[i]["t"],
               pOptM5=per_m5[i]["pOpt"])
    if "a" in m:
        out["a"] = m["a"].ravel().tolist(); out["aShape"] = list(m["a"].shape)
        out["b"] = m["b"].ravel().tolist(); out["bShape"] = list(m["b"].shape)
    else:
        out["w"] = m["w"].ravel().tolist()
    return out


fixture = dict(
    L=L, N=N, heads=H, headDim=D, intermediate=F, lPhi=LPHI, rankTol=TOL, gridM=M_DEFAULT, grid=grid,
    matrices=[mat_json(m, i) for i, m in enumerate(mats)],
    chain=chain,
    bounds=dict(spectrumAdaptive=b_cons, spectrumAdaptiveReference=b_ref, spectrumAdaptiveM5=b_m5,
                edelman=float(edelman), bartlett=float(bft), frobeniusProduct=float(frob),
                paramCount=int(params), norm11Sum=float(n11_sum), norm11Product=float(n11_prod)),
)
out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "analyze", "bounds.json")
with open(out, "w") as f:
    json.dump(fixture, f)
print("pOpt values:", popts, "ref pOpt:", sorted(set(p["pOpt"] for p in per_ref)), file=sys.stderr)
print(json.dumps(fixture["bounds"], indent=1), file=sys.stderr)
