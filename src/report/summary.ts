import type { AnalysisResult, CompareResult } from '../types/analysis.js';
import { degeneracyLines, degeneracyOf } from '../analysis/degeneracy.js';
import { notComputed, notComputedText } from './not-computed.js';

/** The readable terminal summary of analyze and compare (plain text, fixed-width columns). */

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (x !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(digits - 1);
  return Number.isInteger(x) ? String(x) : x.toPrecision(digits);
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

const BOUND_LABELS: Record<string, string> = {
  spectrumAdaptive: 'spectrum-adaptive (Sakai & Imaizumi 2026)',
  edelman: 'Edelman et al. (norm-based)',
  bartlett: 'Bartlett-Foster-Telgarsky spectral/(2,1)',
  frobeniusProduct: 'Frobenius product',
  paramCount: 'parameter count',
  norm11Sum: '(1,1)-norm sum',
  norm11Product: '(1,1)-norm layer product',
};

function boundValue(r: AnalysisResult, k: string): string {
  if (notComputed(r, k)) return notComputedText(k);
  const v = r.bounds[k];
  if (typeof v === 'number' && Number.isFinite(v)) return fmt(v);
  const l = r.boundsLog10?.[k];
  return l === undefined || l === null ? String(v) : `10^${l.toFixed(2)}`;
}

/** Mean of the non-null values (NaN when there are none). */
function meanOf(xs: readonly (number | null | undefined)[]): number {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, x) => a + x, 0) / v.length : NaN;
}

export function analysisSummary(r: AnalysisResult, title?: string): string {
  const m = r.model;
  const s = r.settings;
  const out: string[] = [];
  out.push(`${title ?? m.name ?? m.architecture}: ${m.architecture}, ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads of ${m.headDim}, FFN ${m.intermediate}`);
  out.push(`settings: convention ${s.convention}, L_phi ${s.lPhi}, rank tol ${s.rankTol}, grid m ${s.gridM}, backend ${s.backend}`);
  out.push('');
  out.push(table(['bound', 'value'], Object.keys(r.bounds).map((k) => [BOUND_LABELS[k] ?? k, boundValue(r, k)])));
  for (const l of degeneracyLines(r)) out.push(l);
  const types = [...new Set(r.matrices.map((x) => x.type))];
  out.push('');
  out.push(table(['type', 'count', 'mean rank', 'mean sigma_1', 'mean stable rank', 'mean pOpt', 'sum of min T(p)', 'mean ESD alpha'], types.map((t) => {
    const ms = r.matrices.filter((x) => x.type === t);
    const mean = (f: (x: (typeof ms)[number]) => number): number => ms.reduce((a, x) => a + f(x), 0) / ms.length;
    return [t, String(ms.length), fmt(mean((x) => x.rank)), fmt(mean((x) => x.spectralNorm)), fmt(mean((x) => x.stableRank)),
      fmt(mean((x) => x.pOpt ?? NaN)), fmt(ms.reduce((a, x) => a + (x.contribution ?? 0), 0)), fmt(meanOf(ms.map((x) => x.esdAlpha)))];
  })));
  const top = [...r.matrices].filter((x) => x.contribution !== null).sort((a, b) => (b.contribution ?? 0) - (a.contribution ?? 0)).slice(0, 5);
  if (top.length) {
    out.push('');
    out.push('largest contributions to the spectrum-adaptive proxy:');
    out.push(table(['matrix', 'rank', 'sigma_1', 'pOpt', 'min T(p)'], top.map((x) => [
      x.head >= 0 ? `layer ${x.layer} head ${x.head} ${x.type}` : `layer ${x.layer} ${x.type}`,
      String(x.rank), fmt(x.spectralNorm), fmt(x.pOpt), fmt(x.contribution)])));
  }
  return out.join('\n') + '\n';
}

export function compareSummary(c: CompareResult, names: readonly string[]): string {
  const out: string[] = [];
  // Every bound of every model, those not computed included (said so in their cells).
  const bounds = [...new Set(c.models.flatMap((r) => Object.keys(r.bounds)))];
  out.push(table(['model', 'L', 'N', ...bounds, 'p_opt>0'], c.models.map((r, i) => [names[i], String(r.model.layers), String(r.model.hidden),
    ...bounds.map((b) => boundValue(r, b)), `${degeneracyOf(r).positive}/${degeneracyOf(r).matrices}`])));
  const degenerate = c.models.map((r, i) => (degeneracyOf(r).degenerate ? names[i] : null)).filter((x) => x !== null);
  if (degenerate.length) out.push(`p_opt = 0 for every matrix of ${degenerate.join(', ')}: their spectrum-adaptive value is Σ√(rank·N) + √L, a count of ranks that does not depend on the size of the weights.`);
  if (c.slopes.length) {
    out.push('');
    out.push('log-log slopes (bound ~ x^slope):');
    out.push(table(['bound', 'against', 'at fixed', 'slope', 'points'], c.slopes.map((s) => [s.bound, s.against,
      s.against === 'depth' ? `N=${s.fixed}` : `L=${s.fixed}`, fmt(s.slope), String(s.points)])));
  }
  return out.join('\n') + '\n';
}
