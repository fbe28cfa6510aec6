/**
 * Schatten sums S(p) of a spectrum.
 *
 * Source: ../shared/spec/spectrum-adaptive-bound.md ("The spectrum-adaptive proxy"), after
 * Sakai & Imaizumi (2026), Sec. 6 / App. E:
 *
 *     S(p) = sum_j sigma_j^p  for p > 0,      S(0) = numerical rank.
 *
 * Two conventions for p > 0:
 * - `consistent` (default): only the `rank` singular values above the rank threshold count, so
 *   S(p) -> rank as p -> 0 and rounding noise in the zero block plays no part.
 * - `reference`: every singular value given (numerical zeros of a full dense SVD included) is
 *   summed, as the authors' code does; exact zeros still add 0 for p > 0.
 */
export type SchattenConvention = 'consistent' | 'reference';

/**
 * S(p) for a descending spectrum `sv` whose numerical rank is `rank` (see rank.ts).
 * @param p Schatten index, p >= 0.
 */
export function schattenSum(sv: ArrayLike<number>, p: number, rank: number, convention: SchattenConvention = 'consistent'): number {
  if (!(p >= 0)) throw new RangeError(`Schatten index must be >= 0 (got ${p})`);
  if (p === 0) return rank;
  const n = convention === 'consistent' ? Math.min(rank, sv.length) : sv.length;
  let s = 0;
  for (let j = 0; j < n; j++) {
    const x = sv[j];
    if (x > 0) s += Math.pow(x, p);
  }
  return s;
}

/**
 * S(p) at every p of `grid` (each p >= 0), as schattenSum gives them, for one spectrum: σ^p as
 * exp(p·ln σ) with ln σ computed once per value (a tCurve has 2m + 1 points: 39 for BERT-base;
 * Math.pow was ~2.5× the cost of exp), except p = 1 and p = 2 (σ and σ·σ, exact). The terms are
 * summed in the same order as schattenSum; each differs from Math.pow by ~|p·ln σ|·ε relative
 * (≤ 1e-14 for σ down to 1e-300 at p ≤ 2).
 */
export function schattenSums(sv: ArrayLike<number>, grid: readonly number[], rank: number, convention: SchattenConvention = 'consistent'): Float64Array {
  const n = convention === 'consistent' ? Math.min(rank, sv.length) : sv.length;
  const logs = new Float64Array(n);
  let count = 0;
  for (let j = 0; j < n; j++) if (sv[j] > 0) logs[count++] = Math.log(sv[j]);
  const out = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const p = grid[i];
    if (!(p >= 0)) throw new RangeError(`Schatten index must be >= 0 (got ${p})`);
    if (p === 0 || p === 1 || p === 2) {
      out[i] = schattenSum(sv, p, rank, convention);
      continue;
    }
    let s = 0;
    for (let j = 0; j < count; j++) s += Math.exp(p * logs[j]);
    out[i] = s;
  }
  return out;
}

/** Schatten p-norm ||A||_p = S(p)^(1/p) for p > 0 (all given values; p = 2 is Frobenius). */
export function schattenNorm(sv: ArrayLike<number>, p: number): number {
  if (!(p > 0)) throw new RangeError(`Schatten norm needs p > 0 (got ${p})`);
  return Math.pow(schattenSum(sv, p, sv.length, 'reference'), 1 / p);
}
