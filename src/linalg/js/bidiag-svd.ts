import { NumericError } from '../../errors.js';

const EPS = 2.220446049250313e-16;

/**
 * Singular values of the n×n upper bidiagonal matrix with diagonal d (length n) and superdiagonal
 * e (length n−1), by the implicit-shift Golub–Kahan SVD step (Golub & Van Loan, "Matrix
 * Computations", 4th ed., Algorithm 8.6.1) with the Wilkinson shift of the trailing 2×2 block of
 * BᵀB, and the zero-diagonal chase of §8.6.2. No singular vectors are accumulated.
 *
 * Deflation: e_i is set to zero when |e_i| ≤ ε·(|d_i| + |d_{i+1}|) (relative test) or when
 * |e_i| ≤ ε·‖B‖ (absolute test; without it rank-deficient inputs, whose zero singular values have
 * no relative neighbours, stall until the iteration limit). A diagonal entry |d_i| ≤ ε·‖B‖ is set
 * to zero and its row/column is chased out with Givens rotations. The perturbation is ≤ ε·‖B‖ per
 * entry, i.e. absolute accuracy O(ε·σ₁), which is what the spec asks (≤ 1e-13·σ₁ beside 1e-9·σᵢ).
 *
 * d and e are overwritten. Returns the singular values sorted descending (a new array).
 */
export function bidiagonalSingularValues(d: Float64Array, e: Float64Array, what = 'bidiagonal matrix'): Float64Array {
  const n = d.length;
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]));
  for (let i = 0; i < n - 1; i++) norm = Math.max(norm, Math.abs(e[i]));
  if (norm === 0 || n === 0) return new Float64Array(n);
  // Scale by a power of two (exact) so the largest entry is in [0.5, 1): squares can neither
  // overflow (inputs near 1e150 and beyond) nor underflow needlessly (inputs near 1e-150).
  const scale = 2 ** -Math.ceil(Math.log2(norm));
  for (let i = 0; i < n; i++) d[i] *= scale;
  for (let i = 0; i < n - 1; i++) e[i] *= scale;
  const thresh = EPS * norm * scale;

  const maxIter = 6 * n * n + 100;
  let iter = 0;
  let hi = n - 1;
  while (hi > 0) {
    if (++iter > maxIter) throw new NumericError(`${what}: the bidiagonal QR iteration did not converge`);
    // Deflate negligible superdiagonal entries and find the unreduced block [lo, hi].
    const eh = Math.abs(e[hi - 1]);
    if (eh <= thresh || eh <= EPS * (Math.abs(d[hi - 1]) + Math.abs(d[hi]))) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0) {
      const el = Math.abs(e[lo - 1]);
      if (el <= thresh || el <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo]))) {
        e[lo - 1] = 0;
        break;
      }
      lo--;
    }
    // A negligible diagonal entry: zero it and rotate its superdiagonal neighbour away.
    let chased = false;
    for (let i = lo; i <= hi; i++) {
      if (Math.abs(d[i]) <= thresh) {
        d[i] = 0;
        if (i < hi) chaseRow(d, e, i, hi);
        else chaseColumn(d, e, lo, hi);
        chased = true;
        break;
      }
    }
    if (chased) continue;
    if (hi - lo === 1) {
      const [smax, smin] = svd2x2Upper(d[lo], e[lo], d[hi]);
      d[lo] = smax;
      d[hi] = smin;
      e[lo] = 0;
      hi--;
      continue;
    }
    gkStep(d, e, lo, hi);
  }
  const out = new Float64Array(n);
  const inv = 1 / scale;
  for (let i = 0; i < n; i++) out[i] = Math.abs(d[i]) * inv;
  out.sort();
  out.reverse();
  return out;
}

/** d[i] = 0 with i < hi: left rotations of rows (i, j), j = i+1..hi, annihilate row i's e[i]. */
function chaseRow(d: Float64Array, e: Float64Array, i: number, hi: number): void {
  let f = e[i];
  e[i] = 0;
  for (let j = i + 1; j <= hi && f !== 0; j++) {
    const r = Math.hypot(d[j], f);
    const c = d[j] / r, s = f / r;
    d[j] = r;
    if (j < hi) {
      f = -s * e[j];
      e[j] = c * e[j];
    }
  }
}

/** d[hi] = 0: right rotations of columns (j, hi), j = hi−1..lo, annihilate column hi's e[hi−1]. */
function chaseColumn(d: Float64Array, e: Float64Array, lo: number, hi: number): void {
  let f = e[hi - 1];
  e[hi - 1] = 0;
  for (let j = hi - 1; j >= lo && f !== 0; j--) {
    const r = Math.hypot(d[j], f);
    const c = d[j] / r, s = f / r;
    d[j] = r;
    if (j > lo) {
      f = -s * e[j - 1];
      e[j - 1] = c * e[j - 1];
    }
  }
}

/**
 * Singular values (max, min) of the 2×2 upper-triangular [[f, g], [0, h]], computed without
 * overflow or cancellation as in LAPACK's dlas2.
 */
export function svd2x2Upper(f: number, g: number, h: number): [number, number] {
  const fa = Math.abs(f), ga = Math.abs(g), ha = Math.abs(h);
  const fhmn = Math.min(fa, ha), fhmx = Math.max(fa, ha);
  if (fhmn === 0) {
    if (fhmx === 0) return [ga, 0];
    const mx = Math.max(fhmx, ga), mn = Math.min(fhmx, ga);
    return [mx * Math.sqrt(1 + (mn / mx) ** 2), 0];
  }
  if (ga < fhmx) {
    const as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, au = (ga / fhmx) ** 2;
    const c = 2 / (Math.sqrt(as * as + au) + Math.sqrt(at * at + au));
    return [fhmx / c, fhmn * c];
  }
  const au = fhmx / ga;
  if (au === 0) return [ga, (fhmn * fhmx) / ga];
  const as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
  const c = 1 / (Math.sqrt(1 + (as * au) ** 2) + Math.sqrt(1 + (at * au) ** 2));
  return [ga / (2 * c), fhmn * c * au * 2];
}

/**
 * One implicit-shift Golub–Kahan step on the unreduced block [lo, hi] (GVL Algorithm 8.6.1):
 * the shift μ is the eigenvalue of the trailing 2×2 of BᵀB closest to its last entry
 * (Wilkinson); the bulge introduced by the first right rotation is chased down the band.
 */
function gkStep(d: Float64Array, e: Float64Array, lo: number, hi: number): void {
  const dm = d[hi - 1], dn = d[hi], em = e[hi - 1];
  const ep = hi - 1 > lo ? e[hi - 2] : 0;
  const t11 = dm * dm + ep * ep, t12 = dm * em, t22 = dn * dn + em * em;
  const delta = (t11 - t22) / 2;
  const den = delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, t12);
  const mu = den === 0 ? t22 : t22 - (t12 * t12) / den;

  let y = d[lo] * d[lo] - mu;
  let z = d[lo] * e[lo];
  for (let k = lo; k < hi; k++) {
    // Right rotation of columns (k, k+1) zeroing z (the bulge at (k−1, k+1), or the shift seed).
    // sqrt(y² + z²) rather than Math.hypot (several times slower in V8): entries are scaled to
    // ≤ 1, so the squares cannot overflow, and underflow only below 1e-154 (far under ε·‖B‖).
    let r = Math.sqrt(y * y + z * z);
    let c = r === 0 ? 1 : y / r, s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const dk = d[k], ek = e[k], dk1 = d[k + 1];
    y = c * dk + s * ek;
    e[k] = -s * dk + c * ek;
    z = s * dk1;
    d[k + 1] = c * dk1;
    // Left rotation of rows (k, k+1) zeroing the bulge at (k+1, k).
    r = Math.sqrt(y * y + z * z);
    c = r === 0 ? 1 : y / r;
    s = r === 0 ? 0 : z / r;
    d[k] = r;
    const ek2 = e[k], dk2 = d[k + 1];
    e[k] = c * ek2 + s * dk2;
    d[k + 1] = -s * ek2 + c * dk2;
    if (k + 1 < hi) {
      y = e[k];
      z = s * e[k + 1];
      e[k + 1] = c * e[k + 1];
    }
  }
}
