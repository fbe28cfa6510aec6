/**
 * Norm-based capacity terms against width, per matrix type: the spectral, (2,1) and (1,1) norms
 * averaged over each model's matrices of that type, as in the norm-versus-width figures of
 * Sakai & Imaizumi (2026), Sec. 6. (2,1) = sum of the Euclidean norms of the row-vector matrix's
 * columns; (1,1) = sum of |entries|.
 */
import type { CompareResult } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import { num, typesOf, type FigureWithTable } from './common.js';
import { L11_HINT } from '../../bounds/l11.js';

const NORMS = [
  ['spectral', 'spectralNorm'],
  ['(2,1)', 'norm21'],
  ['(1,1)', 'norm11'],
] as const;

export function normsFigure(result: CompareResult): FigureWithTable | null {
  const values: { model: string; layers: string; hidden: number; type: string; norm: string; mean: number }[] = [];
  const rows: (string | number | null)[][] = [];
  for (const r of result.models) {
    const name = String(r.model.name ?? `L${r.model.layers}-N${r.model.hidden}`);
    for (const type of typesOf(r.matrices)) {
      const ms = r.matrices.filter((m) => m.type === type);
      // A head product's norm11 is null without --head-l11: no mean over some of them.
      const means = NORMS.map(([, key]) => (ms.some((m) => m[key] === null) ? null : ms.reduce((s, m) => s + (m[key] ?? 0), 0) / ms.length));
      rows.push([name, r.model.layers, r.model.hidden, type, ms.length, ...means.map((x, i) => (x === null && NORMS[i][1] === 'norm11' ? `not computed (${L11_HINT})` : num(x)))]);
      NORMS.forEach(([norm], i) => {
        const x = means[i];
        if (x !== null && Number.isFinite(x) && x > 0) values.push({ model: name, layers: `L = ${r.model.layers}`, hidden: r.model.hidden, type, norm, mean: x });
      });
    }
  }
  if (new Set(values.map((v) => v.hidden)).size < 2) return null;
  const spec = {
    data: { values },
    facet: { row: { field: 'norm', type: 'nominal', title: null, sort: NORMS.map(([n]) => n) }, column: { field: 'type', type: 'nominal', title: null, sort: typesOf(result.models.flatMap((r) => r.matrices)) } },
    spec: {
      width: 170,
      height: 120,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'hidden', type: 'quantitative', scale: { type: 'log', nice: false, padding: 8 }, title: 'hidden size N', axis: { format: 'd', values: [...new Set(values.map((v) => v.hidden))].sort((a, b) => a - b) } },
        y: { field: 'mean', type: 'quantitative', scale: { type: 'log' }, title: 'mean norm' },
        color: { field: 'layers', type: 'ordinal', title: 'depth', sort: { field: 'hidden', op: 'count' }, scale: { scheme: 'viridis' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as VegaLiteSpec;
  return {
    figure: {
      name: 'norms-width',
      title: 'Spectral, (2,1) and (1,1) norms against width',
      spec,
      caption: 'Mean over each model’s matrices of one type; one line per depth; log-log axes.',
    },
    table: { name: 'norms', title: 'Mean norms per model and matrix type', columns: ['model', 'L', 'N', 'type', 'matrices', 'mean spectral', 'mean (2,1)', 'mean (1,1)'], rows },
  };
}
