/**
 * Where the spectrum-adaptive proxy comes from: each matrix's contribution min_p T(p) to
 *   B_ours = sum over matrices of min_p T(p) + sqrt(L)   (Sakai & Imaizumi 2026, Sec. 6),
 * as a layer x head heatmap for the per-head matrices and stacked by layer and matrix type.
 */
import type { MatrixResult } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import type { ReportFigure, ReportTable } from '../html-render.js';
import { isPos, typeRank, typesOf } from './common.js';

export interface TypeContribution {
  type: string;
  count: number;
  sum: number;
  max: number;
}

/** Sum, count and largest contribution per matrix type (finite contributions only). */
export function contributionsByType(matrices: readonly MatrixResult[]): TypeContribution[] {
  const by = new Map<string, TypeContribution>();
  for (const m of matrices) {
    if (m.contribution === null || !Number.isFinite(m.contribution)) continue;
    const e = by.get(m.type) ?? { type: m.type, count: 0, sum: 0, max: -Infinity };
    e.count += 1;
    e.sum += m.contribution;
    e.max = Math.max(e.max, m.contribution);
    by.set(m.type, e);
  }
  return [...by.values()].sort((a, b) => typeRank(a.type) - typeRank(b.type) || a.type.localeCompare(b.type));
}

export function contributionFigures(matrices: readonly MatrixResult[]): { figures: ReportFigure[]; tables: ReportTable[] } | null {
  const withC = matrices.filter((m) => m.contribution !== null && Number.isFinite(m.contribution));
  if (withC.length === 0) return null;
  const figures: ReportFigure[] = [];
  const heads = withC.filter((m) => m.head >= 0 && isPos(m.contribution as number));
  if (heads.length > 0) {
    figures.push({
      name: 'contributions-heatmap',
      title: 'Contribution min_p T(p) by layer × head',
      spec: {
        data: { values: heads.map((m) => ({ layer: m.layer, head: m.head, type: m.type, contribution: m.contribution, pOpt: m.pOpt })) },
        facet: { column: { field: 'type', type: 'nominal', title: null, sort: typesOf(heads) } },
        spec: {
          width: { step: 22 },
          height: { step: 18 },
          mark: 'rect',
          encoding: {
            x: { field: 'head', type: 'ordinal', title: 'head' },
            y: { field: 'layer', type: 'ordinal', title: 'layer' },
            color: { field: 'contribution', type: 'quantitative', scale: { type: 'log', scheme: 'viridis' }, title: 'min_p T(p)', legend: { format: '.4~g' } },
            tooltip: [{ field: 'layer' }, { field: 'head' }, { field: 'contribution', format: '.4g' }, { field: 'pOpt', title: 'p*' }],
          },
        },
      } as VegaLiteSpec,
      caption: 'Per-head matrices (QK and V_tilde); colour on a log scale shared by both panels.',
    });
  }
  figures.push({
    name: 'contributions-by-layer',
    title: 'Contribution by layer and matrix type',
    spec: {
      data: { values: withC.map((m) => ({ layer: m.layer, type: m.type, order: typeRank(m.type), contribution: m.contribution })) },
      width: { step: 28 },
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer' },
        y: { aggregate: 'sum', field: 'contribution', type: 'quantitative', title: 'sum of min_p T(p)' },
        color: { field: 'type', type: 'nominal', title: 'matrix type', sort: typesOf(withC) },
        order: { field: 'order', type: 'quantitative' },
      },
    } as VegaLiteSpec,
    caption: 'Stacked: each layer’s total split by matrix type. The proxy adds sqrt(L) to the sum over all layers.',
  });
  const byType = contributionsByType(withC);
  const total = byType.reduce((s, e) => s + e.sum, 0);
  const layerRows = new Map<number, Map<string, number>>();
  for (const m of withC) {
    const row = layerRows.get(m.layer) ?? new Map<string, number>();
    row.set(m.type, (row.get(m.type) ?? 0) + (m.contribution as number));
    layerRows.set(m.layer, row);
  }
  const types = byType.map((e) => e.type);
  return {
    figures,
    tables: [
      {
        name: 'contributions-type',
        title: 'Contribution by matrix type',
        columns: ['type', 'matrices', 'sum', 'share of sum', 'mean', 'max'],
        rows: byType.map((e) => [e.type, e.count, e.sum, total > 0 ? e.sum / total : null, e.sum / e.count, e.max]),
      },
      {
        name: 'contributions-layer',
        title: 'Contribution by layer and type',
        columns: ['layer', ...types, 'layer total'],
        rows: [...layerRows.entries()].sort((a, b) => a[0] - b[0]).map(([l, row]) => [l, ...types.map((t) => row.get(t) ?? null), [...row.values()].reduce((s, x) => s + x, 0)]),
      },
    ],
  };
}
