import type { AnalysisResult, CompareResult, MatrixResult } from '../types/analysis.js';
import { notComputed, notComputedText } from './not-computed.js';

/**
 * The one CSV writer, as text (platform-neutral: csv.ts writes the files, the browser page offers
 * them as downloads) (csvTable; RFC 4180: comma-separated, quoted where needed, one header line,
 * non-finite numbers as empty cells), used by analyze/compare and the lab (results.csv). Tables:
 *   matrices.csv   one row per matrix, every per-matrix quantity
 *   bounds.csv     bound, value, log10, note (value and log10 empty and note "not computed (needs
 *                  --head-l11)" for a bound the run did not compute)
 *   tcurve.csv     layer, head, type, p, T(p), T(p)/T(0)
 *   spectra.csv    layer, head, type, index, sigma (only when the result carries spectra)
 * compare adds growth.csv and slopes.csv, and prefixes each model's rows with its name.
 */
type Cell = string | number | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

export const MATRIX_COLUMNS = ['layer', 'head', 'type', 'rows', 'cols', 'rank', 'spectralNorm', 'frobeniusNorm', 'nuclearNorm',
  'norm21', 'norm11', 'stableRank', 'alpha', 'gamma', 'pOpt', 'contribution',
  'esdAlpha', 'esdAlphaWeighted', 'esdKs', 'esdTail'] as const;

function matrixRow(m: MatrixResult): Cell[] {
  return MATRIX_COLUMNS.map((k) => m[k] as Cell);
}

/** The tables of one analysis, as file name -> CSV text. */
export function analysisTables(r: AnalysisResult, model?: string): Record<string, string> {
  const pre = model === undefined ? [] : ['model'];
  const p = (row: Cell[]): Cell[] => (model === undefined ? row : [model, ...row]);
  const tables: Record<string, string> = {
    'matrices.csv': csvTable([...pre, ...MATRIX_COLUMNS], r.matrices.map((m) => p(matrixRow(m)))),
    'bounds.csv': csvTable([...pre, 'bound', 'value', 'log10', 'note'],
      Object.entries(r.bounds).map(([k, v]) => p([k, v, r.boundsLog10?.[k] ?? (v === null ? null : Math.log10(v)),
        notComputed(r, k) ? notComputedText(k) : null]))),
  };
  const curves: Cell[][] = [];
  for (const m of r.matrices) {
    if (!m.tCurve) continue;
    const t0 = m.tCurve.t[0];
    m.tCurve.p.forEach((pp, i) => curves.push(p([m.layer, m.head, m.type, pp, m.tCurve?.t[i], t0 > 0 ? (m.tCurve?.t[i] as number) / t0 : null])));
  }
  if (curves.length) tables['tcurve.csv'] = csvTable([...pre, 'layer', 'head', 'type', 'p', 'T', 'TOverT0'], curves);
  const spectra: Cell[][] = [];
  for (const m of r.matrices) m.singularValues?.forEach((s, i) => spectra.push(p([m.layer, m.head, m.type, i + 1, s])));
  if (spectra.length) tables['spectra.csv'] = csvTable([...pre, 'layer', 'head', 'type', 'index', 'sigma'], spectra);
  return tables;
}

/** compare's tables: every model's tables concatenated (with a model column), growth and slopes. */
export function compareTables(c: CompareResult, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  c.models.forEach((r, i) => {
    for (const [file, text] of Object.entries(analysisTables(r, names[i]))) {
      out[file] = out[file] === undefined ? text : out[file] + text.slice(text.indexOf('\n') + 1);
    }
  });
  out['growth.csv'] = csvTable(['model', 'bound', 'layers', 'hidden', 'value', 'byWidth', 'byDepth'],
    c.growth.map((g) => [g.model, g.bound, g.layers, g.hidden, g.value, g.byWidth, g.byDepth]));
  out['slopes.csv'] = csvTable(['bound', 'against', 'fixed', 'slope', 'points'],
    c.slopes.map((s) => [s.bound, s.against, s.fixed, s.slope, s.points]));
  return out;
}
