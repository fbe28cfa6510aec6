"""Independent reference for the lab's `merr` estimator (Szabo et al. 2016 two-stage regression).

numpy + scipy (cdist) + scikit-learn (KernelRidge on a precomputed kernel for the exact solves,
Ridge on Nystroem features C W^(-1/2) for the Nystroem solves), written without looking at the
TypeScript arithmetic: only the conventions are shared (documented in src/lab/models/merr.ts):
  - inputs standardised per coordinate with the training mean and population sd;
  - sigma1 = c1 * median pairwise distance of the standardised training samples, taken over up to
    300 samples at stride floor(N/300) (upper median);
  - sigma2 = c2 * median embedding distance over pairs among the first <= 300 training bags
    (exact) or between those bags and the landmarks after them (Nystroem);
  - k-fold CV with fold(i) = i mod k, targets centred by the fold's training mean, ridge term
    (number of fitting bags) * lambda; ties go to the first grid point in order c1, c2, lambda;
  - Nystroem landmarks i = floor(j m / r).
pip install --no-index --find-links /opt/pypi/files scikit-learn scipy
Run: python3 scripts/golden/lab_merr.py  ->  test/fixtures/lab/merr.json
"""
import json
import math
import os

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'lab', 'merr.json')


def make_bags(rng, m, n):
    """Rotated 2-D Gaussians, label = entropy of the first coordinate (Szabo et al. Sec. 6.2)."""
    th = rng.uniform(0, math.pi, m)
    bags = np.empty((m, n, 2))
    y = np.empty(m)
    for i in range(m):
        c, s = math.cos(th[i]), math.sin(th[i])
        L = np.array([[c, -s], [s, c]]) @ np.diag([1.0, 3.0])
        bags[i] = rng.standard_normal((n, 2)) @ L.T
        var1 = c * c * 1 + s * s * 9
        y[i] = 0.5 * math.log(2 * math.pi * math.e * var1)
    return bags, y


def median_heuristic(z):
    count = z.shape[0]
    k = min(count, 300)
    step = max(1, count // k)
    pts = z[np.arange(k) * step]
    d = cdist(pts, pts)
    iu = np.triu_indices(k, 1)
    ds = np.sort(d[iu])
    return float(ds[len(ds) // 2])


def emb_gram(A, B, sigma):
    """<mu_i, nu_j> = mean_ab exp(-|a - b|^2 / 2 sigma^2)."""
    out = np.empty((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            out[i, j] = np.exp(-cdist(A[i], B[j], 'sqeuclidean') / (2 * sigma * sigma)).mean()
    return out


def self_gram(A, sigma):
    return np.array([emb_gram(A[i:i + 1], A[i:i + 1], sigma)[0, 0] for i in range(A.shape[0])])


def median_emb(D2, rows_idx, cols_idx):
    k = min(len(rows_idx), 300)
    ds = []
    for i in range(k):
        for c, j in enumerate(cols_idx):
            if j > i and j < k:
                ds.append(math.sqrt(max(0.0, D2[i, c])))
    ds.sort()
    return ds[len(ds) // 2]


def fit(bags, y, test, c1s, c2s, lams, folds, landmarks=None):
    m, n, d = bags.shape
    flat = bags.reshape(-1, d)
    mu, sd = flat.mean(0), flat.std(0)
    Z = (bags - mu) / sd
    Zt = (test - mu) / sd
    s0 = median_heuristic(Z.reshape(-1, d))
    cols = list(range(m)) if landmarks is None else [j * m // landmarks for j in range(landmarks)]
    foldsets = [([i for i in range(m) if i % folds != f], [i for i in range(m) if i % folds == f]) for f in range(folds)]
    cv = []
    best = None
    for c1 in c1s:
        s1 = c1 * s0
        G = emb_gram(Z, Z[cols], s1)
        dg = self_gram(Z, s1)
        D2 = np.maximum(0, dg[:, None] + dg[cols][None, :] - 2 * G)
        e0 = median_emb(D2, list(range(m)), cols)
        for c2 in c2s:
            K = np.exp(-D2 / (2 * (c2 * e0) ** 2))
            for lam in lams:
                sse = 0.0
                for tr, va in foldsets:
                    t = y[tr] - y[tr].mean()
                    p = y[tr].mean() + solve(K, cols, tr, t, lam, landmarks, va)
                    sse += float(((p - y[va]) ** 2).sum())
                cv.append({'c1': c1, 'c2': c2, 'lambda': lam, 'mse': sse / m})
                if best is None or sse / m < best[3]:
                    best = (c1, c2, lam, sse / m, c2 * e0)
    c1, c2, lam, cvm, s2 = best
    s1 = c1 * s0
    G = emb_gram(Z, Z[cols], s1)
    dg = self_gram(Z, s1)
    K = np.exp(-np.maximum(0, dg[:, None] + dg[cols][None, :] - 2 * G) / (2 * s2 * s2))
    Gt = emb_gram(Zt, Z[cols], s1)
    dt = self_gram(Zt, s1)
    Kt = np.exp(-np.maximum(0, dt[:, None] + dg[cols][None, :] - 2 * Gt) / (2 * s2 * s2))
    allidx = list(range(m))
    yb = y.mean()
    pred_test = yb + solve(K, cols, allidx, y - yb, lam, landmarks, None, Kt)
    pred_train = yb + solve(K, cols, allidx, y - yb, lam, landmarks, allidx)
    return {
        'sigma1': s1, 'sigma2': s2, 'lambda': lam, 'cvMse': cvm, 'cv': cv,
        'predTest': pred_test.tolist(), 'trainMse': float(((pred_train - y) ** 2).mean()),
    }


def solve(K, cols, tr, t, lam, landmarks, va, Kq=None):
    """Fits on rows tr, predicts rows va of K (or the rows of Kq)."""
    s = len(tr)
    if landmarks is None:
        kr = KernelRidge(alpha=s * lam, kernel='precomputed')
        kr.fit(K[np.ix_(tr, tr)], t)
        q = Kq[:, tr] if Kq is not None else K[np.ix_(va, tr)]
        return kr.predict(q)
    # Nystroem: features C W^(-1/2); ridge with alpha = s * lambda, no intercept
    W = K[cols]
    w, V = np.linalg.eigh(W)
    w = np.maximum(w, 1e-12 * w.max())
    Wih = V @ np.diag(w ** -0.5) @ V.T
    rg = Ridge(alpha=s * lam, fit_intercept=False, solver='cholesky')
    rg.fit(K[tr] @ Wih, t)
    q = Kq if Kq is not None else K[va]
    return rg.predict(q @ Wih)


def main():
    rng = np.random.default_rng(20161)
    bags, y = make_bags(rng, 40, 12)
    test, ytest = make_bags(rng, 15, 12)
    grid = {'sigma1': [0.5, 1.0, 2.0], 'sigma2': [0.5, 1.0], 'lambdas': [1e-4, 1e-2, 1.0], 'folds': 4}
    exact = fit(bags, y, test, grid['sigma1'], grid['sigma2'], grid['lambdas'], grid['folds'])
    nys = fit(bags, y, test, grid['sigma1'], grid['sigma2'], grid['lambdas'], grid['folds'], landmarks=8)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'bags': bags.ravel().tolist(), 'y': y.tolist(), 'test': test.ravel().tolist(), 'yTest': ytest.tolist(),
                   'm': 40, 'mTest': 15, 'n': 12, 'd': 2, 'grid': grid, 'exact': exact, 'nystrom': {'landmarks': 8, **nys}}, f)
    print('exact', exact['sigma1'], exact['sigma2'], exact['lambda'], exact['cvMse'])
    print('nystrom', nys['sigma1'], nys['sigma2'], nys['lambda'], nys['cvMse'])


if __name__ == '__main__':
    main()
