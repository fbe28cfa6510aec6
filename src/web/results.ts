/**
 * The results on the page: the HTML report's sections (src/report/analysis-build.ts) with live
 * figures and sortable tables, and downloads of the JSON, the CSV tables and the report itself,
 * all made in the page from the result (nothing is sent anywhere).
 */
import type * as vega from 'vega';
import { buildAnalysisReport, buildCompareReport } from '../report/analysis-build.js';
import { analysisTables, compareTables } from '../report/csv-tables.js';
import { SORT_SCRIPT } from '../report/html-assets.js';
import { escapeHtml, formatSetting, renderFigures, renderHtml, tableHtml, type Report } from '../report/html-render.js';
import { toJson } from '../report/json-text.js';
import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import { drawFigure } from './figures.js';

let views: vega.View[] = [];

/** What the JSON and CSV downloads hold: like the CLI, singular values only when asked for. */
function withoutSpectra(r: AnalysisResult): AnalysisResult {
  return { ...r, matrices: r.matrices.map(({ singularValues: _sv, ...m }) => m) };
}

function download(name: string, text: string, type: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.textContent = name;
  a.className = 'download';
  return a;
}

async function reportDownload(report: Report): Promise<HTMLAnchorElement> {
  const html = renderHtml(report, await renderFigures(report));
  return download('report.html', html, 'text/html');
}

function settingsTable(settings: Record<string, unknown>): string {
  return `<table class="kv">${Object.entries(settings).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(formatSetting(v))}</td></tr>`).join('')}</table>`;
}

/** Clears the results area (and the figures' views). */
export function clearResults(root: HTMLElement): void {
  for (const v of views) v.finalize();
  views = [];
  root.replaceChildren();
}

async function show(root: HTMLElement, report: Report, files: Record<string, string>, json: string): Promise<void> {
  clearResults(root);
  const head = document.createElement('header');
  head.innerHTML = `<h2>${escapeHtml(report.title)}</h2>${report.subtitle ? `<p class="subtitle">${escapeHtml(report.subtitle)}</p>` : ''}`;
  const dl = document.createElement('p');
  dl.className = 'downloads';
  dl.append('Download: ', download('result.json', json, 'application/json'));
  for (const [name, text] of Object.entries(files)) dl.append(' ', download(name, text, 'text/csv'));
  head.append(dl);
  root.append(head);
  if (report.settings) {
    const s = document.createElement('details');
    s.innerHTML = `<summary>Settings</summary>${settingsTable(report.settings)}`;
    root.append(s);
  }
  for (const [i, section] of report.sections.entries()) {
    const sec = document.createElement('section');
    sec.id = `s${i}`;
    sec.innerHTML = `<h2>${escapeHtml(section.title)}</h2>${(section.text ?? '').split(/\n\s*\n/).filter((p) => p.trim()).map((p) => `<p>${escapeHtml(p.trim())}</p>`).join('')}`;
    root.append(sec);
    for (const f of section.figures) {
      const fig = document.createElement('figure');
      fig.className = 'plot';
      fig.dataset.name = f.name;
      fig.innerHTML = `<figcaption>${escapeHtml(f.title)} <span class="dim">(drag or scroll to zoom, double-click to reset)</span></figcaption><div class="svg"></div>${f.caption ? `<p class="caption">${escapeHtml(f.caption)}</p>` : ''}`;
      sec.append(fig);
      views.push(await drawFigure(fig.querySelector('.svg') as HTMLElement, f.spec));
    }
    sec.insertAdjacentHTML('beforeend', (section.tables ?? []).map(tableHtml).join('\n'));
  }
  if (report.notes?.length) {
    const notes = document.createElement('section');
    notes.className = 'notes';
    notes.innerHTML = `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
    root.append(notes);
  }
  // The report's own sorting script, run once over the tables just added (the page's CSP allows
  // eval for Vega's expressions anyway; the script only attaches click handlers).
  new Function(SORT_SCRIPT)();
  dl.append(' ', await reportDownload(report));
}

export async function showAnalysis(root: HTMLElement, result: AnalysisResult): Promise<void> {
  const plain = withoutSpectra(result);
  await show(root, buildAnalysisReport(result), analysisTables(plain), toJson(plain));
}

export async function showComparison(root: HTMLElement, result: CompareResult, names: readonly string[]): Promise<void> {
  const plain = { ...result, models: result.models.map(withoutSpectra) };
  await show(root, buildCompareReport(result), compareTables(plain, names), toJson(plain));
}
