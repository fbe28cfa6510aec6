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

/** Schatten p-norm ||A||_p = S(p)^(1/p) for p > 0 (all given values; p = 2 is Frobenius). */
export function schattenNorm(sv: ArrayLike<number>, p: number): number {
  if (!(p > 0)) throw new RangeError(`Schatten norm needs p > 0 (got ${p})`);
  return Math.pow(schattenSum(sv, p, sv.length, 'reference'), 1 / p);
}
