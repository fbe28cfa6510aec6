/**
 * The report's Vega-Lite figures drawn live in the page: the same specs as the HTML report
 * (src/report/figures/), made interactive — zoom and pan on every continuous axis (drag, wheel;
 * double-click resets) and a tooltip with the data of the mark under the pointer.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { FIGURE_CONFIG, offlineLoader, type VegaLiteSpec } from '../report/vega-svg.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Channels of a unit spec that have a continuous scale (only those can be zoomed). */
function continuous(encoding: unknown): string[] {
  if (!isObj(encoding)) return [];
  return ['x', 'y'].filter((c) => isObj(encoding[c]) && ['quantitative', 'temporal'].includes(String((encoding[c] as Json).type)));
}

function withTooltip(mark: unknown): unknown {
  const m = isObj(mark) ? mark : { type: mark };
  return 'tooltip' in m ? m : { ...m, tooltip: { content: 'data' } };
}

/** A copy of the spec with a scale-bound interval selection on its units and data tooltips. */
export function interactive(spec: Json, zoom = { used: false }): Json {
  const out: Json = { ...spec };
  if ('mark' in out) {
    out.mark = withTooltip(out.mark);
    const ch = continuous(out.encoding);
    if (ch.length > 0 && !zoom.used) {
      zoom.used = true;
      out.params = [...((out.params as unknown[]) ?? []), { name: 'zoom', select: { type: 'interval', encodings: ch }, bind: 'scales' }];
    }
  }
  if (Array.isArray(out.layer)) out.layer = out.layer.map((l) => (isObj(l) ? interactive(l, zoom) : l));
  if (isObj(out.spec)) out.spec = interactive(out.spec, zoom);
  for (const k of ['concat', 'hconcat', 'vconcat']) {
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => (isObj(s) ? interactive(s, { used: false }) : s));
  }
  return out;
}

let tip: HTMLDivElement | undefined;

function tooltipBox(): HTMLDivElement {
  if (!tip) {
    tip = document.createElement('div');
    tip.className = 'vg-tooltip';
    tip.setAttribute('role', 'tooltip');
    document.body.appendChild(tip);
  }
  return tip;
}

function showTooltip(_handler: unknown, event: MouseEvent, _item: unknown, value: unknown): void {
  const box = tooltipBox();
  if (value === null || value === undefined || value === '') {
    box.style.display = 'none';
    return;
  }
  const rows = isObj(value) ? Object.entries(value).filter(([k]) => !k.startsWith('_')) : [['', value]];
  box.replaceChildren(...rows.map(([k, v]) => {
    const line = document.createElement('div');
    const shown = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v);
    line.textContent = k ? `${k}: ${shown}` : shown;
    return line;
  }));
  box.style.display = 'block';
  box.style.left = `${event.pageX + 12}px`;
  box.style.top = `${event.pageY + 12}px`;
}

/** Draws one figure into `el` as SVG; returns the view (finalize it when the figure is removed). */
export async function drawFigure(el: HTMLElement, spec: VegaLiteSpec): Promise<vega.View> {
  const live = interactive({ ...spec, config: { ...FIGURE_CONFIG, ...(spec.config ?? {}) } } as Json) as unknown as VegaLiteSpec;
  const compiled = vl.compile(live).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: el, hover: true, loader: offlineLoader() });
  view.tooltip(showTooltip as unknown as vega.TooltipHandler);
  await view.runAsync();
  return view;
}
