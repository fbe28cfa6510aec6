/**
 * ‖A‖₂ without a full SVD: symmetric Lanczos on G = (cA)ᵀ(cA) with full reorthogonalisation, in
 * float64, for both backends (they supply x ↦ G·x in one pass over A, the memory-bound part).
 *
 * Why G and not Golub–Kahan on A: both build the same Krylov space K(AᵀA, v) and need the same
 * number of steps, but G·x streams A once per step instead of twice (A·v, then Aᵀ·u). Squaring
 * costs nothing for the LARGEST value: σ₁² is G's best-conditioned eigenvalue (a perturbation E
 * moves it by ≤ ‖E‖, relative ε·√m for the rounding of G·x), unlike the small ones.
 *
 * After j steps G·Q_j = Q_j·T_j + β_j·q_{j+1}·e_jᵀ with T_j tridiagonal and Q_j orthonormal (each new
 * vector is reorthogonalised against all earlier ones). The top Ritz value θ = λ_max(T_j), found
 * by bisection, never exceeds λ_max(G). For the unit vector s used as its eigenvector (inverse
 * iteration) the residual of the Ritz vector Q_j·s is exactly
 *   r² = ‖T_j·s − θ·s‖² + (β_j·s_j)²,
 * evaluated for the s actually used, so an eigenvalue λ = c²σ² of G lies within r of θ, and
 * |σ − √θ/c| ≤ r/(c·√θ). The iteration stops when r ≤ TOL·θ (σ to about TOL relative), and gives up
 * after a bounded number of steps (the caller then runs the full SVD).
 *
 * The remaining assumption is the usual one of Krylov methods: the pseudo-random start vector is
 * not (numerically) orthogonal to A's top right singular vector, or the iteration converges to the
 * next singular value. For a random start in dimension n an overlap below δ has probability
 * ~δ·√n, and rounding reintroduces a missing component.
 */

/** Relative residual at which θ is accepted: r ≤ TOL·θ, i.e. σ₁ to ~TOL relative. */
export const LANCZOS_TOL = 1e-13;

/**
 * Below this min(m, n) the full SVD is at least as fast (square Gaussian, median of 15, both
 * backends: 128² Lanczos 2.0 vs SVD 1.1 ms native, 192² 2.1 vs 2.7 ms, 256² 2.5 vs 7.2 ms; js
 * 192² 4.5 vs 4.4 ms, 256² 8.7 vs 9.8 ms; 128×512 favours the SVD on both).
 */
export const LANCZOS_MIN_DIM = 192;

/** out ← c²·AᵀA·x (x, out of length cols), one pass over A. */
export type GramApply = (x: Float64Array, out: Float64Array, c: number) => void;

export interface LanczosResult {
  /** √θ/c = σ̃₁ when converged, NaN when not (the caller falls back to the full SVD). */
  sigma: number;
  /** Steps taken (one G·x each). */
  steps: number;
  /** Residual bound r/θ at the last check (relative). */
  relResidual: number;
}

/** ‖x‖ (entries are O(1) here: unit vectors and G·x of a scaled A). */
function norm2(x: Float64Array): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < x.length; i += 2) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
  }
  if (i < x.length) s0 += x[i] * x[i];
  return Math.sqrt(s0 + s1);
}

/**
 * w ← w − Σ (qᵢ·w)·qᵢ over the first `count` rows of Q (row stride len), by modified Gram–Schmidt;
 * a second pass only when the first removed most of w (‖w‖ fell below 1/√2 of its size: Kahan and
 * Parlett's "twice is enough" test), which is when rounding can leave w unorthogonal.
 */
function reorthogonalise(q: Float64Array, count: number, len: number, w: Float64Array): void {
  let before = norm2(w);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < count; i++) {
      const o = i * len;
      let s0 = 0, s1 = 0;
      let c = 0;
      for (; c + 1 < len; c += 2) {
        s0 += q[o + c] * w[c];
        s1 += q[o + c + 1] * w[c + 1];
      }
      if (c < len) s0 += q[o + c] * w[c];
      const s = s0 + s1;
      for (let k = 0; k < len; k++) w[k] -= s * q[o + k];
    }
    const after = norm2(w);
    if (after >= Math.SQRT1_2 * before) return;
    before = after;
  }
}

/** Number of eigenvalues of the j×j symmetric tridiagonal (d, e) below x (Sturm count, LDLᵀ). */
function countBelow(d: Float64Array, e: Float64Array, j: number, x: number): number {
  let count = 0, q = 1;
  for (let i = 0; i < j; i++) {
    const e2 = i > 0 ? e[i - 1] * e[i - 1] : 0;
    q = d[i] - x - (i > 0 ? e2 / q : 0);
    if (q === 0) q = -2.220446049250313e-16 * (Math.abs(x) + 1e-300);
    if (q < 0) count++;
  }
  return count;
}

/** Largest eigenvalue of the j×j symmetric tridiagonal (d, e), by bisection to a few ulps. */
export function tridiagonalMaxEigenvalue(d: Float64Array, e: Float64Array, j: number): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < j; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < j - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  // Invariant: j − 1 eigenvalues at most lo... i.e. countBelow(lo) ≤ j − 1 and countBelow(hi) = j.
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (countBelow(d, e, j, mid) === j) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Solves (T − θI)·z = b for the symmetric tridiagonal T (diagonal d, off-diagonal e) by Gaussian
 * elimination with partial pivoting (as LAPACK's dgtsv); a zero pivot becomes ε (inverse iteration
 * only needs the direction of z).
 */
function solveShifted(d: Float64Array, e: Float64Array, j: number, theta: number, b: Float64Array): Float64Array {
  const tiny = 2.220446049250313e-16 * (Math.abs(theta) + 1e-300);
  const dl = e.slice(0, Math.max(0, j - 1)), du = e.slice(0, Math.max(0, j - 1));
  const dd = new Float64Array(j);
  for (let i = 0; i < j; i++) dd[i] = d[i] - theta;
  const du2 = new Float64Array(j);
  const z = b.slice(0, j);
  for (let i = 0; i < j - 1; i++) {
    if (Math.abs(dd[i]) >= Math.abs(dl[i])) {
      if (dd[i] === 0) dd[i] = tiny;
      const f = dl[i] / dd[i];
      dd[i + 1] -= f * du[i];
      z[i + 1] -= f * z[i];
    } else {
      // Swap rows i and i+1.
      const f = dd[i] / dl[i];
      dd[i] = dl[i];
      const t = dd[i + 1];
      dd[i + 1] = du[i] - f * t;
      du[i] = t;
      if (i < j - 2) {
        du2[i] = du[i + 1];
        du[i + 1] = -f * du2[i];
      }
      const zt = z[i];
      z[i] = z[i + 1];
      z[i + 1] = zt - f * z[i + 1];
    }
  }
  if (dd[j - 1] === 0) dd[j - 1] = tiny;
  z[j - 1] /= dd[j - 1];
  if (j > 1) z[j - 2] = (z[j - 2] - du[j - 2] * z[j - 1]) / dd[j - 2];
  for (let i = j - 3; i >= 0; i--) z[i] = (z[i] - du[i] * z[i + 1] - du2[i] * z[i + 2]) / dd[i];
  return z;
}

/**
 * Residual bound r (see the file comment) of the top Ritz pair of the j×j tridiagonal (d, e) with
 * coupling `betaLast`, for Ritz value theta.
 */
export function ritzResidual(d: Float64Array, e: Float64Array, j: number, betaLast: number, theta: number): number {
  let s: Float64Array = new Float64Array(j).fill(1);
  for (let it = 0; it < 3; it++) {
    s = solveShifted(d, e, j, theta, s);
    const ns = norm2(s);
    if (ns === 0 || !Number.isFinite(ns)) return Infinity;
    for (let i = 0; i < j; i++) s[i] /= ns;
  }
  let r2 = 0;
  for (let i = 0; i < j; i++) {
    const ts = d[i] * s[i] + (i > 0 ? e[i - 1] * s[i - 1] : 0) + (i < j - 1 ? e[i] * s[i + 1] : 0) - theta * s[i];
    r2 += ts * ts;
  }
  const tail = betaLast * s[j - 1];
  return Math.sqrt(r2 + tail * tail);
}

/** Deterministic start vector (xorshift32 uniforms in (−1, 1)), so results reproduce. */
function startVector(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    v[i] = (s + 0.5) / 2147483648 - 1;
  }
  return v;
}

/**
 * σ₁ of the m×n matrix behind `gram` (scaled by c inside), at most `maxSteps` steps. Returns
 * sigma = NaN when the residual bound did not reach LANCZOS_TOL.
 */
export function lanczosSpectralNorm(n: number, gram: GramApply, c: number, maxSteps: number,
  seed = 0x9e3779b9): LanczosResult {
  const steps = Math.max(1, Math.min(maxSteps, n));
  // Krylov basis, grown by doubling: the step cap can be large (k/4) while convergence usually
  // takes ~100 steps, and a 4096×11008 matrix would otherwise reserve 90 MB up front.
  let Q = new Float64Array(Math.min(steps + 1, 64) * n);
  const alpha = new Float64Array(steps), beta = new Float64Array(steps);
  const w = new Float64Array(n);
  const v0 = startVector(n, seed);
  const nv = norm2(v0);
  for (let i = 0; i < n; i++) Q[i] = v0[i] / nv;
  let rel = Infinity;
  for (let j = 0; j < steps; j++) {
    const q = Q.subarray(j * n, (j + 1) * n);
    gram(q, w, c);
    let a = 0;
    for (let i = 0; i < n; i++) a += q[i] * w[i];
    alpha[j] = a;
    for (let i = 0; i < n; i++) w[i] -= a * q[i];
    if (j > 0) {
      const b = beta[j - 1], qp = (j - 1) * n;
      for (let i = 0; i < n; i++) w[i] -= b * Q[qp + i];
    }
    reorthogonalise(Q, j + 1, n, w);
    const b = norm2(w);
    beta[j] = b;
    if ((j + 2) * n > Q.length) {
      const grown = new Float64Array(Math.min(steps + 1, 2 * (j + 2)) * n);
      grown.set(Q);
      Q = grown;
    }
    if (b !== 0) for (let i = 0; i < n; i++) Q[(j + 1) * n + i] = w[i] / b;
    // The check costs O(j) per bisection step: every step early on, then every fourth.
    const last = j + 1 === steps || b === 0;
    if (!last && j >= 40 && j % 4 !== 3) continue;
    const theta = tridiagonalMaxEigenvalue(alpha, beta, j + 1);
    if (!(theta > 0)) {
      // G·q₁ = 0 at the first step with nothing else found: the start vector is useless here.
      if (b === 0) break;
      continue;
    }
    rel = ritzResidual(alpha, beta, j + 1, b, theta) / theta;
    if (rel <= LANCZOS_TOL) return { sigma: Math.sqrt(theta) / c, steps: j + 1, relResidual: rel };
    if (b === 0) break;
  }
  return { sigma: NaN, steps, relResidual: rel };
}

/**
 * Step budget: a step streams A once (memory-bound, ~4mn flops); the full SVD costs ~4mn·k flops
 * at level-3 speed, several times faster per flop, so beyond ~k/4 steps it wins.
 */
export function lanczosMaxSteps(m: number, n: number): number {
  return Math.max(30, Math.floor(Math.min(m, n) / 4));
}

/** The operator Lanczos runs on: x ↦ c²·G·x with G = AᵀA (dim n) or another Gram of A with the same σ₁². */
export interface GramOperator {
  readonly dim: number;
  readonly apply: GramApply;
}

/**
 * ‖A‖₂ for a backend: small matrices and non-converged iterations go to `full` (the backend's
 * complete SVD); otherwise Lanczos on the operator `gram(c)` returns for the scale c. `data` holds
 * A's row-major float64 values; `maxAbs`, when the caller has it, is max|aᵢⱼ| (else scanned here).
 */
export function spectralNormVia(m: number, n: number, data: Float64Array, gram: (c: number, maxAbs: number) => GramOperator,
  full: () => number, minDim = LANCZOS_MIN_DIM, maxAbs?: number): number {
  if (m === 0 || n === 0) return 0;
  if (Math.min(m, n) < minDim) return full();
  let mx = maxAbs ?? 0;
  if (maxAbs === undefined) {
    for (let i = 0; i < m * n; i++) {
      const v = Math.abs(data[i]);
      if (v > mx) mx = v;
    }
  }
  if (mx === 0) return 0;
  // c = 2^−⌈log₂ mx⌉ (exact): the scaled entries are ≤ 1, so G's entries are ≤ max(m, n).
  const c = 2 ** -Math.ceil(Math.log2(mx));
  if (!Number.isFinite(c) || c === 0) return full();
  const op = gram(c, mx);
  const r = lanczosSpectralNorm(op.dim, op.apply, c, lanczosMaxSteps(m, n));
  return Number.isNaN(r.sigma) ? full() : r.sigma;
}
