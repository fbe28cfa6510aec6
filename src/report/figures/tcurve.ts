/**
 * T(p)/T(0) against p for every matrix, with the optimal p marked: the figure of Sakai & Imaizumi
 * (2026), Sec. 6, showing how far the Schatten-index choice lowers each matrix's term
 *   T(p) = S(p)^(1/(p+2)) (gamma alpha_l L)^(p/(p+2)) N^((p+1)/(p+2)),  p in P_m = {0, 1/m, ..., 2}.
 * T(0) = sqrt(rank * N), so a ratio below 1 is the gain over counting the rank.
 */
import type { MatrixResult } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import { matrixLabel, num, typeRank, typesOf, type FigureWithTable } from './common.js';

export interface TRatioPoint {
  id: string;
  layer: number;
  type: string;
  p: number;
  ratio: number;
  opt: boolean;
}

/**
 * T(p)/T(0) on the grid for one matrix, the optimum flagged at pOpt (or at the curve's first
 * minimum when pOpt is missing). Empty when T(0) is not a positive finite number.
 */
export function tRatios(m: MatrixResult): TRatioPoint[] {
  const c = m.tCurve;
  if (!c || c.p.length === 0 || c.p.length !== c.t.length) return [];
  const i0 = c.p.indexOf(0);
  const t0 = c.t[i0 < 0 ? 0 : i0];
  if (!(Number.isFinite(t0) && t0 > 0)) return [];
  let iOpt = m.pOpt === null ? -1 : c.p.findIndex((p) => Math.abs(p - (m.pOpt as number)) <= 1e-12);
  if (iOpt < 0) iOpt = c.t.reduce((best, t, i) => (t < c.t[best] ? i : best), 0);
  const out: TRatioPoint[] = [];
  c.p.forEach((p, i) => {
    const ratio = c.t[i] / t0;
    if (Number.isFinite(ratio) && ratio > 0) out.push({ id: matrixLabel(m), layer: m.layer, type: m.type, p, ratio, opt: i === iOpt });
  });
  return out;
}

export function tCurveFigure(matrices: readonly MatrixResult[]): FigureWithTable | null {
  const withCurve = matrices.filter((m) => m.tCurve && m.tCurve.p.length > 0);
  const values = withCurve.flatMap(tRatios);
  if (values.length === 0) return null;
  const spec = {
    data: { values },
    facet: { field: 'type', type: 'nominal', title: null, sort: typesOf(withCurve) },
    columns: 4,
    spec: {
      width: 210,
      height: 170,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1, opacity: 0.7 },
          encoding: {
            x: { field: 'p', type: 'quantitative', title: 'Schatten index p' },
            y: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: 'T(p) / T(0)' },
            detail: { field: 'id', type: 'nominal' },
            color: { field: 'layer', type: 'ordinal', title: 'layer', scale: { scheme: 'viridis' } },
          },
        },
        {
          transform: [{ filter: 'datum.opt' }],
          mark: { type: 'point', filled: true, size: 36, stroke: 'black', strokeWidth: 0.6 },
          encoding: {
            x: { field: 'p', type: 'quantitative' },
            y: { field: 'ratio', type: 'quantitative', scale: { type: 'log' } },
            color: { field: 'layer', type: 'ordinal', scale: { scheme: 'viridis' } },
            tooltip: [{ field: 'id' }, { field: 'p' }, { field: 'ratio', format: '.4g' }],
          },
        },
      ],
    },
  } as VegaLiteSpec;
  const sorted = [...withCurve].sort((a, b) => a.layer - b.layer || typeRank(a.type) - typeRank(b.type) || a.head - b.head);
  const rows = sorted.map((m) => {
    const pts = tRatios(m);
    const opt = pts.find((q) => q.opt);
    const t = m.tCurve as { p: number[]; t: number[] };
    return [m.layer, m.head, m.type, num(m.pOpt), num(t.t[Math.max(0, t.p.indexOf(0))]), num(m.contribution), opt ? opt.ratio : null];
  });
  return {
    figure: {
      name: 't-curves',
      title: 'T(p) / T(0) against p for every matrix',
      spec,
      caption: 'One line per matrix, coloured by layer; the filled dot marks the optimal p (the first minimum on the grid P_m). Ratios below 1 are what the spectrum-adaptive choice of p gains over p = 0 (the rank).',
    },
    table: { name: 't-optimum', title: 'Optimal Schatten index per matrix', columns: ['layer', 'head', 'type', 'p*', 'T(0)', 'T(p*) (contribution)', 'T(p*)/T(0)'], rows },
  };
}
