/**
 * Blocked Householder LQ on row-major Float64Array (the "QR first" step of the SVD, and the
 * thin factorisations of the product path), in the compact-WY form of LAPACK's dgelqf/dlarft/
 * dlarfb (Schreiber & Van Loan 1989; row-wise storage, forward direction):
 *
 *   H₀·H₁·…·H_{nb−1} = I − Vᵀ·T·V,  V rows = reflectors v_i (unit at column i, zeros before),
 *   T upper triangular: T_ii = τ_i,  T[0:i, i] = −τ_i · T[0:i, 0:i] · V[0:i, :] · v_iᵀ.
 *
 * Rows below a panel are updated as X ← X − ((X·Vᵀ)·T)·V, two rows at a time with register-
 * blocked 2×4 kernels (8 accumulators), so each load of V serves 8 multiply-adds. Written by hand
 * because no npm package provides a fast float64 LQ/QR (ecosystem notes: 20–70× numpy).
 */

const NB = 32;

/** Reflector from w[off…off+len−1] in place (LAPACK dlarfg): w[off] ← β, w[off+1…] ← v; returns τ. */
function makeReflector(w: Float64Array, off: number, len: number): number {
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

/**
 * Thin LQ of a row-major p×q matrix (p ≤ q), in place: W = L·Q. Returns the p×p lower-triangular
 * L (row-major, zeros above the diagonal).
 */
export function lqInPlace(p: number, q: number, w: Float64Array): Float64Array {
  const v = new Float64Array(NB * q);
  const t = new Float64Array(NB * NB);
  const tau = new Float64Array(NB);
  const tmp = new Float64Array(NB);
  for (let i0 = 0; i0 < p; i0 += NB) {
    const nb = Math.min(NB, p - i0);
    const len = q - i0;
    // Panel: unblocked LQ of rows i0…i0+nb−1 (columns i0…).
    for (let i = 0; i < nb; i++) {
      const ro = (i0 + i) * q + i0 + i;
      const ti = makeReflector(w, ro, len - i);
      tau[i] = ti;
      if (ti === 0) continue;
      for (let r = i + 1; r < nb; r++) {
        const xo = (i0 + r) * q + i0 + i;
        let s = w[xo];
        for (let j = 1; j < len - i; j++) s += w[xo + j] * w[ro + j];
        s *= ti;
        w[xo] -= s;
        for (let j = 1; j < len - i; j++) w[xo + j] -= s * w[ro + j];
      }
    }
    if (i0 + nb >= p) break;
    // V (nb × len, row stride len): unit lower-trapezoidal copy of the panel's reflectors.
    for (let i = 0; i < nb; i++) {
      const vo = i * len, ro = (i0 + i) * q + i0;
      for (let c = 0; c < i; c++) v[vo + c] = 0;
      v[vo + i] = 1;
      for (let c = i + 1; c < len; c++) v[vo + c] = w[ro + c];
    }
    // T (nb × nb, upper triangular), dlarft('F', 'R').
    for (let i = 0; i < nb; i++) {
      const ti = tau[i];
      for (let j = 0; j < i; j++) {
        let s = 0;
        const a = j * len, b = i * len;
        for (let c = i; c < len; c++) s += v[a + c] * v[b + c];
        tmp[j] = -ti * s;
      }
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let l = j; l < i; l++) s += t[j * NB + l] * tmp[l];
        t[j * NB + i] = s;
      }
      t[i * NB + i] = ti;
      for (let j = i + 1; j < nb; j++) t[j * NB + i] = 0;
    }
    applyBlock(w, q, i0, len, i0 + nb, p, v, t, nb);
  }
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) l[i * p + j] = w[i * q + j];
  return l;
}

/** Rows r0…r1−1 of w (columns c0…c0+len−1) ← X − ((X·Vᵀ)·T)·V. */
function applyBlock(w: Float64Array, q: number, c0: number, len: number, r0: number, r1: number,
  v: Float64Array, t: Float64Array, nb: number): void {
  const wa = new Float64Array(NB), wb = new Float64Array(NB);
  let r = r0;
  for (; r + 1 < r1; r += 2) {
    const xa = r * q + c0, xb = xa + q;
    // wa/wb = X·Vᵀ for the two rows (v_j is zero before column j).
    let j = 0;
    for (; j + 3 < nb; j += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      const v0 = j * len, v1 = v0 + len, v2 = v1 + len, v3 = v2 + len;
      for (let c = j; c < len; c++) {
        const x = w[xa + c], y = w[xb + c];
        const p0 = v[v0 + c], p1 = v[v1 + c], p2 = v[v2 + c], p3 = v[v3 + c];
        a0 += x * p0; a1 += x * p1; a2 += x * p2; a3 += x * p3;
        b0 += y * p0; b1 += y * p1; b2 += y * p2; b3 += y * p3;
      }
      wa[j] = a0; wa[j + 1] = a1; wa[j + 2] = a2; wa[j + 3] = a3;
      wb[j] = b0; wb[j + 1] = b1; wb[j + 2] = b2; wb[j + 3] = b3;
    }
    for (; j < nb; j++) {
      let a0 = 0, b0 = 0;
      const v0 = j * len;
      for (let c = j; c < len; c++) {
        a0 += w[xa + c] * v[v0 + c];
        b0 += w[xb + c] * v[v0 + c];
      }
      wa[j] = a0;
      wb[j] = b0;
    }
    // (·)·T with T upper triangular, in place from the right end.
    for (let k = nb - 1; k >= 0; k--) {
      let sa = 0, sb = 0;
      for (let l = 0; l <= k; l++) {
        const tk = t[l * NB + k];
        sa += wa[l] * tk;
        sb += wb[l] * tk;
      }
      wa[k] = sa;
      wb[k] = sb;
    }
    // X −= W·V.
    j = 0;
    for (; j + 3 < nb; j += 4) {
      const a0 = wa[j], a1 = wa[j + 1], a2 = wa[j + 2], a3 = wa[j + 3];
      const b0 = wb[j], b1 = wb[j + 1], b2 = wb[j + 2], b3 = wb[j + 3];
      const v0 = j * len, v1 = v0 + len, v2 = v1 + len, v3 = v2 + len;
      for (let c = j; c < len; c++) {
        const p0 = v[v0 + c], p1 = v[v1 + c], p2 = v[v2 + c], p3 = v[v3 + c];
        w[xa + c] -= a0 * p0 + a1 * p1 + a2 * p2 + a3 * p3;
        w[xb + c] -= b0 * p0 + b1 * p1 + b2 * p2 + b3 * p3;
      }
    }
    for (; j < nb; j++) {
      const a0 = wa[j], b0 = wb[j], v0 = j * len;
      for (let c = j; c < len; c++) {
        w[xa + c] -= a0 * v[v0 + c];
        w[xb + c] -= b0 * v[v0 + c];
      }
    }
  }
  if (r < r1) {
    const xa = r * q + c0;
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let c = j; c < len; c++) s += w[xa + c] * v[j * len + c];
      wa[j] = s;
    }
    for (let k = nb - 1; k >= 0; k--) {
      let s = 0;
      for (let l = 0; l <= k; l++) s += wa[l] * t[l * NB + k];
      wa[k] = s;
    }
    for (let j = 0; j < nb; j++) {
      const a0 = wa[j];
      for (let c = j; c < len; c++) w[xa + c] -= a0 * v[j * len + c];
    }
  }
}
