/**
 * Figures as data: a Vega-Lite spec is compiled to Vega, rendered headlessly to SVG (no DOM, no
 * canvas, no network), and optionally rasterised to PNG by resvg with a known font file.
 *
 * Why this route: Vega-Lite is declarative (no hand-drawn SVG), `vega` View.toSVG() needs no
 * browser, and @resvg/resvg-js ships its binary as an npm optional dependency (no download at
 * install). See /work/shared/notes/ecosystem.md, "Plots".
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { GenboundError } from '../errors.js';

/** A Vega-Lite top-level spec (v6). */
export type VegaLiteSpec = vl.TopLevelSpec;

/** The font family every figure uses; its file is loaded into resvg explicitly. */
export const FIGURE_FONT_FAMILY = 'DejaVu Sans';

/** Where Debian's fonts-dejavu-core (installed by scripts/setup.sh) puts the regular face. */
export const DEFAULT_FONT_FILES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

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
function offlineLoader(): vega.Loader {
  const refuse = (uri: string): Promise<never> =>
    Promise.reject(new GenboundError(`figure tried to load "${uri}"; reports embed all data and never fetch`));
  const base = vega.loader();
  return Object.assign(base, { load: refuse, sanitize: refuse, http: refuse, file: refuse });
}

/**
 * Compile a Vega-Lite spec and render it to an SVG string in Node. The spec's own `config` is
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

export interface PngOptions {
  /** Scale factor relative to the SVG's own size (default 2, i.e. ~192 dpi). */
  scale?: number;
  /** Font files to load; defaults to DEFAULT_FONT_FILES (those that exist). */
  fontFiles?: readonly string[];
}

/**
 * Rasterise an SVG (as written by renderSvg) to PNG bytes with resvg. Fonts come from the given
 * files (Debian's DejaVu Sans by default); when none of them exists, system fonts are used.
 */
export function renderPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && Number.isFinite(scale))) throw new GenboundError(`PNG scale must be a positive number, got ${scale}`);
  const fontFiles = (opts.fontFiles ?? DEFAULT_FONT_FILES).filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: [...fontFiles],
      loadSystemFonts: fontFiles.length === 0,
      defaultFontFamily: FIGURE_FONT_FAMILY,
      sansSerifFamily: FIGURE_FONT_FAMILY,
    },
  });
  return new Uint8Array(resvg.render().asPng());
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
