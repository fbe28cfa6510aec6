"""The spec's quantities and bounds in plain numpy (../shared/spec/spectrum-adaptive-bound.md and the
baselines documented in src/bounds/*.ts), shared by the analyze_* golden scripts. Independent of
genbound: dense products, full numpy SVDs, float64."""
import math
import numpy as np

TINY = np.finfo(np.float64).tiny


def matrix_quantities(w, tol=1e-10):
    s = np.linalg.svd(w, compute_uv=False)
    thr = tol * min(w.shape) * max(s[0], 1.0)
    return dict(rows=w.shape[0], cols=w.shape[1], sv=s, rank=int(np.sum(s > thr)), spectralNorm=float(s[0]),
                frobeniusNorm=float(np.sqrt(np.sum(w * w))), nuclearNorm=float(np.sum(s)),
                norm21=float(np.sum(np.sqrt(np.sum(w * w, axis=0)))), norm11=float(np.sum(np.abs(w))),
                stableRank=float(np.sum(s ** 2) / s[0] ** 2) if s[0] > 0 else 0.0)


def theory_matrices(layers):
    """layers: list of dict(qk=[N x N per head], v=[N x N per head], m_in=N x F, m_out=F x N,
    qk_params=[count per head], v_params=[...])  ->  list of matrix dicts in pipeline order."""
    out = []
    for l, ly in enumerate(layers):
        for h in range(len(ly["qk"])):
            out.append(dict(layer=l, head=h, type="QK", w=ly["qk"][h], params=ly["qk_params"][h]))
            out.append(dict(layer=l, head=h, type="V_tilde", w=ly["v"][h], params=ly["v_params"][h]))
        out.append(dict(layer=l, head=-1, type="M_in", w=ly["m_in"], params=ly["m_in"].size))
        out.append(dict(layer=l, head=-1, type="M_out", w=ly["m_out"], params=ly["m_out"].size))
    return out


def analyse(layers, hidden, lphi=1.13, tol=1e-10, grid_m=None):
    mats = theory_matrices(layers)
    for m in mats:
        m.update(matrix_quantities(m["w"], tol))
    L, N = len(layers), hidden
    H = len(layers[0]["qk"])

    def get(l, t, h=-1):
        return next(m for m in mats if m["layer"] == l and m["type"] == t and m["head"] == h)

    def factor(k):
        heads = sum(get(k, "V_tilde", h)["spectralNorm"] * (1 + 4 * get(k, "QK", h)["spectralNorm"]) for h in range(H))
        return lphi * get(k, "M_in")["spectralNorm"] * get(k, "M_out")["spectralNorm"] * heads

    alpha = [float(np.prod([factor(k) for k in range(l + 1, L)])) for l in range(L)]

    def gamma(m):
        l, t = m["layer"], m["type"]
        c_out, c_in = get(l, "M_out")["spectralNorm"], get(l, "M_in")["spectralNorm"]
        if t == "QK":
            return 2 * get(l, "V_tilde", m["head"])["spectralNorm"] * c_out * c_in
        return {"V_tilde": c_out * c_in, "M_in": c_out, "M_out": 1.0}[t]

    m_grid = grid_m or math.ceil(L + math.log(N))
    grid = [i / m_grid for i in range(2 * m_grid + 1)]
    ours = math.sqrt(L)
    for m in mats:
        scale = max(gamma(m) * alpha[m["layer"]] * L, TINY)
        sv = m["sv"][: m["rank"]]
        ts = []
        for p in grid:
            S = float(m["rank"]) if p == 0 else float(np.sum(sv ** p))
            ts.append(S ** (1 / (p + 2)) * scale ** (p / (p + 2)) * N ** ((p + 1) / (p + 2)))
        i = int(np.argmin(ts))
        m.update(alpha=alpha[m["layer"]], gamma=gamma(m), pOpt=grid[i], contribution=ts[i])
        ours += ts[i]

    total = 1.0
    for l in range(L):
        mo, mi = get(l, "M_out")["spectralNorm"], get(l, "M_in")["spectralNorm"]
        xi = sum((mo * mi * get(l, "V_tilde", h)["spectralNorm"] * get(l, "QK", h)["norm21"]) ** (2 / 3)
                 + (mo * mi * get(l, "V_tilde", h)["norm21"]) ** (2 / 3) for h in range(H))
        xi += (mo * get(l, "M_in")["norm21"]) ** (2 / 3) + get(l, "M_out")["norm21"] ** (2 / 3)
        total += alpha[l] ** (2 / 3) * xi
    edelman = total ** 1.5

    chain = []
    for l in range(L):
        vl = sum(get(l, "V_tilde", h)["w"] for h in range(H))
        for w, rho in ((vl, 1.0), (get(l, "M_in")["w"], lphi), (get(l, "M_out")["w"], 1.0)):
            chain.append((np.linalg.norm(w, 2), np.sum(np.linalg.norm(w, axis=0)), np.linalg.norm(w, "fro"), rho))
    bft = np.prod([r * s for s, _, _, r in chain]) * sum((n21 / s) ** (2 / 3) for s, n21, _, _ in chain) ** 1.5
    frob = np.prod([r * f for _, _, f, r in chain])
    n11_prod = 1.0
    for l in range(L):
        heads = sum(get(l, "V_tilde", h)["norm11"] * (1 + 4 * get(l, "QK", h)["norm11"]) for h in range(H))
        n11_prod *= lphi * get(l, "M_in")["norm11"] * get(l, "M_out")["norm11"] * heads
    bounds = dict(spectrumAdaptive=float(ours), edelman=float(edelman), bartlett=float(bft), frobeniusProduct=float(frob),
                  paramCount=int(sum(m["params"] for m in mats)), norm11Sum=float(sum(m["norm11"] for m in mats)),
                  norm11Product=float(n11_prod))
    keys = ["layer", "head", "type", "rows", "cols", "rank", "spectralNorm", "frobeniusNorm", "nuclearNorm", "norm21", "norm11",
            "stableRank", "alpha", "gamma", "pOpt", "contribution"]
    return dict(gridM=m_grid, bounds=bounds, matrices=[{k: m[k] for k in keys} for m in mats])
