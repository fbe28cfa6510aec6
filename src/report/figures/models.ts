/** Every bound of every compared model, one panel per bound, log y (bounds differ by many orders). */
import type { CompareResult } from '../../types/analysis.js';
import type { ReportFigure } from '../html-render.js';
import type { VegaLiteSpec } from '../vega-svg.js';

export function modelBoundsFigure(result: CompareResult, modelName: (i: number) => string): ReportFigure | null {
  const values = result.models.flatMap((r, i) =>
    Object.entries(r.bounds)
      .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]) && e[1] > 0)
      .map(([bound, value]) => ({ model: modelName(i), order: i, bound, value })),
  );
  if (values.length === 0 || result.models.length < 2) return null;
  const bounds = [...new Set(values.map((v) => v.bound))];
  const spec = {
    data: { values },
    facet: { field: 'bound', type: 'nominal', title: null, sort: bounds },
    columns: 4,
    spec: {
      width: { step: Math.max(10, Math.min(28, Math.floor(360 / result.models.length))) },
      height: 150,
      mark: { type: 'point', filled: true, size: 50 },
      encoding: {
        x: { field: 'model', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, axis: { labelAngle: -45 } },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'bound', axis: { format: '.1~e' } },
        tooltip: [{ field: 'model' }, { field: 'bound' }, { field: 'value', format: '.4g' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as VegaLiteSpec;
  return { name: 'bounds-per-model', title: 'Every bound of every model', spec, caption: 'One panel per bound (log scale, each its own axis); models in the order given.' };
}
