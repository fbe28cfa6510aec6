"""Independent fixtures and golden values for the report tests (test/report/).

Builds small random Transformers (row-vector convention x -> x W, as in
/work/shared/spec/spectrum-adaptive-bound.md), computes with numpy alone every per-matrix quantity,
the spectrum-adaptive proxy (T(p) curves, optimal p, contributions) and the Edelman baseline, and
writes:
  test/fixtures/report/analysis.json  an AnalysisResult (camelCase, as src/types/analysis.ts)
  test/fixtures/report/compare.json   a CompareResult over a depth x width grid
  test/fixtures/report/golden.json    what the report must show, computed here independently:
      log-binned ESD densities per matrix type, contributions by type, T(pOpt)/T(0) per matrix,
      growth ratios and fitted log-log slopes.
Run: python3 scripts/golden/report_fixture.py   (numpy only; deterministic seed)
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "report")
LPHI = 1.13
TOL = 1e-10
TINY = np.finfo(np.float64).tiny


def weights(rng, rows, cols, decay):
    """Gaussian matrix with a power-law singular value profile, like trained weights."""
    u, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
    v, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    k = min(rows, cols)
    s = (np.arange(1, k + 1) ** -decay) * math.exp(rng.uniform(math.log(0.7), math.log(2.5)))
    return (u[:, :k] * s) @ v[:, :k].T


def measures(m, n_hidden):
    sv = np.linalg.svd(m, compute_uv=False)
    rank = int(np.sum(sv > TOL * min(m.shape) * max(sv[0], 1.0)))
    return {
        "rows": m.shape[0], "cols": m.shape[1], "rank": rank,
        "spectralNorm": float(sv[0]), "frobeniusNorm": float(np.sqrt(np.sum(sv ** 2))),
        "nuclearNorm": float(np.sum(sv)), "norm21": float(np.sum(np.linalg.norm(m, axis=0))),
        "norm11": float(np.sum(np.abs(m))), "stableRank": float(np.sum(sv ** 2) / sv[0] ** 2),
        "_sv": sv,
    }


def model(rng, L, N, head_dim=16):
    H = N // head_dim
    mats = []
    for l in range(L):
        wq, wk, wv = (weights(rng, N, N, 0.3) for _ in range(3))
        wo = weights(rng, N, N, 0.3)
        win, wout = weights(rng, N, 4 * N, 0.5), weights(rng, 4 * N, N, 0.5)
        for h in range(H):
            hs = slice(h * head_dim, (h + 1) * head_dim)
            mats.append(dict(layer=l, head=h, type="QK", **measures(wq[:, hs] @ wk[:, hs].T, N)))
            mats.append(dict(layer=l, head=h, type="V_tilde", **measures(wv[:, hs] @ wo[hs, :], N)))
        mats.append(dict(layer=l, head=-1, type="M_in", **measures(win, N)))
        mats.append(dict(layer=l, head=-1, type="M_out", **measures(wout, N)))
    # alpha_l, gamma (spec), in log space
    c2 = {(m["layer"], m["head"], m["type"]): m["spectralNorm"] for m in mats}
    def layer_log_factor(k):
        s = sum(c2[(k, h, "V_tilde")] * (1 + 4 * c2[(k, h, "QK")]) for h in range(H))
        return math.log(LPHI) + math.log(c2[(k, -1, "M_in")]) + math.log(c2[(k, -1, "M_out")]) + math.log(s)
    log_alpha = [sum(layer_log_factor(k) for k in range(l + 1, L)) for l in range(L)]
    mgrid = math.ceil(L + math.log(N))
    P = np.arange(0, 2 * mgrid + 1) / mgrid
    total = 0.0
    for m in mats:
        l, h, t = m["layer"], m["head"], m["type"]
        mo, mi = c2[(l, -1, "M_out")], c2[(l, -1, "M_in")]
        gamma = {"QK": 2 * c2.get((l, h, "V_tilde"), 0) * mo * mi, "V_tilde": mo * mi, "M_in": mo, "M_out": 1.0}[t]
        sv = m.pop("_sv")
        kept = sv[: m["rank"]]  # consistent convention
        scale = max(gamma * math.exp(log_alpha[l]) * L, TINY)
        logT = []
        for p in P:
            S = m["rank"] if p == 0 else float(np.sum(kept ** p))
            logT.append(math.log(S) / (p + 2) + p / (p + 2) * math.log(scale) + (p + 1) / (p + 2) * math.log(N))
        logT = np.array(logT)
        i = int(np.argmin(logT))
        m.update(alpha=math.exp(log_alpha[l]), gamma=gamma, pOpt=float(P[i]), contribution=float(math.exp(logT[i])),
                 tCurve={"p": [float(x) for x in P], "t": [float(x) for x in np.exp(logT)]},
                 singularValues=[float(x) for x in (kept if t in ("QK", "V_tilde") else sv)])
        total += m["contribution"]
    ours = total + math.sqrt(L)
    # Edelman et al. baseline (spec)
    acc = 0.0
    for l in range(L):
        mo, mi = c2[(l, -1, "M_out")], c2[(l, -1, "M_in")]
        n21 = {(m["head"], m["type"]): m["norm21"] for m in mats if m["layer"] == l}
        xi = sum((mo * mi * c2[(l, h, "V_tilde")] * n21[(h, "QK")]) ** (2 / 3) + (mo * mi * n21[(h, "V_tilde")]) ** (2 / 3) for h in range(H))
        xi += (mo * n21[(-1, "M_in")]) ** (2 / 3) + n21[(-1, "M_out")] ** (2 / 3)
        acc += math.exp(log_alpha[l]) ** (2 / 3) * xi
    edelman = (1 + acc) ** 1.5
    return {
        "model": {"architecture": "bert", "layers": L, "hidden": N, "heads": H, "headDim": head_dim,
                  "intermediate": 4 * N, "name": f"toy-L{L}-H{N}", "source": "scripts/golden/report_fixture.py", "format": "synthetic"},
        "settings": {"lPhi": LPHI, "rankTol": TOL, "gridM": mgrid, "convention": "consistent", "backend": "numpy"},
        "matrices": mats,
        "bounds": {"spectrumAdaptive": ours, "edelman": edelman},
        "notes": ["Synthetic weights with power-law spectra (test fixture).", "Biases, LayerNorm and embeddings are left out."],
    }


def esd(values, bins):
    """Log-spaced bins over [min, max] of the positive values; density per unit sigma (numpy density=True)."""
    v = np.asarray([x for x in values if x > 0])
    edges = np.logspace(np.log10(v.min()), np.log10(v.max()), bins + 1)
    edges[0], edges[-1] = v.min(), v.max()  # exact ends, so rounding in 10**log10 drops no value
    dens, _ = np.histogram(v, bins=edges, density=True)
    counts, _ = np.histogram(v, bins=edges)
    return {"edges": edges.tolist(), "density": dens.tolist(), "counts": counts.tolist()}


def esd_bins(n):
    """The report's rule: ceil(sqrt(n)) bins, clamped to [8, 40]."""
    return int(min(40, max(8, math.ceil(math.sqrt(n)))))


def main():
    rng = np.random.default_rng(20261122)
    a = model(rng, 3, 64)
    golden = {"esd": {}, "byType": {}, "ratioAtOpt": []}
    for t in ("QK", "V_tilde", "M_in", "M_out"):
        vals = [x for m in a["matrices"] if m["type"] == t for x in m["singularValues"]]
        golden["esd"][t] = esd(vals, esd_bins(len([x for x in vals if x > 0])))
        cs = [m["contribution"] for m in a["matrices"] if m["type"] == t]
        golden["byType"][t] = {"count": len(cs), "sum": float(np.sum(cs))}
    for m in a["matrices"]:
        i = m["tCurve"]["p"].index(m["pOpt"])
        golden["ratioAtOpt"].append(m["tCurve"]["t"][i] / m["tCurve"]["t"][0])

    models = []
    for L in (2, 4, 6):
        for N in (32, 64, 128):
            r = model(rng, L, N)
            for m in r["matrices"]:  # keep the compare fixture small
                del m["singularValues"], m["tCurve"]
            models.append(r)
    growth, slopes = [], []
    for b in ("spectrumAdaptive", "edelman"):
        for r in models:
            L, N, v = r["model"]["layers"], r["model"]["hidden"], r["bounds"][b]
            w0 = min((q for q in models if q["model"]["layers"] == L), key=lambda q: q["model"]["hidden"])
            d0 = min((q for q in models if q["model"]["hidden"] == N), key=lambda q: q["model"]["layers"])
            growth.append({"model": r["model"]["name"], "bound": b, "layers": L, "hidden": N, "value": v,
                           "byWidth": v / w0["bounds"][b], "byDepth": v / d0["bounds"][b]})
        for against, key, fixed_key in (("width", "hidden", "layers"), ("depth", "layers", "hidden")):
            for fixed in sorted({r["model"][fixed_key] for r in models}):
                pts = [(r["model"][key], r["bounds"][b]) for r in models if r["model"][fixed_key] == fixed]
                x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
                slopes.append({"bound": b, "against": against, "fixed": fixed, "slope": float(np.polyfit(x, y, 1)[0]), "points": len(pts)})
    compare = {"models": models, "growth": growth, "slopes": slopes}
    os.makedirs(OUT, exist_ok=True)
    for name, obj in (("analysis", a), ("compare", compare), ("golden", golden)):
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(obj, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
