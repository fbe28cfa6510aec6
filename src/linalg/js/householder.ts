/**
 * Householder factorisations on row-major Float64Array, written for V8: every inner loop runs
 * along a contiguous row, and each pass over the trailing matrix does as much work as possible
 * while a row is in cache. (No npm package does this at a usable speed: see
 * /work/shared/notes/ecosystem.md, where ml-matrix's SVD measured 20–70× numpy.)
 *
 * Reflectors follow LAPACK's dlarfg convention: H = I − τ·v·vᵀ with v₀ = 1, H·x = β·e₁,
 * β = −sign(x₀)·‖x‖, τ = (β − x₀)/β, v₁… = x₁…/(x₀ − β). Inputs should be scaled so that the
 * largest entry is O(1) (the callers scale by a power of two), so ‖x‖² neither overflows nor
 * underflows needlessly.
 */

/** Block size of the LQ factorisation: nb reflector rows stay in L2 while a target row is in L1. */
const LQ_BLOCK = 16;

/**
 * Thin LQ of a row-major p×q matrix W with p ≤ q (W = L·Q, Q with orthonormal rows), in place.
 * Returns the p×p lower-triangular L, row-major. Reflector i is built from row i (columns i…q−1)
 * and applied to the rows below; rows below a block of LQ_BLOCK reflectors receive the whole block
 * in one visit (blocked, level-2.5: same flops as the unblocked loop, a fraction of the memory
 * traffic). Used for "QR first" on very tall or wide inputs and for the factored product path.
 */
export function lqInPlace(p: number, q: number, w: Float64Array): Float64Array {
  const tau = new Float64Array(p);
  for (let i0 = 0; i0 < p; i0 += LQ_BLOCK) {
    const i1 = Math.min(p, i0 + LQ_BLOCK);
    for (let i = i0; i < i1; i++) {
      tau[i] = makeRowReflector(w, i * q + i, q - i);
      for (let r = i + 1; r < i1; r++) applyReflector1(w, i * q + i, r * q + i, q - i, tau[i]);
    }
    let r = i1;
    for (; r + 1 < p; r += 2) {
      for (let i = i0; i < i1; i++) applyReflector2(w, i * q + i, r * q + i, (r + 1) * q + i, q - i, tau[i]);
    }
    if (r < p) for (let i = i0; i < i1; i++) applyReflector1(w, i * q + i, r * q + i, q - i, tau[i]);
  }
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) l[i * p + j] = w[i * q + j];
  return l;
}

/**
 * Turns w[off … off+len−1] into a reflector in place: w[off] ← β, w[off+1…] ← v₁…; returns τ.
 */
function makeRowReflector(w: Float64Array, off: number, len: number): number {
  const alpha = w[off];
  let ss = 0;
  for (let j = 1; j < len; j++) ss += w[off + j] * w[off + j];
  if (ss === 0) return 0;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + ss);
  const inv = 1 / (alpha - beta);
  for (let j = 1; j < len; j++) w[off + j] *= inv;
  w[off] = beta;
  return (beta - alpha) / beta;
}

/** Row x (at xo, length len) ← x·H with the reflector stored at vo (v₀ = 1 implicit). */
function applyReflector1(w: Float64Array, vo: number, xo: number, len: number, tau: number): void {
  if (tau === 0) return;
  let s = w[xo];
  for (let j = 1; j < len; j++) s += w[xo + j] * w[vo + j];
  s *= tau;
  w[xo] -= s;
  for (let j = 1; j < len; j++) w[xo + j] -= s * w[vo + j];
}

/** Two rows at once: each load of v serves both rows. */
function applyReflector2(w: Float64Array, vo: number, xo: number, yo: number, len: number, tau: number): void {
  if (tau === 0) return;
  let s = w[xo], t = w[yo];
  for (let j = 1; j < len; j++) {
    const v = w[vo + j];
    s += w[xo + j] * v;
    t += w[yo + j] * v;
  }
  s *= tau;
  t *= tau;
  w[xo] -= s;
  w[yo] -= t;
  for (let j = 1; j < len; j++) {
    const v = w[vo + j];
    w[xo + j] -= s * v;
    w[yo + j] -= t * v;
  }
}

/**
 * Golub–Kahan bidiagonalisation of a row-major m×n matrix A with m ≥ n, in place:
 * A = U·B·Vᵀ with B upper bidiagonal (GVL Algorithm 5.4.2). Returns d (n) and e (n−1).
 *
 * Step k applies a left reflector (from column k) and a right reflector (from row k). The usual
 * four passes over the trailing matrix per step are fused into ONE: for each row i > k, while the
 * row is in L1 it receives the left update (−τ_L·v_i·w), the right update (−τ_R·(r·u)·u), and it
 * contributes z += x_i·r to the NEXT step's w = Σ v_i·A[i, :], which is linear in the next
 * reflector v = (x − β·e₁)/(x₀ − β): w = A[k+1, :] + z/(x₀ − β). Same reflectors, same flops as
 * LAPACK's dgebd2, a quarter of the memory traffic.
 */
export function bidiagonalize(m: number, n: number, a: Float64Array): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  if (n === 0) return { d, e };
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  // First left reflector (column 0) and its w = Σ_i v_i·A[i, 1:], by one strided + one row pass.
  let colss = 0;
  for (let i = 1; i < m; i++) colss += a[i * n] * a[i * n];
  let tauL = startLeft(a, n, 0, m, colss);
  if (tauL !== 0) {
    for (let j = 1; j < n; j++) w[j] = a[j];
    for (let i = 1; i < m; i++) {
      const vi = a[i * n];
      const ro = i * n;
      for (let j = 1; j < n; j++) w[j] += vi * a[ro + j];
    }
  }
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    d[k] = a[rk + k];
    // Left update of row k (v_k = 1), then the right reflector from A[k, k+1:].
    if (tauL !== 0) for (let j = k + 1; j < n; j++) a[rk + j] -= tauL * w[j];
    if (k === n - 1) break;
    const tauR = makeRowReflector(a, rk + k + 1, n - k - 1);
    e[k] = a[rk + k + 1];
    // Fused pass over the rows below.
    const c0 = k + 1;
    z.fill(0, c0 + 1);
    let ss = 0;
    for (let i = k + 1; i < m; i++) {
      const ro = i * n;
      const vi = i === k ? 1 : a[ro + k];
      const tl = tauL * vi;
      let s = 0;
      if (tl !== 0) {
        s = a[ro + c0] - tl * w[c0];
        a[ro + c0] = s;
        for (let j = c0 + 1; j < n; j++) {
          const x = a[ro + j] - tl * w[j];
          a[ro + j] = x;
          s += x * a[rk + j];
        }
      } else {
        s = a[ro + c0];
        for (let j = c0 + 1; j < n; j++) s += a[ro + j] * a[rk + j];
      }
      s *= tauR;
      const x0 = a[ro + c0] - s;
      a[ro + c0] = x0;
      if (i === k + 1) {
        if (s !== 0) for (let j = c0 + 1; j < n; j++) a[ro + j] -= s * a[rk + j];
      } else {
        ss += x0 * x0;
        if (s !== 0) {
          for (let j = c0 + 1; j < n; j++) {
            const x = a[ro + j] - s * a[rk + j];
            a[ro + j] = x;
            z[j] += x0 * x;
          }
        } else {
          for (let j = c0 + 1; j < n; j++) z[j] += x0 * a[ro + j];
        }
      }
    }
    // Next left reflector from column k+1 (rows k+1…), and its w.
    const alpha = a[(k + 1) * n + k + 1];
    tauL = startLeft(a, n, k + 1, m, ss);
    if (tauL !== 0) {
      const beta = a[(k + 1) * n + k + 1];
      const inv = 1 / (alpha - beta);
      const r1 = (k + 1) * n;
      for (let j = k + 2; j < n; j++) w[j] = a[r1 + j] + inv * z[j];
    }
  }
  return { d, e };
}

/**
 * Makes the left reflector from column k, rows k…m−1 (given Σ_{i>k} A[i,k]², `ss`): stores β in
 * A[k,k] and v_i in A[i,k] (i > k); returns τ. For the w computed by the caller from z, the
 * returned τ pairs with the unscaled x: w = A[k, :] + z/(x₀ − β).
 */
function startLeft(a: Float64Array, n: number, k: number, m: number, ss: number): number {
  const alpha = a[k * n + k];
  if (ss === 0 || k >= m - 1) return 0;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + ss);
  const inv = 1 / (alpha - beta);
  for (let i = k + 1; i < m; i++) a[i * n + k] *= inv;
  a[k * n + k] = beta;
  return (beta - alpha) / beta;
}
