/** Vega-Lite specs for the lab's figures (rendered by src/report). */
import type { VegaLiteSpec } from '../../report/html.js';
import { mean, sd } from '../stats.js';
import type { Row } from './runner.js';

export interface Point {
  x: number;
  y: number;
  lo: number;
  hi: number;
  series: string;
  /** mean − sd without the clamp that keeps log axes positive. */
  loRaw?: number;
}

/** Mean ± sd of `value` over rows grouped by (series, x). */
export function aggregate(rows: readonly Row[], x: string, value: string, series: (r: Row) => string): Point[] {
  const groups = new Map<string, { x: number; series: string; v: number[] }>();
  for (const r of rows) {
    const v = r[value];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const s = series(r);
    const key = `${s}\u0000${r[x]}`;
    const g = groups.get(key) ?? { x: Number(r[x]), series: s, v: [] };
    g.v.push(v);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const m = mean(g.v);
      const e = g.v.length > 1 ? sd(g.v) : 0;
      return { x: g.x, y: m, lo: Math.max(m - e, m / 10), loRaw: m - e, hi: m + e, series: g.series };
    })
    .sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : a.x - b.x));
}

/** Lines with points and ±sd error bars; log axes by default. */
export function curveSpec(points: readonly Point[], o: { xTitle: string; yTitle: string; logX?: boolean; logY?: boolean; title?: string }): VegaLiteSpec {
  const xs = { field: 'x', type: 'quantitative' as const, title: o.xTitle, scale: o.logX === false ? { zero: false } : { type: 'log' as const, nice: false } };
  const values = points.map((p) => ({ ...p, lo: o.logY === false && p.loRaw !== undefined ? p.loRaw : p.lo }));
  const ys = { type: 'quantitative' as const, title: o.yTitle, scale: o.logY === false ? { zero: false } : { type: 'log' as const } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: 420,
    height: 260,
    data: { values },
    encoding: { x: xs, color: { field: 'series', type: 'nominal', title: null } },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { y: { field: 'y', ...ys } } },
      { mark: { type: 'rule' }, encoding: { y: { field: 'lo', ...ys }, y2: { field: 'hi' } } },
    ],
  } as VegaLiteSpec;
}

/** A heat map of v over a grid (x, y), log colour scale. */
export function heatmapSpec(cells: readonly { x: number; y: number; v: number }[], o: { xTitle: string; yTitle: string; vTitle: string }): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 360,
    height: 260,
    data: { values: cells.map((c) => ({ ...c })) },
    mark: 'rect',
    encoding: {
      x: { field: 'x', type: 'ordinal', title: o.xTitle },
      y: { field: 'y', type: 'ordinal', title: o.yTitle, sort: 'descending' },
      color: { field: 'v', type: 'quantitative', title: o.vTitle, scale: { type: 'log', scheme: 'viridis', reverse: true } },
      tooltip: [{ field: 'x' }, { field: 'y' }, { field: 'v', format: '.3g' }],
    },
  } as VegaLiteSpec;
}

/** A grouped dot plot: value per category (x) and series (offset, colour), log scale. (Bars on a
 * log scale have no baseline, so dots.) */
export function barSpec(bars: readonly { cat: string; series: string; v: number }[], o: { catTitle: string; vTitle: string; logV?: boolean }): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 620,
    height: 260,
    data: { values: bars.map((b) => ({ ...b })) },
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'cat', type: 'nominal', title: o.catTitle, axis: { labelAngle: 0 } },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'v', type: 'quantitative', title: o.vTitle, scale: o.logV === false ? { zero: false } : { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
      shape: { field: 'series', type: 'nominal', title: null },
      tooltip: [{ field: 'cat' }, { field: 'series' }, { field: 'v', format: '.3g' }],
    },
  } as VegaLiteSpec;
}

/** A scatter of y against x coloured by series. */
export function scatterSpec(pts: readonly { x: number; y: number; series: string }[], o: { xTitle: string; yTitle: string; logX?: boolean; logY?: boolean }): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 320,
    height: 240,
    data: { values: pts.map((p) => ({ ...p })) },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle, scale: o.logX ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as VegaLiteSpec;
}
