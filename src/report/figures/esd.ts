/**
 * Empirical spectral density (ESD) of the singular values, pooled per matrix type, on log-log
 * axes (the heavy-tail view of Martin & Mahoney's weight-matrix analyses). Bins are log-spaced
 * between the smallest and largest positive value; the density is per unit sigma, i.e.
 * count / (n * bin width), numpy's histogram(density=True) convention.
 */
import type { MatrixResult } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import { isPos, typesOf, type FigureWithTable } from './common.js';

export interface EsdBin {
  lo: number;
  hi: number;
  count: number;
  density: number;
}

/** Number of bins for n positive values: ceil(sqrt(n)) clamped to [8, 40]. */
export function esdBinCount(n: number): number {
  return Math.min(40, Math.max(8, Math.ceil(Math.sqrt(n))));
}

/** Log-spaced histogram of the positive values (the last bin is closed on the right). */
export function esdHistogram(values: readonly number[], bins = esdBinCount(values.filter(isPos).length)): EsdBin[] {
  const v = values.filter(isPos);
  if (v.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  if (a === b) return [{ lo, hi, count: v.length, density: NaN }];
  const edges = Array.from({ length: bins + 1 }, (_, i) => 10 ** (a + ((b - a) * i) / bins));
  edges[0] = lo; // exact ends: 10 ** log10(x) need not round-trip, and no value may fall outside
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  for (const x of v) {
    // Locate by the log position, then correct against the exact edges (as numpy compares to edges).
    let k = Math.min(bins - 1, Math.floor(((Math.log10(x) - a) / (b - a)) * bins));
    while (k > 0 && x < edges[k]) k--;
    while (k < bins - 1 && x >= edges[k + 1]) k++;
    counts[k]++;
  }
  return counts.map((count, i) => ({ lo: edges[i], hi: edges[i + 1], count, density: count / (v.length * (edges[i + 1] - edges[i])) }));
}

export function esdFigure(matrices: readonly MatrixResult[]): FigureWithTable | null {
  const types = typesOf(matrices.filter((m) => m.singularValues && m.singularValues.length > 0));
  const values: { type: string; lo: number; hi: number; count: number; density: number; floor: number }[] = [];
  const rows: (string | number | null)[][] = [];
  for (const type of types) {
    const sv = matrices.filter((m) => m.type === type).flatMap((m) => m.singularValues ?? []);
    const hist = esdHistogram(sv).filter((h) => h.count > 0 && Number.isFinite(h.density));
    if (hist.length === 0) continue;
    const floor = Math.min(...hist.map((h) => h.density)) / 2;
    for (const h of hist) {
      values.push({ type, ...h, floor });
      rows.push([type, h.lo, h.hi, h.count, h.density]);
    }
  }
  if (values.length === 0) return null;
  const spec = {
    data: { values },
    facet: { field: 'type', type: 'nominal', title: null, sort: types },
    columns: 4,
    spec: {
      width: 200,
      height: 160,
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', scale: { type: 'log', nice: false, padding: 6 }, title: 'singular value σ', axis: { format: '.0e' } },
        x2: { field: 'hi' },
        y: { field: 'density', type: 'quantitative', scale: { type: 'log' }, title: 'density', axis: { format: '.0e' } },
        y2: { field: 'floor' },
        tooltip: [{ field: 'lo', format: '.3g' }, { field: 'hi', format: '.3g' }, { field: 'count' }],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as VegaLiteSpec;
  return {
    figure: {
      name: 'esd',
      title: 'Empirical spectral density per matrix type (log-log)',
      spec,
      caption: 'Singular values of all layers pooled per type, log-spaced bins; density = count / (n · bin width). Empty bins are not drawn on the log axis.',
    },
    table: { name: 'esd-bins', title: 'ESD histogram bins', columns: ['type', 'from σ', 'to σ', 'count', 'density'], rows },
  };
}
