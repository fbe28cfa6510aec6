/**
 * Writes the HTML report (html-render.ts builds its text) into a folder: DIR/index.html, every
 * figure as DIR/figures/<name>.svg (and .png with `png: true`).
 *
 * The report is built in a temporary sibling directory and moved into place at the end, so a
 * failure (a spec that does not compile, a full disk) leaves no half-written report behind.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BadOptionError } from '../errors.js';
import { besideName, replaceDirAtomic, writeError } from '../util/atomic-write.js';
import { REPORT_ENTRIES } from '../util/output-targets.js';
import { renderFigures, renderHtml, type Report } from './html-render.js';
import { renderPng, type PngOptions } from './vega.js';

export { escapeHtml, formatCell, formatSetting, renderHtml, type Cell, type Report, type ReportFigure, type ReportSection, type ReportTable, type VegaLiteSpec } from './html-render.js';

export interface HtmlReportOptions {
  /** Also write DIR/figures/<name>.png. */
  png?: boolean;
  pngOptions?: PngOptions;
}

export interface HtmlReportFiles {
  html: string;
  svgs: string[];
  pngs: string[];
}

/**
 * Write DIR/index.html and DIR/figures/<name>.svg (+ .png with opts.png). Returns the absolute
 * paths written. Throws BadOptionError for a DIR that is a file or bad figure names.
 */
export async function writeHtmlReport(dir: string, report: Report, opts: HtmlReportOptions = {}): Promise<HtmlReportFiles> {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new BadOptionError(`report directory ${dir} exists and is not a directory`);
  const foreign = existsSync(target) ? readdirSync(target).filter((n) => !REPORT_ENTRIES.has(n)) : [];
  if (foreign.length) throw new BadOptionError(`report directory ${dir} holds ${JSON.stringify(foreign[0].slice(0, 60))}, which genbound did not write; the report replaces the whole folder, so choose an empty or new one`);
  // Render everything in memory first: a spec that fails leaves the file system untouched.
  const svgs = await renderFigures(report);
  const pngs = new Map<string, Uint8Array>();
  if (opts.png) for (const [name, svg] of svgs) pngs.set(name, renderPng(svg, opts.pngOptions));
  const html = renderHtml(report, svgs);

  const tmp = besideName(target, 'tmp');
  try {
    mkdirSync(dirname(target), { recursive: true });
    mkdirSync(join(tmp, 'figures'), { recursive: true });
    for (const [name, svg] of svgs) writeFileSync(join(tmp, 'figures', `${name}.svg`), svg);
    for (const [name, png] of pngs) writeFileSync(join(tmp, 'figures', `${name}.png`), png);
    writeFileSync(join(tmp, 'index.html'), html);
    replaceDirAtomic(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(dir, err);
  }
  return {
    html: join(target, 'index.html'),
    svgs: [...svgs.keys()].map((n) => join(target, 'figures', `${n}.svg`)),
    pngs: [...pngs.keys()].map((n) => join(target, 'figures', `${n}.png`)),
  };
}
