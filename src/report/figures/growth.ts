/**
 * Growth of each bound with model size, as Sakai & Imaizumi (2026), Sec. 6 compare them on the
 * BERT Miniatures: each bound divided by its value at the smallest width (same depth) or the
 * smallest depth (same width), on log axes, with the fitted log-log slope (from `compare`) written
 * in each panel's corner and listed in the table.
 */
import type { CompareResult, GrowthRow } from '../../types/analysis.js';
import type { VegaLiteSpec } from '../vega-svg.js';
import type { ReportTable } from '../html-render.js';
import { num, type FigureWithTable } from './common.js';

export interface GrowthPoint {
  bound: string;
  panel: string;
  fixed: number;
  x: number;
  ratio: number;
  /** "slope 1.23" on the line's last point, empty elsewhere (drawn in the panel's corner). */
  label: string;
}

/** The points of the growth figure against width (at fixed depth) or depth (at fixed width). */
export function growthPoints(result: CompareResult, against: 'width' | 'depth'): GrowthPoint[] {
  const pts: GrowthPoint[] = [];
  const key = (r: GrowthRow): { fixed: number; x: number; ratio: number | null } =>
    against === 'width' ? { fixed: r.layers, x: r.hidden, ratio: r.byWidth } : { fixed: r.hidden, x: r.layers, ratio: r.byDepth };
  for (const r of result.growth) {
    const { fixed, x, ratio } = key(r);
    if (ratio === null || !Number.isFinite(ratio) || ratio <= 0 || !(x > 0)) continue;
    pts.push({ bound: r.bound, panel: against === 'width' ? `depth L = ${fixed}` : `width N = ${fixed}`, fixed, x, ratio, label: '' });
  }
  // Label the last point of each (bound, fixed) line with its fitted slope.
  const groups = new Map<string, GrowthPoint[]>();
  for (const p of pts) groups.set(`${p.bound}\u0000${p.fixed}`, [...(groups.get(`${p.bound}\u0000${p.fixed}`) ?? []), p]);
  for (const g of groups.values()) {
    const s = result.slopes.find((q) => q.bound === g[0].bound && q.against === against && q.fixed === g[0].fixed);
    if (!s || !Number.isFinite(s.slope) || g.length < 2) continue;
    g.reduce((a, b) => (b.x > a.x ? b : a)).label = `slope ${s.slope.toFixed(2)}`;
  }
  return pts;
}

export function growthFigure(result: CompareResult, against: 'width' | 'depth'): FigureWithTable | null {
  const values = growthPoints(result, against);
  const fixedCount = new Set(values.map((v) => v.fixed)).size;
  // Growth needs at least two sizes along the axis; a family of same-sized models has none to show.
  if (new Set(values.map((v) => v.x)).size < 2) return null;
  const bounds = [...new Set(values.map((v) => v.bound))].sort();
  const xTitle = against === 'width' ? 'hidden size N' : 'depth L';
  const enc = {
    x: { field: 'x', type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, title: xTitle, axis: { values: [...new Set(values.map((v) => v.x))].sort((a, b) => a - b), format: 'd' } },
    y: { field: 'ratio', type: 'quantitative', scale: { type: 'log', padding: 18 }, title: against === 'width' ? 'bound / bound at smallest N' : 'bound / bound at smallest L' },
    color: { field: 'bound', type: 'nominal', title: 'bound' },
  };
  const spec = {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: { field: 'fixed', op: 'min' } },
    columns: Math.min(3, fixedCount),
    spec: {
      width: 220,
      height: 170,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { ...enc, tooltip: [{ field: 'bound' }, { field: 'x', title: xTitle }, { field: 'ratio', format: '.4g' }] } },
        // The fitted slopes, one line per bound in the panel's top-left corner, in the bound's colour.
        ...bounds.map((b, k) => ({
          transform: [{ filter: { and: [{ field: 'bound', equal: b }, "datum.label != ''"] } }],
          mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 10, x: 5, y: 4 + 13 * k },
          encoding: { color: enc.color, text: { field: 'label' } },
        })),
      ],
    },
  } as VegaLiteSpec;
  const rows = result.slopes
    .filter((s) => s.against === against)
    .sort((a, b) => a.bound.localeCompare(b.bound) || a.fixed - b.fixed)
    .map((s) => [s.bound, against === 'width' ? `L = ${s.fixed}` : `N = ${s.fixed}`, num(s.slope), s.points]);
  return {
    figure: {
      name: `growth-${against}`,
      title: against === 'width' ? 'Each bound against width at fixed depth' : 'Each bound against depth at fixed width',
      spec,
      caption:
        (against === 'width' ? 'Normalised to the smallest width of the same depth' : 'Normalised to the smallest depth of the same width') +
        '; log-log axes. The slope in each panel’s corner (in the line’s colour) is that of a least-squares line through log(bound) against log(' +
        (against === 'width' ? 'N' : 'L') + ').',
    },
    table: { name: `slopes-${against}`, title: `Fitted log-log slopes against ${against}`, columns: ['bound', against === 'width' ? 'fixed depth' : 'fixed width', 'slope', 'points'], rows },
  };
}

/** The growth rows as a table: every model and bound with its two normalisations. */
export function growthTable(result: CompareResult): ReportTable {
  return {
    name: 'growth',
    title: 'Bounds per model, normalised',
    columns: ['model', 'bound', 'L', 'N', 'value', '÷ smallest N', '÷ smallest L'],
    rows: result.growth.map((r) => [r.model, r.bound, r.layers, r.hidden, num(r.value), num(r.byWidth), num(r.byDepth)]),
  };
}
