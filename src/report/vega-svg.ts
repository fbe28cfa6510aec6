/**
 * Figures as data, the platform-neutral half: a Vega-Lite spec is compiled to Vega and rendered
 * headlessly to SVG (no DOM, no canvas, no network). Runs in Node and in the browser page
 * (src/web/); the PNG half, which needs resvg's native binary and font files, is vega.ts.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { GenboundError } from '../errors.js';

/** A Vega-Lite top-level spec (v6). */
export type VegaLiteSpec = vl.TopLevelSpec;

/** The font family every figure uses; its file is loaded into resvg explicitly. */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

/** Shared look of all figures: the font that resvg will have, white background, readable sizes. */
export const FIGURE_CONFIG = {
  font: `${FIGURE_FONT_FAMILY}, sans-serif`,
  background: 'white',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14 },
} as const;

/** A Vega loader that refuses every URL: figures must carry their data inline. */
export function offlineLoader(): vega.Loader {
  const refuse = (uri: string): Promise<never> =>
    Promise.reject(new GenboundError(`figure tried to load "${uri}"; reports embed all data and never fetch`));
  const base = vega.loader();
  return Object.assign(base, { load: refuse, sanitize: refuse, http: refuse, file: refuse });
}

/**
 * Compile a Vega-Lite spec and render it to an SVG string (Node or browser). The spec's own `config` is
 * merged over FIGURE_CONFIG. Throws GenboundError if the spec does not compile.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...FIGURE_CONFIG, ...(spec.config ?? {}) } } as VegaLiteSpec;
  let compiled: vega.Spec;
  try {
    compiled = vl.compile(withConfig).spec;
  } catch (err) {
    throw new GenboundError(`figure spec does not compile: ${(err as Error).message}`);
  }
  const remote = (compiled.data ?? []).find((d) => 'url' in d);
  if (remote && 'url' in remote) throw new GenboundError(`figure data "${remote.name}" comes from a URL (${JSON.stringify(remote.url)}); reports embed all data and never fetch`);
  // Vega reports data-loading and dataflow errors through its logger rather than by rejecting:
  // collect them and fail, so a broken figure never reaches a report.
  const errors: string[] = [];
  const logger = vega.logger(vega.Error);
  logger.error = (...args: readonly unknown[]) => {
    errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    return logger;
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader(), logger });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new GenboundError(`figure failed to render: ${errors[0]}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Make an SVG's internal ids (gradients, clip paths) unique by prefixing them, so several
 * figures can be inlined into one HTML page without their `url(#id)` references colliding.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
}
