/**
 * Spectral decay: sigma_j against j on a log y-axis, for the first layers' matrices as small
 * multiples (rows = layer, columns = matrix type, one line per head), as in the singular-value
 * decay figure of Sakai & Imaizumi (2026), Sec. 6. The table lists every matrix's summary.
 */
import type { MatrixResult } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import type { ReportTable } from '../html-render.js';
import { headLabel, isPos, num, strideIndices, typeRank, typesOf, type FigureWithTable } from './common.js';

/** Points kept per line (evenly strided) so large models still give small SVGs. */
export const DECAY_MAX_POINTS = 160;

export function decayFigure(matrices: readonly MatrixResult[], layers: number): FigureWithTable | null {
  const shown = matrices.filter((m) => m.layer < layers && m.singularValues && m.singularValues.length > 0);
  if (shown.length === 0) return null;
  const values: { layer: string; type: string; head: string; hk: number; j: number; sigma: number }[] = [];
  let thinned = false;
  for (const m of shown) {
    const sv = m.singularValues as number[];
    const idx = strideIndices(sv.length, DECAY_MAX_POINTS);
    thinned ||= idx.length < sv.length;
    for (const i of idx) if (isPos(sv[i])) values.push({ layer: `layer ${m.layer}`, type: m.type, head: headLabel(m.head), hk: m.head, j: i + 1, sigma: sv[i] });
  }
  const spec = {
    data: { values },
    facet: {
      row: { field: 'layer', type: 'nominal', title: null },
      column: { field: 'type', type: 'nominal', title: null, sort: typesOf(shown) },
    },
    spec: {
      width: 190,
      height: 130,
      mark: { type: 'line', strokeWidth: 1.2, clip: true },
      encoding: {
        x: { field: 'j', type: 'quantitative', title: 'index j' },
        y: { field: 'sigma', type: 'quantitative', scale: { type: 'log' }, title: 'σ_j', axis: { format: '.0e' } },
        color: { field: 'head', type: 'nominal', title: 'head', sort: { field: 'hk', op: 'min' }, scale: { scheme: 'tableau20' } },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as VegaLiteSpec;
  return {
    figure: {
      name: 'spectral-decay',
      title: `Singular-value decay, first ${Math.min(layers, 1 + Math.max(...shown.map((m) => m.layer)))} layer(s)`,
      spec,
      caption:
        'σ_j against j (log scale), one panel per layer and matrix type, one line per head. Zero singular values are not drawn on the log axis.' +
        (thinned ? ` Long spectra are drawn with at most ${DECAY_MAX_POINTS} evenly spaced points per line.` : ''),
    },
    table: matrixTable(matrices),
  };
}

/** One row per matrix with its norms and ranks (every layer, not only the plotted ones). */
export function matrixTable(matrices: readonly MatrixResult[]): ReportTable {
  const sorted = [...matrices].sort((a, b) => a.layer - b.layer || typeRank(a.type) - typeRank(b.type) || a.head - b.head);
  return {
    name: 'matrices',
    title: 'Every matrix: shape, rank, norms and the power-law exponent of its ESD',
    columns: ['layer', 'head', 'type', 'rows', 'cols', 'rank', 'σ_1 (spectral)', 'σ_min > 0', 'stable rank', 'Frobenius', 'nuclear', '(2,1)-norm', '(1,1)-norm', 'ESD α (WeightWatcher)', 'ESD fit KS'],
    rows: sorted.map((m) => {
      const pos = (m.singularValues ?? []).filter(isPos);
      return [m.layer, m.head, m.type, m.rows, m.cols, m.rank, num(m.spectralNorm), pos.length ? pos.reduce((a, b) => Math.min(a, b)) : null,
        num(m.stableRank), num(m.frobeniusNorm), num(m.nuclearNorm), num(m.norm21), num(m.norm11), m.esdAlpha ?? null, m.esdKs ?? null];
    }),
  };
}
