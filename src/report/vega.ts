/**
 * Figures as data: a Vega-Lite spec is compiled to Vega, rendered headlessly to SVG (no DOM, no
 * canvas, no network; vega-svg.ts, which the browser page shares), and optionally rasterised to
 * PNG by resvg with a known font file (here: Node only).
 *
 * Why this route: Vega-Lite is declarative (no hand-drawn SVG), `vega` View.toSVG() needs no
 * browser, and @resvg/resvg-js ships its binary as an npm optional dependency (no download at
 * install). See /work/shared/notes/ecosystem.md, "Plots".
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { GenboundError } from '../errors.js';
import { FIGURE_FONT_FAMILY } from './vega-svg.js';

export { FIGURE_CONFIG, FIGURE_FONT_FAMILY, prefixSvgIds, renderSvg, type VegaLiteSpec } from './vega-svg.js';

/** Where Debian's fonts-dejavu-core (installed by scripts/setup.sh) puts the regular face. */
export const DEFAULT_FONT_FILES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

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
