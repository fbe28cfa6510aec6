/**
 * The reports of `genbound analyze --report DIR` and `genbound compare --report DIR`, built but
 * not written: the figures of Sakai & Imaizumi (2026), Sec. 6, and the table behind each.
 * Platform-neutral: the browser page (src/web/) shows the same sections; analysis-report.ts
 * writes them with writeHtmlReport.
 */
import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import type { Report, ReportSection } from './html-render.js';
import { contributionFigures } from './figures/contributions.js';
import { decayFigure, matrixTable } from './figures/decay.js';
import { esdFigure } from './figures/esd.js';
import { growthFigure, growthTable } from './figures/growth.js';
import { normsFigure } from './figures/norms.js';
import { modelBoundsFigure } from './figures/models.js';
import { tCurveFigure } from './figures/tcurve.js';
import { num } from './figures/common.js';
import { degeneracyLines } from '../analysis/degeneracy.js';
import { boundCell } from './not-computed.js';

export interface AnalysisReportBuildOptions {
  /** How many first layers the spectral-decay small multiples show (default 2). */
  decayLayers?: number;
  /** Overrides the page title. */
  title?: string;
}

/** Said in every report: how the two S(p) conventions differ (spec, "Two conventions"). */
export const CONVENTION_NOTE =
  'Convention for S(p) = Σ σ_j^p: "consistent" counts singular values under the rank threshold as zero at every p, so S(p) is continuous at p → 0; ' +
  '"reference" (the authors’ code) sums every value of a full dense SVD, numerical zeros included — for a rank-64 768×768 head (1e-16)^(1/19) ≈ 0.14 per zero, ' +
  'which makes S(1/19) jump from about 64 to about 164 and makes the result depend on the SVD routine’s rounding noise.';

export const PROXY_NOTE =
  'Spectrum-adaptive proxy: B = Σ_matrices min_{p ∈ P_m} T(p) + √L with T(p) = S(p)^{1/(p+2)} (γ α_l L)^{p/(p+2)} N^{(p+1)/(p+2)}, P_m = {0, 1/m, …, 2}, m = ⌈L + ln N⌉ (Sakai & Imaizumi 2026, Sec. 6 and App. E). Row-vector convention x ↦ xW.';

function modelName(r: AnalysisResult): string {
  return String(r.model.name ?? r.model.source ?? r.model.architecture);
}

/** Bounds with their log10 (taken from `boundsLog10` when analyze provides it: it survives overflow). */
function boundsTable(r: AnalysisResult): ReportSection['tables'] {
  const logs = r.boundsLog10 ?? {};
  const rows = Object.entries(r.bounds).map(([k, v]) => [k, boundCell(r, k, num(v)),
    boundCell(r, k, num(logs[k] ?? (v !== null && v > 0 ? Math.log10(v) : NaN)))]);
  return [{ name: 'bounds', title: 'Bounds', columns: ['bound', 'value', 'log10 value'], rows }];
}

/** Build (without writing) the analysis report of one model. */
export function buildAnalysisReport(result: AnalysisResult, opts: AnalysisReportBuildOptions = {}): Report {
  const m = result.model;
  const ms = result.matrices;
  const sections: ReportSection[] = [
    {
      title: 'Bounds',
      text: `${modelName(result)}: ${m.architecture}, ${m.layers} layers, hidden size ${m.hidden}, ${m.heads} heads of size ${m.headDim}, feed-forward ${m.intermediate}. ${ms.length} matrices analysed.`,
      figures: [],
      tables: boundsTable(result),
    },
  ];
  const decay = decayFigure(ms, opts.decayLayers ?? 2);
  sections.push({
    title: 'Spectral decay',
    text: decay ? undefined : 'No singular values in this result (run analyze with spectra kept to draw the decay).',
    figures: decay ? [decay.figure] : [],
    tables: [decay ? decay.table : matrixTable(ms)],
  });
  const tc = tCurveFigure(ms);
  if (tc) sections.push({ title: 'T(p) / T(0)', text: PROXY_NOTE, figures: [tc.figure], tables: [tc.table] });
  const contrib = contributionFigures(ms);
  if (contrib) sections.push({ title: 'Contributions to the spectrum-adaptive proxy', figures: contrib.figures, tables: contrib.tables });
  const esd = esdFigure(ms);
  if (esd) sections.push({ title: 'Empirical spectral density', figures: [esd.figure], tables: [esd.table] });
  return {
    title: opts.title ?? `genbound analysis: ${modelName(result)}`,
    subtitle: `${m.architecture} · L = ${m.layers} · N = ${m.hidden} · convention ${result.settings.convention}`,
    settings: { model: modelName(result), ...result.settings },
    notes: [...degeneracyLines(result), ...(result.notes ?? []), CONVENTION_NOTE],
    sections,
  };
}

/** Build (without writing) the report of a `compare` run over several models. */
export function buildCompareReport(result: CompareResult, opts: AnalysisReportBuildOptions = {}): Report {
  const boundNames = [...new Set(result.models.flatMap((r) => Object.keys(r.bounds)))];
  const sections: ReportSection[] = [
    {
      title: 'Models and bounds',
      text: `${result.models.length} models compared.`,
      figures: [modelBoundsFigure(result, (i) => modelName(result.models[i]))].filter((f) => f !== null),
      tables: [
        {
          name: 'models',
          title: 'Models and their bounds',
          columns: ['model', 'architecture', 'L', 'N', 'heads', ...boundNames],
          rows: result.models.map((r) => [modelName(r), r.model.architecture, r.model.layers, r.model.hidden, r.model.heads, ...boundNames.map((b) => boundCell(r, b, num(r.bounds[b])))]),
        },
      ],
    },
  ];
  for (const against of ['width', 'depth'] as const) {
    const g = growthFigure(result, against);
    if (g) sections.push({ title: against === 'width' ? 'Growth with width' : 'Growth with depth', figures: [g.figure], tables: [g.table] });
  }
  sections.push({ title: 'Normalised values', figures: [], tables: [growthTable(result)] });
  const norms = normsFigure(result);
  if (norms) sections.push({ title: 'Norms against width', figures: [norms.figure], tables: [norms.table] });

  const conventions = [...new Set(result.models.map((r) => r.settings.convention))];
  const first = result.models[0]?.settings;
  const notes = [...result.models.flatMap((r) => degeneracyLines(r).map((l) => `${modelName(r)}: ${l}`)), ...new Set(result.models.flatMap((r) => r.notes ?? []))];
  if (conventions.length > 1) notes.unshift(`The models were analysed with different conventions (${conventions.join(', ')}): their bounds are not comparable.`);
  return {
    title: opts.title ?? `genbound comparison of ${result.models.length} models`,
    subtitle: `bounds: ${boundNames.join(', ')} · convention ${conventions.join('/')}`,
    settings: first ? { ...first, models: result.models.map(modelName) } : {},
    notes: [...notes, PROXY_NOTE, CONVENTION_NOTE],
    sections,
  };
}

