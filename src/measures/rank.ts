/**
 * Numerical rank, as the spec fixes it (../shared/spec/spectrum-adaptive-bound.md, "Per-matrix
 * quantities"):
 *
 *     rank = #{ j : sigma_j > tol * min(rows, cols) * max(sigma_1, 1) },   tol = 1e-10.
 *
 * `rows` and `cols` are the shape of the full matrix: for a head product N x N of inner dimension
 * d, min(rows, cols) is N even when only its d non-zero singular values were computed.
 */
export const DEFAULT_RANK_TOL = 1e-10;

/** The threshold below which a singular value counts as zero. */
export function rankThreshold(sigma1: number, rows: number, cols: number, tol: number = DEFAULT_RANK_TOL): number {
  return tol * Math.min(rows, cols) * Math.max(sigma1, 1);
}

/** Numerical rank of a descending spectrum `sv` of a rows x cols matrix. */
export function numericalRank(sv: ArrayLike<number>, rows: number, cols: number, tol: number = DEFAULT_RANK_TOL): number {
  if (sv.length === 0) return 0;
  const thr = rankThreshold(sv[0], rows, cols, tol);
  let r = 0;
  for (let j = 0; j < sv.length; j++) if (sv[j] > thr) r++;
  return r;
}
