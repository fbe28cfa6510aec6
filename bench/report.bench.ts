/**
 * How long a report of a BERT-base-sized analysis takes (12 layers, N = 768, 12 heads of 64,
 * feed-forward 3072: 312 matrices, full spectra and T(p) curves), and how big it is. Timings are
 * given as ratios to rendering one small reference figure in the same run (machine load varies).
 * Synthetic spectra (power laws); the numbers are about rendering, not about any model.
 * Run: npm run bench -- report
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult, MatrixResult } from '../src/types/analysis.js';
import { writeAnalysisReport } from '../src/report/analysis-report.js';
import { renderSvg } from '../src/report/vega.js';

function synthetic(L: number, N: number, H: number): AnalysisResult {
  const d = N / H;
  const m = Math.ceil(L + Math.log(N));
  const p = Array.from({ length: 2 * m + 1 }, (_, i) => i / m);
  const mats: MatrixResult[] = [];
  let seed = 1;
  const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const mk = (layer: number, head: number, type: string, rows: number, cols: number, k: number): MatrixResult => {
    const sv = Array.from({ length: k }, (_, j) => (0.5 + rnd()) * (j + 1) ** -0.6);
    const t = p.map((q) => Math.sqrt(k * N) * (1 + (rnd() - 0.6) * q * 0.3));
    const iOpt = t.reduce((b, x, i) => (x < t[b] ? i : b), 0);
    return { layer, head, type, rows, cols, rank: k, spectralNorm: sv[0], frobeniusNorm: Math.hypot(...sv), nuclearNorm: sv.reduce((a, b) => a + b, 0),
      norm21: 1, norm11: 1, stableRank: 1, alpha: 1, gamma: 1, pOpt: p[iOpt], contribution: t[iOpt], tCurve: { p, t }, singularValues: sv };
  };
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) mats.push(mk(l, h, 'QK', N, N, d), mk(l, h, 'V_tilde', N, N, d));
    mats.push(mk(l, -1, 'M_in', N, 4 * N, N), mk(l, -1, 'M_out', 4 * N, N, N));
  }
  return {
    model: { architecture: 'bert', layers: L, hidden: N, heads: H, headDim: d, intermediate: 4 * N, name: `synthetic-L${L}-N${N}` },
    settings: { lPhi: 1.13, rankTol: 1e-10, gridM: m, convention: 'consistent', backend: 'none' },
    matrices: mats,
    bounds: { spectrumAdaptive: 1, edelman: 2 },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ref = { data: { values: [1, 2, 3].map((x) => ({ x, y: x * x })) }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as const;
const result = synthetic(12, 768, 12);
const dir = mkdtempSync(join(tmpdir(), 'genbound-bench-report-'));
const tRef: number[] = [];
const tSvg: number[] = [];
const tPng: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now();
  await renderSvg(ref);
  tRef.push(performance.now() - t0);
  t0 = performance.now();
  await writeAnalysisReport(join(dir, 'svg'), result);
  tSvg.push(performance.now() - t0);
  t0 = performance.now();
  await writeAnalysisReport(join(dir, 'png'), result, { png: true });
  tPng.push(performance.now() - t0);
}
const html = statSync(join(dir, 'svg', 'index.html')).size;
const svgs = readFileSync(join(dir, 'svg', 'index.html'), 'utf8').match(/<svg /g)?.length ?? 0;
console.log(`BERT-base-sized analysis report (${result.matrices.length} matrices), median of 3:`);
console.log(`  reference figure (3-point line):  ${median(tRef).toFixed(0)} ms`);
console.log(`  report, SVG only:                 ${median(tSvg).toFixed(0)} ms  (${(median(tSvg) / median(tRef)).toFixed(0)}x reference)`);
console.log(`  report, SVG + PNG:                ${median(tPng).toFixed(0)} ms  (${(median(tPng) / median(tRef)).toFixed(0)}x reference)`);
console.log(`  index.html: ${(html / 1e6).toFixed(2)} MB with ${svgs} inline figures`);
