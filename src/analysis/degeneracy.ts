/**
 * The degeneracy diagnostic of the spectrum-adaptive bound. At Schatten index p = 0 the term of a
 * matrix is T(0) = √(rank · N) (the Schatten-0 "norm" counts the nonzero singular values), so when
 * every matrix's optimum is p_opt = 0 the bound equals Σ √(rank·N) + √L: a count of ranks that does
 * not depend on the size of the weights. Reports and the lab's loopback say so instead of letting
 * the number pass for a norm-based measurement.
 */
import type { AnalysisResult } from '../types/analysis.js';

export interface Degeneracy {
  /** Matrices with a spectrum-adaptive term (pOpt not null). */
  matrices: number;
  /** Of those, how many have p_opt > 0. */
  positive: number;
  /** Every matrix at p_opt = 0 (and there is at least one). */
  degenerate: boolean;
  /** Σ √(rank·N) + √L over the bound's matrices: the bound's value when degenerate. */
  rankValue: number | null;
  /** One line for reports and the CLI, or null when not degenerate. */
  message: string | null;
}

export function degeneracyOf(r: AnalysisResult): Degeneracy {
  const ms = r.matrices.filter((m) => m.pOpt !== null && m.pOpt !== undefined);
  const positive = ms.filter((m) => (m.pOpt as number) > 0).length;
  const N = r.model.hidden;
  const L = r.model.layers;
  const rankValue = ms.length > 0 && N > 0 && L > 0 ? ms.reduce((s, m) => s + Math.sqrt(m.rank * N), 0) + Math.sqrt(L) : null;
  const degenerate = ms.length > 0 && positive === 0;
  return {
    matrices: ms.length,
    positive,
    degenerate,
    rankValue,
    message: degenerate
      ? `every one of the ${ms.length} matrices has p_opt = 0, so the spectrum-adaptive bound equals Σ√(rank·N) + √L = ${rankValue?.toPrecision(6)}: it counts ranks and does not depend on the size of the weights`
      : null,
  };
}

/**
 * The lines `analyze` prints and its report shows: how many matrices have p_opt > 0, and the
 * degeneracy warning when none has. Empty when the result has no spectrum-adaptive terms.
 */
export function degeneracyLines(r: AnalysisResult): string[] {
  const d = degeneracyOf(r);
  if (d.matrices === 0) return [];
  return [`spectrum-adaptive: p_opt > 0 in ${d.positive} of ${d.matrices} matrices`, ...(d.message ? [`degenerate: ${d.message}`] : [])];
}
