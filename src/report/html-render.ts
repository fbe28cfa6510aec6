/**
 * The HTML report as text, the platform-neutral half of html.ts: types, table and settings
 * markup, validation and the page itself. Inline SVG figures, inline CSS and a few lines of
 * vanilla JS that make tables sortable; nothing is fetched when the page opens. The browser page
 * (src/web/) offers this same report as a download; html.ts writes it to a folder.
 */
import { BadOptionError } from '../errors.js';
import { REPORT_CSS, SORT_SCRIPT } from './html-assets.js';
import { prefixSvgIds, renderSvg, type VegaLiteSpec } from './vega-svg.js';

export type { VegaLiteSpec } from './vega-svg.js';

export type Cell = string | number | null;

export interface ReportFigure {
  /** File name stem: letters, digits, '-', '_' and '.' only; unique within the report. */
  name: string;
  title: string;
  spec: VegaLiteSpec;
  caption?: string;
}

export interface ReportTable {
  /** Unique within the report, same characters as figure names. */
  name: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

export interface ReportSection {
  title: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  figures: ReportFigure[];
  tables?: ReportTable[];
}

export interface Report {
  title: string;
  subtitle?: string;
  /** Shown as a two-column table near the top (objects are JSON-encoded). */
  settings?: Record<string, unknown>;
  notes?: string[];
  sections: ReportSection[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Format a table cell: numbers with up to 6 significant digits, null as an empty cell. */
export function formatCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

export function tableHtml(t: ReportTable): string {
  const head = t.columns.map((c, i) => `<th data-col="${i}" title="click to sort">${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map((r) => {
      const cells = r.map((v) => {
        const sortKey = typeof v === 'number' ? ` data-v="${Number.isNaN(v) ? '' : v}"` : '';
        return `<td${sortKey}${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(formatCell(v))}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<figure class="table" id="table-${escapeHtml(t.name)}"><figcaption>${escapeHtml(t.title)} <span class="dim">(${t.rows.length} rows; click a header to sort)</span></figcaption>
<div class="scroll"><table class="sortable" data-name="${escapeHtml(t.name)}"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div></figure>`;
}

/** A settings value as text; long arrays are shortened to their ends and length. */
export function formatSetting(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatCell(v);
  if (Array.isArray(v) && v.length > 8) {
    const f = (x: unknown): string => (typeof x === 'number' ? formatCell(x) : JSON.stringify(x) ?? 'undefined');
    return `[${v.slice(0, 3).map(f).join(', ')}, …, ${f(v[v.length - 1])}] (${v.length} values)`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

function settingsHtml(settings: Record<string, unknown>): string {
  const rows = Object.entries(settings)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(formatSetting(v))}</td></tr>`)
    .join('\n');
  return `<section class="settings"><h2>Settings</h2><table class="kv">${rows}</table></section>`;
}

export function validateReport(report: Report): void {
  const seen = new Set<string>();
  for (const s of report.sections) {
    for (const item of [...s.figures, ...(s.tables ?? [])]) {
      if (!NAME_RE.test(item.name)) throw new BadOptionError(`report "${report.title}": bad figure/table name "${item.name}" (use letters, digits, - _ .)`);
    }
    for (const f of s.figures) {
      if (seen.has(f.name)) throw new BadOptionError(`report "${report.title}": figure name "${f.name}" used twice`);
      seen.add(f.name);
    }
    for (const t of s.tables ?? []) {
      const bad = t.rows.findIndex((r) => r.length !== t.columns.length);
      if (bad >= 0) throw new BadOptionError(`report table "${t.name}": row ${bad} has ${t.rows[bad].length} cells, expected ${t.columns.length}`);
    }
  }
}

/** Render the page itself from already-rendered SVGs (keyed by figure name). */
export function renderHtml(report: Report, svgs: ReadonlyMap<string, string>): string {
  const toc = report.sections.map((s, i) => `<li><a href="#s${i}">${escapeHtml(s.title)}</a></li>`).join('');
  const sections = report.sections
    .map((s, i) => {
      const figs = s.figures
        .map((f) => {
          const svg = prefixSvgIds(svgs.get(f.name) ?? '', `${f.name}-`);
          const cap = f.caption ? `<p class="caption">${escapeHtml(f.caption)}</p>` : '';
          return `<figure class="plot" id="fig-${escapeHtml(f.name)}" data-name="${escapeHtml(f.name)}"><figcaption>${escapeHtml(f.title)} <a class="dim" href="figures/${escapeHtml(f.name)}.svg">svg</a></figcaption>
<div class="svg">${svg}</div>${cap}</figure>`;
        })
        .join('\n');
      const tables = (s.tables ?? []).map(tableHtml).join('\n');
      return `<section id="s${i}"><h2>${escapeHtml(s.title)}</h2>${s.text ? paragraphs(s.text) : ''}
${figs}
${tables}</section>`;
    })
    .join('\n');
  const notes = report.notes?.length ? `<section class="notes"><h2>Notes</h2><ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.title)}</title>
<style>${REPORT_CSS}</style></head>
<body><header><h1>${escapeHtml(report.title)}</h1>${report.subtitle ? `<p class="subtitle">${escapeHtml(report.subtitle)}</p>` : ''}
<nav><ul>${toc}</ul></nav></header>
<main>
${report.settings ? settingsHtml(report.settings) : ''}
${notes}
${sections}
</main>
<footer>Written by genbound on ${escapeHtml(new Date().toISOString())}. Figures: Vega-Lite, rendered offline.</footer>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}

/** Renders every figure to SVG (keyed by figure name); throws before anything is written. */
export async function renderFigures(report: Report): Promise<Map<string, string>> {
  validateReport(report);
  const svgs = new Map<string, string>();
  for (const s of report.sections) for (const f of s.figures) svgs.set(f.name, await renderSvg(f.spec));
  return svgs;
}
