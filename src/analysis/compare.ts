import type { AnalysisResult, CompareResult, GrowthRow, GrowthSlope } from '../types/analysis.js';

/**
 * The paper's growth view (Sakai & Imaizumi 2026, Sec. 6, figures on the BERT Miniatures): each
 * bound divided by its value at the smallest width with the same depth (byWidth) and at the
 * smallest depth with the same width (byDepth), and least-squares slopes of
 * ln(bound) against ln(depth) at each fixed width, and against ln(width) at each fixed depth.
 * Ratios and slopes use log10 of the bounds, so bounds that overflow a double still compare. A
 * bound a model did not compute (null, e.g. the (1,1)-norm proxies without --head-l11) has no
 * growth row or slope for that model.
 */
function log10Of(r: AnalysisResult, bound: string): number {
  const v = r.bounds[bound];
  if (v === null || v === undefined) return r.boundsLog10?.[bound] ?? NaN; // null: not computed, unless it overflowed
  return r.boundsLog10?.[bound] ?? Math.log10(v);
}

/** Ordinary least-squares slope of y on x; null with fewer than two distinct x. */
export function olsSlope(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  return sxx > 0 ? sxy / sxx : null;
}

export function growthView(names: readonly string[], results: readonly AnalysisResult[]): CompareResult {
  const bounds = [...new Set(results.flatMap((r) => Object.keys(r.bounds)))];
  const growth: GrowthRow[] = [];
  const slopes: GrowthSlope[] = [];
  for (const bound of bounds) {
    const pts = results.map((r, i) => ({ name: names[i], L: r.model.layers, N: r.model.hidden, lg: log10Of(r, bound), value: r.bounds[bound] ?? NaN }))
      .filter((p) => p.lg !== undefined && !Number.isNaN(p.lg));
    for (const p of pts) {
      const sameL = pts.filter((q) => q.L === p.L);
      const sameN = pts.filter((q) => q.N === p.N);
      const refW = sameL.reduce((a, q) => (q.N < a.N ? q : a), sameL[0]);
      const refD = sameN.reduce((a, q) => (q.L < a.L ? q : a), sameN[0]);
      growth.push({ model: p.name, bound, layers: p.L, hidden: p.N, value: p.value,
        byWidth: sameL.length > 1 ? 10 ** (p.lg - refW.lg) : null,
        byDepth: sameN.length > 1 ? 10 ** (p.lg - refD.lg) : null });
    }
    for (const [against, key, fixedKey] of [['depth', 'L', 'N'], ['width', 'N', 'L']] as const) {
      for (const fixed of [...new Set(pts.map((p) => p[fixedKey]))].sort((a, b) => a - b)) {
        const group = pts.filter((p) => p[fixedKey] === fixed);
        if (new Set(group.map((p) => p[key])).size < 2) continue;
        const slope = olsSlope(group.map((p) => Math.log10(p[key])), group.map((p) => p.lg));
        if (slope !== null && Number.isFinite(slope)) slopes.push({ bound, against, fixed, slope, points: group.length });
      }
    }
  }
  return { models: [...results], growth, slopes };
}
